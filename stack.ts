/**
 * The whole identity and storage layer, composed from a validated StageConfig. index.ts calls this
 * for `pulumi up`; synth/ calls it under the mock runtime, so tests see exactly what would deploy.
 */
import * as pulumi from "@pulumi/pulumi";
import { CognitoIdentity } from "./components/cognito-identity";
import { IdentityScopedBucket } from "./components/identity-scoped-bucket";
import type { StageConfig } from "./config/stage-config";

export interface StackOutputs {
  region: string;
  userPoolId: pulumi.Output<string>;
  userPoolClientId: pulumi.Output<string>;
  identityPoolId: pulumi.Output<string>;
  bucketName: pulumi.Output<string>;
  /** `<prefix>`: identity `<id>` owns `<prefix>/<id>/`. */
  storagePrefix: string;
  /** Role ARN per group name. */
  roleArns: pulumi.Output<Record<string, string>>;
}

export function defineStack(config: StageConfig): StackOutputs {
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
  };
}
