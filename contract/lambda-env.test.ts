import { MAX_UPLOAD_BYTES_LIMIT } from "./files-api";
import { ENV_NAMES, LambdaEnvError, loginsProviderName, readLambdaEnv } from "./lambda-env";
import { TEST_LAMBDA_ENV } from "../stand-ins/lambda-env";

const GOOD = TEST_LAMBDA_ENV;

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    readLambdaEnv(env);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(LambdaEnvError);
    return (error as LambdaEnvError).problems;
  }
}

it("reads a complete environment into typed values", () => {
  expect(readLambdaEnv(GOOD)).toEqual({
    region: "ap-northeast-1",
    userPoolId: "ap-northeast-1_AbCdEf123",
    userPoolClientId: "1example23456789abcdefghij",
    identityPoolId: "ap-northeast-1:0b6f1f0e-3c55-4e0c-9a4b-2f3c1d5e6a7b",
    bucketName: "iss-dev-files-1a2b3c4",
    storagePrefix: "private",
    maxUploadBytes: 1048576,
    presignedUrlMaxSeconds: 900,
    credentialsCacheSeconds: 300,
    requestBudgetMs: 9000,
  });
});

it("uses exactly the variable names the stack sets", () => {
  expect(Object.values(ENV_NAMES).sort()).toEqual(Object.keys(GOOD).sort());
});

it("names every missing variable at once", () => {
  const problems = problemsOf({});
  expect(problems).toHaveLength(10);
  for (const name of Object.keys(GOOD)) expect(problems).toContain(`${name} is not set`);
});

it.each([
  ["REGION", "tokyo", "an AWS region"],
  ["USER_POOL_ID", "us-east-1_AbCdEf123", "a user pool id in ap-northeast-1"],
  ["USER_POOL_CLIENT_ID", "has spaces", "app client id"],
  ["IDENTITY_POOL_ID", "us-east-1:0b6f1f0e-3c55-4e0c-9a4b-2f3c1d5e6a7b", "identity pool id in ap-northeast-1"],
  ["BUCKET_NAME", "Upper_Case", "S3 bucket name"],
  ["STORAGE_PREFIX", "private/*", "contains '*'"],
  ["STORAGE_PREFIX", "/private", "starts with '/'"],
  ["MAX_UPLOAD_BYTES", "0", `from 1 to ${MAX_UPLOAD_BYTES_LIMIT}`],
  ["MAX_UPLOAD_BYTES", String(MAX_UPLOAD_BYTES_LIMIT + 1), "from 1 to"],
  ["MAX_UPLOAD_BYTES", "1e6", "whole number"],
  ["PRESIGNED_URL_MAX_SECONDS", "59", "from 60 to 3600"],
  ["PRESIGNED_URL_MAX_SECONDS", "3601", "from 60 to 3600"],
  ["CREDENTIALS_CACHE_SECONDS", "-1", "from 0 to 3600"],
  ["REQUEST_BUDGET_MS", "29000", "from 1000 to 26100"],
])("refuses %s=%j, saying what is expected", (name, value, expected) => {
  const problems = problemsOf({ ...GOOD, [name]: value });
  expect(problems).toHaveLength(1);
  expect(problems[0]).toContain(name);
  expect(problems[0]).toContain(expected);
});

it("the error message says it is a deploy bug and lists the problems", () => {
  expect(() => readLambdaEnv({ ...GOOD, REGION: undefined })).toThrow(/Invalid Lambda environment \(a deploy bug\): REGION is not set/);
});

it("names the Logins provider as Cognito does: host and pool id, no scheme", () => {
  expect(loginsProviderName(readLambdaEnv(GOOD))).toBe("cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_AbCdEf123");
});
