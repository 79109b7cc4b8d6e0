/**
 * The whole identity and storage layer, composed from a validated StageConfig. index.ts calls this
 * for `pulumi up`; synth/ calls it under the mock runtime, so tests see exactly what would deploy.
 */
import * as pulumi from "@pulumi/pulumi";
import { CognitoIdentity } from "./components/cognito-identity";
import { FilesApi } from "./components/files-api";
import { IdentityScopedBucket } from "./components/identity-scoped-bucket";
import { buildLambdaBundle } from "./build/lambda-bundle";
import type { StageConfig } from "./config/stage-config";
import type { StackOutputValues } from "./contract/stack-outputs";

/** The outputs as the program exports them: each one of `StackOutputValues`, as an Output or a plain value (undefined where it does not apply). */
type OptionalOutput = { [K in keyof StackOutputValues]-?: Record<never, never> extends Pick<StackOutputValues, K> ? K : never }[keyof StackOutputValues];
export type StackOutputs = {
  [K in keyof Required<StackOutputValues>]: pulumi.Input<NonNullable<StackOutputValues[K]>> | (K extends OptionalOutput ? undefined : never);
};

export interface DefineStackOptions {
  /** The files Lambda's code. @default the bundle of lambda/, built now into dist/lambda */
  lambdaCode?: pulumi.Input<pulumi.asset.Archive>;
}

export function defineStack(config: StageConfig, options: DefineStackOptions = {}): StackOutputs {
  const name = `iss-${config.stack}`;
  const tags = { project: "identity-scoped-storage", stack: config.stack };

  const identity = new CognitoIdentity(name, {
    groups: config.groups.map(({ name, precedence, description }) => ({ name, precedence, description })),
    allowSelfSignUp: config.allowSelfSignUp,
    mfa: config.mfa,
    deletionProtection: config.deletionProtection,
    userPoolTier: config.userPoolTier,
    callbackUrls: config.callbackUrls,
    logoutUrls: config.logoutUrls,
    // Empty config means "derive one": the component then picks `<project>-<stack>-<random>`.
    ...(config.hostedUiDomainPrefix ? { domainPrefix: config.hostedUiDomainPrefix } : {}),
    ...(config.customDomain ? { customDomain: { domainName: config.customDomain, certificateArn: config.customDomainCertificateArn } } : {}),
    loginUi: config.loginUi,
    ...(config.sesSourceArn ? { email: { sourceArn: config.sesSourceArn, ...(config.sesFromAddress ? { fromAddress: config.sesFromAddress } : {}) } } : {}),
    tokenValidity: {
      idTokenMinutes: config.idTokenValidityMinutes,
      accessTokenMinutes: config.accessTokenValidityMinutes,
      refreshTokenDays: config.refreshTokenValidityDays,
    },
    roleMapping: config.roleMapping,
    tags,
  });

  const storage = new IdentityScopedBucket(`${name}-files`, {
    prefix: config.prefix,
    region: config.region,
    identityRoles: config.groups.map((group) => ({
      key: group.name,
      roleName: identity.roleNames.apply((names) => names[group.name]!),
      readAllFolders: group.readAllFolders,
    })),
    encryption: config.encryption,
    abortIncompleteUploadDays: config.abortIncompleteUploadDays,
    noncurrentVersionExpirationDays: config.noncurrentVersionExpirationDays,
    forceDestroy: config.forceDestroy,
    corsOrigins: config.corsOrigins,
    allowWildcardCors: config.stack === "dev",
    tags,
  });

  const filesApi = new FilesApi(`${name}-files-api`, {
    // Built at deploy time, so `pulumi up` always ships the handler in this checkout.
    code: options.lambdaCode ?? buildLambdaBundle().then((bundle) => new pulumi.asset.FileArchive(bundle.outdir)),
    userPoolId: identity.userPoolId,
    userPoolClientId: identity.userPoolClientId,
    identityPoolId: identity.identityPoolId,
    issuerUrl: identity.issuerUrl,
    region: config.region,
    bucketName: storage.bucketName,
    prefix: config.prefix,
    maxUploadBytes: config.maxUploadBytes,
    presignedUrlMaxSeconds: config.presignedUrlMaxSeconds,
    credentialsCacheSeconds: config.credentialsCacheSeconds,
    timeoutSeconds: config.filesApiTimeoutSeconds,
    corsOrigins: config.corsOrigins,
    allowWildcardCors: config.stack === "dev",
    throttle: { burstLimit: config.apiThrottleBurstLimit, rateLimit: config.apiThrottleRateLimit },
    logRetentionDays: config.logRetentionDays,
    tags,
  });

  return {
    region: config.region,
    userPoolId: identity.userPoolId,
    userPoolClientId: identity.userPoolClientId,
    userPoolClientSecret: identity.userPoolClientSecret,
    issuerUrl: identity.issuerUrl,
    signInBaseUrl: identity.signInBaseUrl,
    authorizeEndpoint: identity.authorizeEndpoint,
    tokenEndpoint: identity.tokenEndpoint,
    logoutEndpoint: identity.logoutEndpoint,
    customDomainAliasTarget: config.customDomain ? identity.signInDomainAliasTarget : undefined,
    identityPoolId: identity.identityPoolId,
    bucketName: storage.bucketName,
    kmsKeyArn: storage.kmsKeyArn,
    storagePrefix: config.prefix,
    roleArns: identity.roleArns,
    filesApiEndpoint: filesApi.apiEndpoint,
  };
}
