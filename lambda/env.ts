/**
 * The function's configuration, read once per container from environment variables the stack
 * sets. A missing or malformed value is a deploy bug, not a request error: it fails the init
 * phase with every problem named, instead of answering requests with a half-configured handler.
 */
import { storagePrefixProblems } from "../components/storage-prefix";

/**
 * Largest upload the function can accept. A Lambda invoked synchronously takes at most 6 MB
 * (6,291,456 bytes) of request payload; API Gateway hands binary bodies over base64-encoded
 * (4 bytes for every 3) inside a JSON envelope, so 4 MiB of file is about 5.6 MB of payload.
 */
export const MAX_UPLOAD_BYTES_LIMIT = 4 * 1024 * 1024;

export interface LambdaEnv {
  /** Region of the user pool, identity pool and bucket. */
  region: string;
  userPoolId: string;
  userPoolClientId: string;
  identityPoolId: string;
  bucketName: string;
  /** Identity `<id>` owns `<storagePrefix>/<id>/`. */
  storagePrefix: string;
  /** Largest accepted upload, in decoded bytes. */
  maxUploadBytes: number;
}

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

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const USER_POOL_ID = /^[a-z]{2}(-[a-z]+)+-\d_[0-9A-Za-z]+$/;
const IDENTITY_POOL_ID = /^[a-z]{2}(-[a-z]+)+-\d:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CLIENT_ID = /^[\w+]{1,128}$/;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

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
  check("userPoolClientId", userPoolClientId, CLIENT_ID.test(userPoolClientId), "a user pool app client id");
  const identityPoolId = text("identityPoolId");
  check("identityPoolId", identityPoolId, IDENTITY_POOL_ID.test(identityPoolId) && inRegion(identityPoolId, ":"), `an identity pool id${where} (<region>:<uuid>)`);
  const bucketName = text("bucketName");
  check("bucketName", bucketName, BUCKET_NAME.test(bucketName) && !bucketName.includes(".."), "an S3 bucket name");
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
