/**
 * The function's configuration, read once per container from environment variables the stack
 * sets. A missing or malformed value is a deploy bug, not a request error: it fails the init
 * phase with every problem named, instead of answering requests with a half-configured handler.
 */
import { APP_CLIENT_ID, IDENTITY_POOL_ID, isBucketName, REGION, USER_POOL_ID } from "./aws-ids";
import { CREDENTIALS_CACHE_SECONDS, FUNCTION_TIMEOUT_SECONDS, MAX_UPLOAD_BYTES_LIMIT, PRESIGNED_URL_SECONDS, requestBudgetMs } from "./files-api";
import type { StackOutputValues } from "./stack-outputs";
import { storagePrefixProblems } from "./storage-prefix";

/**
 * What the function needs to know: the stack outputs it acts within (region, pools, bucket,
 * folder root), the inline upload limit in decoded bytes, the bounds on presigned URL and cached
 * credential lifetimes, and the time one request may take.
 */
export type LambdaEnv = Pick<StackOutputValues, "region" | "userPoolId" | "userPoolClientId" | "identityPoolId" | "bucketName" | "storagePrefix"> & {
  maxUploadBytes: number;
  /** Longest lifetime of a presigned URL, in seconds (never beyond the credentials' own expiry). */
  presignedUrlMaxSeconds: number;
  /** Longest reuse of credentials obtained with one IdToken, in seconds (0: no reuse). */
  credentialsCacheSeconds: number;
  /** Time one request may take, in ms; below the function's timeout (`requestBudgetMs`). */
  requestBudgetMs: number;
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
  presignedUrlMaxSeconds: "PRESIGNED_URL_MAX_SECONDS",
  credentialsCacheSeconds: "CREDENTIALS_CACHE_SECONDS",
  requestBudgetMs: "REQUEST_BUDGET_MS",
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
  const wholeNumber = (key: keyof LambdaEnv, min: number, max: number, unit: string): number => {
    const raw = text(key);
    const value = Number(raw);
    check(key, raw, /^\d+$/.test(raw) && value >= min && value <= max, `a whole number of ${unit} from ${min} to ${max}`);
    return value;
  };
  const maxUploadBytes = wholeNumber("maxUploadBytes", 1, MAX_UPLOAD_BYTES_LIMIT, "bytes");
  const presignedUrlMaxSeconds = wholeNumber("presignedUrlMaxSeconds", PRESIGNED_URL_SECONDS.min, PRESIGNED_URL_SECONDS.max, "seconds");
  const credentialsCacheSeconds = wholeNumber("credentialsCacheSeconds", CREDENTIALS_CACHE_SECONDS.min, CREDENTIALS_CACHE_SECONDS.max, "seconds");
  const requestBudget = wholeNumber("requestBudgetMs", 1000, requestBudgetMs(FUNCTION_TIMEOUT_SECONDS.max), "milliseconds");

  if (problems.length > 0) throw new LambdaEnvError(problems);
  return {
    region,
    userPoolId,
    userPoolClientId,
    identityPoolId,
    bucketName,
    storagePrefix,
    maxUploadBytes,
    presignedUrlMaxSeconds,
    credentialsCacheSeconds,
    requestBudgetMs: requestBudget,
  };
}

/** `cognito-idp.<region>.amazonaws.com/<userPoolId>`: the Logins key for identity-pool calls. */
export function loginsProviderName(env: Pick<LambdaEnv, "region" | "userPoolId">): string {
  return `cognito-idp.${env.region}.amazonaws.com/${env.userPoolId}`;
}
