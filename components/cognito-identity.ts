import * as aws from "./aws";
import * as pulumi from "@pulumi/pulumi";
import { certificateArnProblem, customDomainProblem, domainPrefixProblem } from "../contract/cognito-domain";
import { componentType } from "../contract/project";
import { fromAddressProblem, sesIdentityArnProblem } from "../contract/ses-email";
import type { LoginUi, MfaMode, RoleMappingType, UserPoolTier } from "../contract/stage-options";
import { identityPoolTrustPolicy } from "./policy-documents";
import { createSignInDomain, type CustomSignInDomain } from "./sign-in-domain";

export type { CustomSignInDomain, LoginUi, MfaMode, RoleMappingType, UserPoolTier };

/** A user-pool group; each gets its own IAM role. */
export interface IdentityGroup {
  /** Group name in the user pool (also names the role). */
  name: string;
  /**
   * Cognito precedence: when a user is in several groups, the lowest number decides
   * `cognito:preferred_role`. Must be unique, or a user in two groups gets no role at all.
   */
  precedence: number;
  /** Human-readable description of the group. */
  description?: string;
}

/** Token lifetimes of the app client. */
export interface TokenValidity {
  /** ID token lifetime in minutes (5 to 1440). @default 60 */
  idTokenMinutes: number;
  /** Access token lifetime in minutes (5 to 1440). @default 60 */
  accessTokenMinutes: number;
  /** Refresh token lifetime in days (1 to 3650). @default 30 */
  refreshTokenDays: number;
}

/** Sending the pool's email through Amazon SES instead of Cognito's default sender (a few emails a day). */
export interface SesEmailSender {
  /** ARN of a verified SES identity (an address or a domain) that allows Cognito to send as it. */
  sourceArn: string;
  /** The From address, `name@example.com` or `Display Name <name@example.com>`. @default the identity's address */
  fromAddress?: string;
}

export interface CognitoIdentityArgs {
  /** User-pool groups, each with its own role. At least one. */
  groups: IdentityGroup[];
  /** Let anyone sign up; when false only administrators create users. @default false */
  allowSelfSignUp?: boolean;
  /** Multi-factor authentication (TOTP). @default "OPTIONAL" */
  mfa?: MfaMode;
  /** Refuse to delete the user pool (and its users) until this is turned off. @default true */
  deletionProtection?: boolean;
  /** The user pool's feature plan; password history needs Essentials or Plus. @default "ESSENTIALS" */
  userPoolTier?: UserPoolTier;
  /** Where the sign-in pages may send the authorization code: https, or http on localhost. */
  callbackUrls: string[];
  /** Where the sign-in pages may return after sign-out: https, or http on localhost. */
  logoutUrls: string[];
  /**
   * Prefix of the Cognito sign-in domain (`<prefix>.auth.<region>.amazoncognito.com`), unique per
   * region across all accounts. @default `<project>-<stack>-<8 random hex digits>`, the random part kept in the stack's state
   */
  domainPrefix?: string;
  /** Serve sign-in at your own domain instead of a Cognito prefix domain (then `domainPrefix` must be unset). */
  customDomain?: CustomSignInDomain;
  /** The sign-in pages: Cognito's managed login, or the classic hosted UI. @default "MANAGED" */
  loginUi?: LoginUi;
  /** Send the pool's email through Amazon SES. @default Cognito's default sender, limited to a few emails a day */
  email?: SesEmailSender;
  /** Token lifetimes. @default { idTokenMinutes: 60, accessTokenMinutes: 60, refreshTokenDays: 30 } */
  tokenValidity?: TokenValidity;
  /**
   * How the identity pool picks a role: "Token" uses `cognito:preferred_role` from the group
   * with the lowest precedence; "Rules" matches `cognito:groups` exactly (`Equals`, never
   * `Contains`) in precedence order. Either way an unmatched user is denied. @default "Token"
   */
  roleMapping?: RoleMappingType;
  /** Tags for every taggable resource. */
  tags?: Record<string, string>;
}

const DEFAULT_TOKEN_VALIDITY: TokenValidity = { idTokenMinutes: 60, accessTokenMinutes: 60, refreshTokenDays: 30 };

/** Every rule the args break, so a wrong stack config fails before any resource is made. */
export function cognitoIdentityArgProblems(args: CognitoIdentityArgs): string[] {
  const problems: (string | undefined)[] = [];
  if (args.groups.length === 0) problems.push("at least one group is required");
  // Each group names a role and a user group (resource names: a repeat would collide after others
  // were registered); equal precedences give a user in both groups no role at all.
  const repeated = (values: string[]) => [...new Set(values.filter((v, i) => values.indexOf(v) !== i))];
  const names = repeated(args.groups.map((g) => g.name.toLowerCase()));
  if (names.length > 0) problems.push(`group names must differ (ignoring case); repeated: ${names.join(", ")}`);
  const precedences = repeated(args.groups.map((g) => String(g.precedence)));
  if (precedences.length > 0) problems.push(`group precedences must differ; repeated: ${precedences.join(", ")}`);
  if (args.domainPrefix !== undefined) problems.push(domainPrefixProblem(args.domainPrefix));
  if (args.customDomain) {
    if (args.domainPrefix !== undefined) problems.push("set domainPrefix or customDomain, not both");
    problems.push(customDomainProblem(args.customDomain.domainName), certificateArnProblem(args.customDomain.certificateArn));
  }
  if (args.email) {
    problems.push(sesIdentityArnProblem(args.email.sourceArn));
    if (args.email.fromAddress !== undefined) problems.push(fromAddressProblem(args.email.fromAddress));
  }
  return problems.filter((p): p is string => p !== undefined);
}

function checkedArgs(name: string, args: CognitoIdentityArgs): CognitoIdentityArgs {
  const problems = cognitoIdentityArgProblems(args);
  if (problems.length > 0) throw new Error(`CognitoIdentity ${name}: ${problems.join("; ")}`);
  return args;
}

/** The ARN (or name) of each group's role, keyed by group name. */
function byGroup(roles: Record<string, aws.iam.Role>, pick: (role: aws.iam.Role) => pulumi.Output<string>): pulumi.Output<Record<string, string>> {
  return pulumi.all(Object.entries(roles).map(([group, role]) => pick(role).apply((value) => [group, value] as const))).apply((pairs) => Object.fromEntries(pairs));
}

/**
 * A Cognito user pool with a sign-in domain and an app client for a server-side web app, groups
 * that each carry an IAM role, and an identity pool that hands every signed-in user exactly their
 * group's role: no guests, no classic flow, tokens checked server-side, ambiguous users denied.
 */
export class CognitoIdentity extends pulumi.ComponentResource {
  /** The user pool's id, `<region>_<id>`. */
  public readonly userPoolId: pulumi.Output<string>;
  /** The user pool's ARN. */
  public readonly userPoolArn: pulumi.Output<string>;
  /** The web app's client id (NextAuth.js `clientId`; the JWT authorizer's audience). */
  public readonly userPoolClientId: pulumi.Output<string>;
  /** The web app's client secret (NextAuth.js `clientSecret`), a Pulumi secret. */
  public readonly userPoolClientSecret: pulumi.Output<string>;
  /** The identity pool's id, `<region>:<uuid>`. */
  public readonly identityPoolId: pulumi.Output<string>;
  /** `cognito-idp.<region>.amazonaws.com/<userPoolId>`: the token issuer host and path, and the Logins key. */
  public readonly providerName: pulumi.Output<string>;
  /** `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`: the OIDC issuer (NextAuth.js `issuer`). */
  public readonly issuerUrl: pulumi.Output<string>;
  /** The sign-in domain: the Cognito prefix, or the custom domain name. */
  public readonly signInDomain: pulumi.Output<string>;
  /** `https://<prefix>.auth.<region>.amazoncognito.com` or `https://<custom domain>`. */
  public readonly signInBaseUrl: pulumi.Output<string>;
  /** The OAuth 2.0 authorization endpoint, `<signInBaseUrl>/oauth2/authorize`. */
  public readonly authorizeEndpoint: pulumi.Output<string>;
  /** The OAuth 2.0 token endpoint, `<signInBaseUrl>/oauth2/token`. */
  public readonly tokenEndpoint: pulumi.Output<string>;
  /** The sign-out endpoint, `<signInBaseUrl>/logout` (with `client_id` and `logout_uri`). */
  public readonly logoutEndpoint: pulumi.Output<string>;
  /** The CloudFront name behind the domain: a custom domain's DNS alias must point here. */
  public readonly signInDomainAliasTarget: pulumi.Output<string>;
  /** Role ARN per group name. */
  public readonly roleArns: pulumi.Output<Record<string, string>>;
  /** Role name per group name (what an IdentityScopedBucket grant takes). */
  public readonly roleNames: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: CognitoIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    // Checked before super(): a refused component is never registered.
    super(componentType("CognitoIdentity"), name, checkedArgs(name, args), opts);
    const parent = { parent: this };
    const tags = args.tags;
    const validity = args.tokenValidity ?? DEFAULT_TOKEN_VALIDITY;
    const mfa = args.mfa ?? "OPTIONAL";

    const userPool = new aws.cognito.UserPool(
      `${name}-users`,
      {
        userPoolTier: args.userPoolTier ?? "ESSENTIALS",
        usernameAttributes: ["email"],
        autoVerifiedAttributes: ["email"],
        adminCreateUserConfig: { allowAdminCreateUserOnly: !(args.allowSelfSignUp ?? false) },
        passwordPolicy: {
          minimumLength: 14,
          requireLowercase: true,
          requireUppercase: true,
          requireNumbers: true,
          requireSymbols: true,
          temporaryPasswordValidityDays: 3,
          passwordHistorySize: 5,
        },
        mfaConfiguration: mfa,
        softwareTokenMfaConfiguration: mfa === "OFF" ? undefined : { enabled: true },
        accountRecoverySetting: { recoveryMechanisms: [{ name: "verified_email", priority: 1 }] },
        emailConfiguration: args.email
          ? { emailSendingAccount: "DEVELOPER", sourceArn: args.email.sourceArn, fromEmailAddress: args.email.fromAddress }
          : { emailSendingAccount: "COGNITO_DEFAULT" },
        deletionProtection: args.deletionProtection ?? true ? "ACTIVE" : "INACTIVE",
        tags,
      },
      parent,
    );

    const client = new aws.cognito.UserPoolClient(
      `${name}-web-client`,
      {
        userPoolId: userPool.id,
        // A server-side web app keeps a secret and uses the authorization-code flow only.
        generateSecret: true,
        allowedOauthFlowsUserPoolClient: true,
        allowedOauthFlows: ["code"],
        allowedOauthScopes: ["openid", "email", "profile"],
        supportedIdentityProviders: ["COGNITO"],
        callbackUrls: args.callbackUrls,
        logoutUrls: args.logoutUrls,
        explicitAuthFlows: ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"],
        preventUserExistenceErrors: "ENABLED",
        enableTokenRevocation: true,
        idTokenValidity: validity.idTokenMinutes,
        accessTokenValidity: validity.accessTokenMinutes,
        refreshTokenValidity: validity.refreshTokenDays,
        tokenValidityUnits: { idToken: "minutes", accessToken: "minutes", refreshToken: "days" },
        // Users may edit their display name only: nothing role mapping (or anything else) trusts.
        readAttributes: ["email", "email_verified", "name"],
        writeAttributes: ["name"],
      },
      parent,
    );

    const signIn = createSignInDomain(
      name,
      { userPool, client, loginUi: args.loginUi ?? "MANAGED", ...(args.domainPrefix !== undefined ? { domainPrefix: args.domainPrefix } : {}), ...(args.customDomain ? { customDomain: args.customDomain } : {}) },
      this,
    );

    this.providerName = userPool.endpoint;
    this.issuerUrl = pulumi.interpolate`https://${userPool.endpoint}`;

    const identityPool = new aws.cognito.IdentityPool(
      `${name}-identities`,
      {
        // A display name: identity pools are told apart by id, so two stacks may share it.
        identityPoolName: `${name.replace(/[^\w ]/g, "_")}_identities`,
        allowUnauthenticatedIdentities: false,
        allowClassicFlow: false,
        cognitoIdentityProviders: [{ clientId: client.id, providerName: this.providerName, serverSideTokenCheck: true }],
        tags,
      },
      parent,
    );

    const trustPolicy = identityPool.id.apply((identityPoolId) => JSON.stringify(identityPoolTrustPolicy({ identityPoolId })));
    const groupRoles: Record<string, aws.iam.Role> = {};
    const groupResources: aws.cognito.UserGroup[] = [];
    for (const group of args.groups) {
      const role = new aws.iam.Role(
        `${name}-${group.name}-role`,
        { description: `Identity-pool role for the '${group.name}' group`, assumeRolePolicy: trustPolicy, maxSessionDuration: 3600, tags },
        parent,
      );
      groupRoles[group.name] = role;
      groupResources.push(
        new aws.cognito.UserGroup(
          `${name}-${group.name}`,
          { userPoolId: userPool.id, name: group.name, description: group.description, precedence: group.precedence, roleArn: role.arn },
          parent,
        ),
      );
    }

    const byPrecedence = [...args.groups].sort((a, b) => a.precedence - b.precedence);
    const roleMapping = args.roleMapping ?? "Token";
    new aws.cognito.IdentityPoolRoleAttachment(
      `${name}-role-mapping`,
      {
        identityPoolId: identityPool.id,
        // Cognito wants a default authenticated role; it gets the least trusted group's role
        // (highest precedence number). With ambiguous resolution "Deny" on the only provider,
        // it is never handed to a user whom the mapping did not place in a group.
        roles: { authenticated: groupRoles[byPrecedence[byPrecedence.length - 1]!.name]!.arn },
        roleMappings: [
          {
            identityProvider: pulumi.interpolate`${this.providerName}:${client.id}`,
            type: roleMapping,
            ambiguousRoleResolution: "Deny",
            mappingRules:
              roleMapping === "Rules"
                ? byPrecedence.map((group) => ({ claim: "cognito:groups", matchType: "Equals", value: group.name, roleArn: groupRoles[group.name]!.arn }))
                : undefined,
          },
        ],
      },
      { parent: this, dependsOn: groupResources },
    );

    this.userPoolId = userPool.id;
    this.userPoolArn = userPool.arn;
    this.userPoolClientId = client.id;
    this.userPoolClientSecret = pulumi.secret(client.clientSecret);
    this.identityPoolId = identityPool.id;
    this.signInDomain = signIn.domain;
    this.signInBaseUrl = signIn.baseUrl;
    this.authorizeEndpoint = signIn.authorizeEndpoint;
    this.tokenEndpoint = signIn.tokenEndpoint;
    this.logoutEndpoint = signIn.logoutEndpoint;
    this.signInDomainAliasTarget = signIn.cloudFrontTarget;
    this.roleArns = byGroup(groupRoles, (role) => role.arn);
    this.roleNames = byGroup(groupRoles, (role) => role.name);

    this.registerOutputs({
      userPoolId: this.userPoolId,
      userPoolArn: this.userPoolArn,
      userPoolClientId: this.userPoolClientId,
      userPoolClientSecret: this.userPoolClientSecret,
      identityPoolId: this.identityPoolId,
      providerName: this.providerName,
      issuerUrl: this.issuerUrl,
      signInDomain: this.signInDomain,
      signInBaseUrl: this.signInBaseUrl,
      authorizeEndpoint: this.authorizeEndpoint,
      tokenEndpoint: this.tokenEndpoint,
      logoutEndpoint: this.logoutEndpoint,
      signInDomainAliasTarget: this.signInDomainAliasTarget,
      roleArns: this.roleArns,
      roleNames: this.roleNames,
    });
  }
}
