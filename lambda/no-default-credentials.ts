/**
 * Stands in for @aws-sdk/credential-provider-node in the bundle. The function signs S3 requests
 * only with the caller's identity-pool credentials, and GetId / GetCredentialsForIdentity are
 * unsigned; any client that falls back to the default chain (the function's own role) is a bug,
 * and fails here instead of silently acting as the function.
 */
export const defaultProvider = () => async (): Promise<never> => {
  throw new Error("This function never uses its own role's credentials: pass the caller's credentials explicitly.");
};
