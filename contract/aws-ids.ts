/**
 * The shapes of the AWS identifiers that cross from deploy time to run time (stage config,
 * component args, the Lambda's environment, reviewer flags), each written once.
 */

/** An AWS region name: `ap-northeast-1`, `us-gov-west-1`. */
export const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
/** A user pool id: `<region>_<id>`. */
export const USER_POOL_ID = /^[a-z]{2}(-[a-z]+)+-\d_[0-9A-Za-z]+$/;
/** An identity pool id: `<region>:<uuid>`; the region is the first group. */
export const IDENTITY_POOL_ID = /^([a-z]{2}(?:-[a-z]+)+-\d):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A user pool app client id. */
export const APP_CLIENT_ID = /^[\w+]{1,128}$/;
/** An S3 bucket name (general purpose; no `..`, checked separately). */
export const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** `arn:<partition>:iam::<12-digit account>:role/<optional path/>name`; partition and account are groups. */
export const ROLE_ARN = /^arn:(aws[-a-z]*):iam::(\d{12}):role\/[\w+=,.@/-]+$/;

/** A valid bucket name: the pattern, and no `..`. */
export const isBucketName = (name: string) => BUCKET_NAME.test(name) && !name.includes("..");
