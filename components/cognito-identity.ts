import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { componentType } from "../contract/project";
import type { MfaMode, RoleMappingType } from "../contract/stage-options";
import { identityPoolTrustPolicy } from "./policy-documents";

export type { MfaMode, RoleMappingType };

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


export interface TokenValidity {
  /** ID token lifetime in minutes (5 to 1440). @default 60 */
  idTokenMinutes: number;
  /** Access token lifetime in minutes (5 to 1440). @default 60 */
  accessTokenMinutes: number;
  /** Refresh token lifetime in days (1 to 3650). @default 30 */
  refreshTokenDays: number;
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
  /** Where the hosted UI may send the authorization code: https, or http on localhost. */
  callbackUrls: string[];
  /** Where the hosted UI may return after sign-out: https, or http on localhost. */
  logoutUrls: string[];
  /** Prefix of a Cognito-hosted sign-in domain (`<prefix>.auth.<region>.amazoncognito.com`); none when empty. */
  hostedUiDomainPrefix?: string;
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

/**
 * A Cognito user pool with an app client for a server-side web app, groups that each carry an
 * IAM role, and an identity pool that hands every signed-in user exactly their group's role:
 * no guests, no classic flow, tokens checked server-side, ambiguous users denied.
 */
export class CognitoIdentity extends pulumi.ComponentResource {
  public readonly userPool: aws.cognito.UserPool;
  public readonly userPoolClient: aws.cognito.UserPoolClient;
  public readonly identityPool: aws.cognito.IdentityPool;
  public readonly roleAttachment: aws.cognito.IdentityPoolRoleAttachment;
  public readonly domain?: aws.cognito.UserPoolDomain;
  /** One role per group, keyed by group name. */
  public readonly groupRoles: Record<string, aws.iam.Role>;
  public readonly groupResources: Record<string, aws.cognito.UserGroup>;
  public readonly userPoolId: pulumi.Output<string>;
  public readonly userPoolClientId: pulumi.Output<string>;
  public readonly identityPoolId: pulumi.Output<string>;
  /** `cognito-idp.<region>.amazonaws.com/<userPoolId>`: the token issuer host and path, and the Logins key. */
  public readonly providerName: pulumi.Output<string>;
  /** `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`. */
  public readonly issuerUrl: pulumi.Output<string>;
  /** Role ARN per group name. */
  public readonly roleArns: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: CognitoIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super(componentType("CognitoIdentity"), name, args, opts);
    if (args.groups.length === 0) throw new Error(`CognitoIdentity ${name}: at least one group is required`);
    const tags = args.tags;
    const validity = args.tokenValidity ?? DEFAULT_TOKEN_VALIDITY;
    const mfa = args.mfa ?? "OPTIONAL";

    this.userPool = new aws.cognito.UserPool(
      `${name}-users`,
      {
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
        deletionProtection: args.deletionProtection ?? true ? "ACTIVE" : "INACTIVE",
        tags,
      },
      { parent: this },
    );

    this.userPoolClient = new aws.cognito.UserPoolClient(
      `${name}-web-client`,
      {
        userPoolId: this.userPool.id,
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
      { parent: this },
    );

    if (args.hostedUiDomainPrefix) {
      this.domain = new aws.cognito.UserPoolDomain(
        `${name}-domain`,
        { domain: args.hostedUiDomainPrefix, userPoolId: this.userPool.id },
        { parent: this },
      );
    }

    this.providerName = this.userPool.endpoint;
    this.issuerUrl = pulumi.interpolate`https://${this.userPool.endpoint}`;

    this.identityPool = new aws.cognito.IdentityPool(
      `${name}-identities`,
      {
        identityPoolName: `${name.replace(/[^\w ]/g, "_")}_identities`,
        allowUnauthenticatedIdentities: false,
        allowClassicFlow: false,
        cognitoIdentityProviders: [
          { clientId: this.userPoolClient.id, providerName: this.providerName, serverSideTokenCheck: true },
        ],
        tags,
      },
      { parent: this },
    );

    const trustPolicy = this.identityPool.id.apply((identityPoolId) =>
      JSON.stringify(identityPoolTrustPolicy({ identityPoolId })),
    );
    this.groupRoles = {};
    this.groupResources = {};
    for (const group of args.groups) {
      const role = new aws.iam.Role(
        `${name}-${group.name}-role`,
        {
          description: `Identity-pool role for the '${group.name}' group`,
          assumeRolePolicy: trustPolicy,
          maxSessionDuration: 3600,
          tags,
        },
        { parent: this },
      );
      this.groupRoles[group.name] = role;
      this.groupResources[group.name] = new aws.cognito.UserGroup(
        `${name}-${group.name}`,
        {
          userPoolId: this.userPool.id,
          name: group.name,
          description: group.description,
          precedence: group.precedence,
          roleArn: role.arn,
        },
        { parent: this },
      );
    }

    const byPrecedence = [...args.groups].sort((a, b) => a.precedence - b.precedence);
    const identityProvider = pulumi.interpolate`${this.providerName}:${this.userPoolClient.id}`;
    const roleMapping = args.roleMapping ?? "Token";
    this.roleAttachment = new aws.cognito.IdentityPoolRoleAttachment(
      `${name}-role-mapping`,
      {
        identityPoolId: this.identityPool.id,
        // Cognito wants a default authenticated role; it gets the least trusted group's role
        // (highest precedence number). With ambiguous resolution "Deny" on the only provider,
        // it is never handed to a user whom the mapping did not place in a group.
        roles: { authenticated: this.groupRoles[byPrecedence[byPrecedence.length - 1]!.name]!.arn },
        roleMappings: [
          {
            identityProvider,
            type: roleMapping,
            ambiguousRoleResolution: "Deny",
            mappingRules:
              roleMapping === "Rules"
                ? byPrecedence.map((group) => ({
                    claim: "cognito:groups",
                    matchType: "Equals",
                    value: group.name,
                    roleArn: this.groupRoles[group.name]!.arn,
                  }))
                : undefined,
          },
        ],
      },
      { parent: this, dependsOn: Object.values(this.groupResources) },
    );

    this.userPoolId = this.userPool.id;
    this.userPoolClientId = this.userPoolClient.id;
    this.identityPoolId = this.identityPool.id;
    this.roleArns = pulumi
      .all(Object.entries(this.groupRoles).map(([group, role]) => role.arn.apply((arn) => [group, arn] as const)))
      .apply((pairs) => Object.fromEntries(pairs));

    this.registerOutputs({
      userPoolId: this.userPoolId,
      userPoolClientId: this.userPoolClientId,
      identityPoolId: this.identityPoolId,
      providerName: this.providerName,
      issuerUrl: this.issuerUrl,
      roleArns: this.roleArns,
    });
  }
}
