/**
 * The user pool's sign-in domain, part of CognitoIdentity: without one, an app client configured
 * for the authorization-code flow has nowhere to send users, and the first sign-in fails. The
 * domain is the configured prefix, a custom domain with its certificate, or (by default) a prefix
 * derived from the project and stack plus a random suffix kept in the stack's state.
 */
import * as aws from "./aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { derivedDomainPrefix, SIGN_IN_ENDPOINT_PATHS, signInBaseUrl } from "../contract/cognito-domain";
import type { LoginUi } from "../contract/stage-options";

/** A custom sign-in domain (instead of a Cognito prefix domain). */
export interface CustomSignInDomain {
  /** The domain users sign in at, e.g. `auth.example.com`; its parent domain must resolve in DNS. */
  domainName: string;
  /** ARN of an issued ACM certificate for `domainName`, in us-east-1 (Cognito serves it through CloudFront). */
  certificateArn: string;
}

export interface SignInDomainArgs {
  userPool: aws.cognito.UserPool;
  client: aws.cognito.UserPoolClient;
  domainPrefix?: string;
  customDomain?: CustomSignInDomain;
  loginUi: LoginUi;
}

/** What the domain gives an app: where to send users, and where DNS must point for a custom domain. */
export interface SignInDomain {
  domain: pulumi.Output<string>;
  baseUrl: pulumi.Output<string>;
  authorizeEndpoint: pulumi.Output<string>;
  tokenEndpoint: pulumi.Output<string>;
  logoutEndpoint: pulumi.Output<string>;
  cloudFrontTarget: pulumi.Output<string>;
}

export function createSignInDomain(name: string, args: SignInDomainArgs, parent: pulumi.Resource): SignInDomain {
  const custom = args.customDomain;
  let domainName: pulumi.Input<string>;
  if (custom) domainName = custom.domainName;
  else if (args.domainPrefix) domainName = args.domainPrefix;
  else {
    // Prefixes are unique per region across all accounts: two stacks of the same project and
    // stage name (two engineers' dev) must not ask for the same one.
    const suffix = new random.RandomId(`${name}-domain-suffix`, { byteLength: 4 }, { parent });
    const project = pulumi.getProject();
    const stack = pulumi.getStack();
    domainName = suffix.hex.apply((hex) => derivedDomainPrefix(project, stack, hex));
  }

  // The name is global and outlives a replacement (say, of the user pool): free it before claiming it again.
  const domain = new aws.cognito.UserPoolDomain(
    `${name}-domain`,
    {
      userPoolId: args.userPool.id,
      domain: domainName,
      certificateArn: custom?.certificateArn,
      managedLoginVersion: args.loginUi === "MANAGED" ? 2 : 1,
    },
    { parent, deleteBeforeReplace: true },
  );

  if (args.loginUi === "MANAGED") {
    // Managed login serves an app client only once the client has a style; Cognito's own will do.
    new aws.cognito.ManagedLoginBranding(
      `${name}-login-style`,
      { userPoolId: args.userPool.id, clientId: args.client.id, useCognitoProvidedValues: true },
      { parent, dependsOn: [domain] },
    );
  }

  const baseUrl = custom
    ? domain.domain.apply((customDomain) => signInBaseUrl({ customDomain }))
    : pulumi.all([domain.domain, args.userPool.region]).apply(([prefix, region]) => signInBaseUrl({ prefix, region }));
  return {
    domain: domain.domain,
    baseUrl,
    authorizeEndpoint: baseUrl.apply((url) => url + SIGN_IN_ENDPOINT_PATHS.authorize),
    tokenEndpoint: baseUrl.apply((url) => url + SIGN_IN_ENDPOINT_PATHS.token),
    logoutEndpoint: baseUrl.apply((url) => url + SIGN_IN_ENDPOINT_PATHS.logout),
    cloudFrontTarget: domain.cloudfrontDistribution,
  };
}
