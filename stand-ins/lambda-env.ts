/** A complete, valid set of the function's environment variables, for tests and the bench. */
export const TEST_LAMBDA_ENV = {
  REGION: "ap-northeast-1",
  USER_POOL_ID: "ap-northeast-1_AbCdEf123",
  USER_POOL_CLIENT_ID: "1example23456789abcdefghij",
  IDENTITY_POOL_ID: "ap-northeast-1:0b6f1f0e-3c55-4e0c-9a4b-2f3c1d5e6a7b",
  BUCKET_NAME: "iss-dev-files-1a2b3c4",
  STORAGE_PREFIX: "private",
  MAX_UPLOAD_BYTES: "1048576",
  PRESIGNED_URL_MAX_SECONDS: "900",
  CREDENTIALS_CACHE_SECONDS: "300",
  REQUEST_BUDGET_MS: "9000",
} as const;
