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

/** The outputs as the program exports them: each one of `StackOutputValues`, as an Output or a plain value. */
export type StackOutputs = { [K in keyof StackOutputValues]: pulumi.Input<StackOutputValues[K]> };

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
    callbackUrls: config.callbackUrls,
    logoutUrls: config.logoutUrls,
    hostedUiDomainPrefix: config.hostedUiDomainPrefix,
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
      roleName: identity.groupRoles[group.name]!.name,
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
    identityPoolId: identity.identityPoolId,
    bucketName: storage.bucketName,
    storagePrefix: config.prefix,
    roleArns: identity.roleArns,
    filesApiEndpoint: filesApi.apiEndpoint,
  };
}
