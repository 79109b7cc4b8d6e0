/**
 * Stands in for @aws-sdk/s3-request-presigner in a bench-only build of the Lambda bundle, so the
 * presigner's cost in bundle size and cold init can be weighed against a build without it.
 */
export const getSignedUrl = async (): Promise<never> => {
  throw new Error("built without the presigner (bench only)");
};
