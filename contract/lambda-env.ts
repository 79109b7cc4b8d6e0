/**
 * The function's configuration, read once per container from environment variables the stack
 * sets. A missing or malformed value is a deploy bug, not a request error: it fails the init
 * phase with every problem named, instead of answering requests with a half-configured handler.
 */
import { APP_CLIENT_ID, IDENTITY_POOL_ID, isBucketName, REGION, USER_POOL_ID } from "./aws-ids";
import { MAX_UPLOAD_BYTES_LIMIT } from "./files-api";
import type { StackOutputValues } from "./stack-outputs";
import { storagePrefixProblems } from "./storage-prefix";

/**
 * What the function needs to know: the stack outputs it acts within (region, pools, bucket,
 * folder root), and the upload limit in decoded bytes.
 */
export type LambdaEnv = Pick<StackOutputValues, "region" | "userPoolId" | "userPoolClientId" | "identityPoolId" | "bucketName" | "storagePrefix"> & {
  maxUploadBytes: number;
};

/** The variable names, as the stack must set them. */
export const ENV_NAMES = {
  region: "REGION",
  userPoolId: "USER_POOL_ID",
  userPoolClientId: "USER_POOL_CLIENT_ID",
  identityPoolId: "IDENTITY_POOL_ID",
  bucketName: "BUCKET_NAME",
  storagePrefix: "STORAGE_PREFIX",
  maxUploadBytes: "MAX_UPLOAD_BYTES",
} as const satisfies Record<keyof LambdaEnv, string>;

export class LambdaEnvError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid Lambda environment (a deploy bug): ${problems.join("; ")}`);
    this.name = "LambdaEnvError";
  }
}

/** Reads and checks every variable; throws a LambdaEnvError naming each one that is wrong. */
export function readLambdaEnv(env: Record<string, string | undefined>): LambdaEnv {
  const problems: string[] = [];
  const text = (key: keyof LambdaEnv): string => {
    const value = env[ENV_NAMES[key]];
    if (value === undefined || value.trim() === "") {
      problems.push(`${ENV_NAMES[key]} is not set`);
      return "";
    }
    return value;
  };
  const check = (key: keyof LambdaEnv, value: string, ok: boolean, expected: string): void => {
    if (value !== "" && !ok) problems.push(`${ENV_NAMES[key]} ${JSON.stringify(value)} is not ${expected}`);
  };

  const region = text("region");
  const regionOk = REGION.test(region);
  check("region", region, regionOk, "an AWS region (e.g. ap-northeast-1)");
  // Ids must be in REGION; when REGION itself is wrong, only their shape is checked.
  const inRegion = (id: string, separator: string) => !regionOk || id.startsWith(`${region}${separator}`);
  const where = regionOk ? ` in ${region}` : "";
  const userPoolId = text("userPoolId");
  check("userPoolId", userPoolId, USER_POOL_ID.test(userPoolId) && inRegion(userPoolId, "_"), `a user pool id${where} (<region>_<id>)`);
  const userPoolClientId = text("userPoolClientId");
  check("userPoolClientId", userPoolClientId, APP_CLIENT_ID.test(userPoolClientId), "a user pool app client id");
  const identityPoolId = text("identityPoolId");
  check("identityPoolId", identityPoolId, IDENTITY_POOL_ID.test(identityPoolId) && inRegion(identityPoolId, ":"), `an identity pool id${where} (<region>:<uuid>)`);
  const bucketName = text("bucketName");
  check("bucketName", bucketName, isBucketName(bucketName), "an S3 bucket name");
  const storagePrefix = text("storagePrefix");
  if (storagePrefix !== "") {
    const prefixProblems = storagePrefixProblems(storagePrefix);
    if (prefixProblems.length > 0) problems.push(`${ENV_NAMES.storagePrefix} ${JSON.stringify(storagePrefix)} ${prefixProblems.join(", ")}`);
  }
  const maxUploadText = text("maxUploadBytes");
  const maxUploadBytes = Number(maxUploadText);
  check(
    "maxUploadBytes",
    maxUploadText,
    /^\d+$/.test(maxUploadText) && maxUploadBytes >= 1 && maxUploadBytes <= MAX_UPLOAD_BYTES_LIMIT,
    `a whole number of bytes from 1 to ${MAX_UPLOAD_BYTES_LIMIT}`,
  );

  if (problems.length > 0) throw new LambdaEnvError(problems);
  return { region, userPoolId, userPoolClientId, identityPoolId, bucketName, storagePrefix, maxUploadBytes };
}

/** `cognito-idp.<region>.amazonaws.com/<userPoolId>`: the Logins key for identity-pool calls. */
export function loginsProviderName(env: Pick<LambdaEnv, "region" | "userPoolId">): string {
  return `cognito-idp.${env.region}.amazonaws.com/${env.userPoolId}`;
}
