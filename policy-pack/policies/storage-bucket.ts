/**
 * Policy `identity-storage-bucket`: a bucket that identity roles' grants reach (see
 * identity-storage.ts) blocks public access in all four ways, enforces bucket-owner object
 * ownership (so ACLs play no part), and has a bucket policy that denies every request made without
 * TLS (judged by iam/inspect.ts's `inspectBucketPolicy`).
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import type { IamDocument } from "../../iam/document";
import { inspectBucketPolicy } from "../../iam/inspect";
import { otherPrincipalsAdmitted, statementReachesFolders } from "../../iam/principals";
import { listOf, statementLabel } from "../../iam/document";
import { folderRoots } from "../../iam/storage-layout";
import { exemptResourcesSchema, matchesAny, patternListSchema, stringList, type ExemptionConfig } from "./config";
import { readDocument, type DocumentRead } from "./documents";
import { identityStorage } from "./identity-storage";
import { describe, knownString, nameable, refersTo, TYPES } from "./resources";
import { PreviewDeferrals } from "./unknowns";

export const IDENTITY_STORAGE_BUCKET = "identity-storage-bucket";

export const PUBLIC_ACCESS_FLAGS = ["blockPublicAcls", "ignorePublicAcls", "blockPublicPolicy", "restrictPublicBuckets"] as const;

export const identityStorageBucket: StackValidationPolicy = {
  name: IDENTITY_STORAGE_BUCKET,
  description:
    "A bucket used for identity storage has all four public-access blocks, BucketOwnerEnforced object ownership, and a " +
    "bucket policy denying s3:* on the bucket and its objects when aws:SecureTransport is false.",
  severity: "high",
  remediationSteps:
    "Use IdentityScopedBucket, or give the bucket a BucketPublicAccessBlock with all four flags true, BucketOwnershipControls " +
    "with objectOwnership BucketOwnerEnforced, and a BucketPolicy built with storageBucketPolicy().",
  configSchema: {
    properties: {
      exemptResources: exemptResourcesSchema,
      trustedPrincipals: patternListSchema(
        "Principals a bucket policy may let reach the identity folders besides the stack's identity roles (deliberate partners): " +
          "ARNs, account ids or service names; '*' matches any run of characters.",
      ),
    },
  },
  validateStack: (args, reportViolation) => {
    const exempt = stringList(args.getConfig<ExemptionConfig>(), "exemptResources", IDENTITY_STORAGE_BUCKET);
    const trusted = stringList(args.getConfig<ExemptionConfig>(), "trustedPrincipals", IDENTITY_STORAGE_BUCKET);
    const deferrals = new PreviewDeferrals();
    const storage = identityStorage(args.resources, deferrals);
    if (storage.buckets.length === 0 && deferrals.pending.length === 0) {
      args.notApplicable("no bucket in this stack is reached by a role trusted by cognito-identity.amazonaws.com");
    }
    const attachedTo = (bucket: PolicyResource, type: string, values: (string | undefined)[]) =>
      args.resources.filter((r) => r.type === type && refersTo(r, "bucket", bucket, values, deferrals));

    for (const bucket of storage.buckets) {
      if (matchesAny(exempt, nameable(bucket, deferrals, "bucket"))) continue;
      const label = `bucket ${describe(bucket, deferrals, "bucket")}`;
      const name = knownString(bucket, "bucket", deferrals) ?? knownString(bucket, "id", deferrals);
      const arn = knownString(bucket, "arn", deferrals) ?? (name ? `arn:aws:s3:::${name}` : undefined);
      const values = [name, knownString(bucket, "id", deferrals), arn];

      const blocks = attachedTo(bucket, TYPES.publicAccessBlock, values).filter((b) => !matchesAny(exempt, nameable(b, deferrals)));
      if (blocks.length === 0) {
        reportViolation(`${label} has no BucketPublicAccessBlock: nothing stops a public ACL or bucket policy from exposing identities' folders`, bucket.urn);
      }
      for (const block of blocks) {
        const off = PUBLIC_ACCESS_FLAGS.flatMap((flag) => {
          const read = deferrals.read(`${flag} of ${block.name} (for ${label})`, () => block.props[flag] as unknown);
          return read.known && read.value !== true ? [`${flag} is ${read.value === undefined ? "unset" : JSON.stringify(read.value)}`] : [];
        });
        if (off.length > 0) reportViolation(`${label}: public access block ${block.name}: ${off.join(", ")}; all four must be true`, block.urn);
      }

      const ownership = attachedTo(bucket, TYPES.ownershipControls, values).filter((o) => !matchesAny(exempt, nameable(o, deferrals)));
      if (ownership.length === 0) {
        reportViolation(`${label} has no BucketOwnershipControls: object ACLs still apply (objectOwnership must be BucketOwnerEnforced)`, bucket.urn);
      }
      for (const controls of ownership) {
        const read = deferrals.read(`rule.objectOwnership of ${controls.name} (for ${label})`, () => (controls.props.rule as Record<string, unknown> | undefined)?.objectOwnership);
        if (read.known && read.value !== "BucketOwnerEnforced") {
          reportViolation(
            `${label}: ownership controls ${controls.name} set objectOwnership ${read.value === undefined ? "unset" : JSON.stringify(read.value)}, ` +
              "not BucketOwnerEnforced: object ACLs still grant access",
            controls.urn,
          );
        }
      }

      const policies: { holder: PolicyResource; read: DocumentRead }[] = attachedTo(bucket, TYPES.bucketPolicy, values).map((p) => ({
        holder: p,
        read: readDocument(() => p.props.policy, "resource", `bucket policy ${p.name}`),
      }));
      // aws.s3.Bucket's deprecated inline `policy` is the same bucket policy.
      const inline = readDocument(() => bucket.props.policy, "resource", `inline policy of ${label}`);
      if (inline.kind !== "absent") policies.push({ holder: bucket, read: inline });

      const statements: IamDocument["Statement"] = [];
      let unknown = false;
      for (const { holder, read } of policies) {
        if (read.kind === "unknown") {
          unknown = true;
          deferrals.defer(`the TLS-only statement of ${label} (${holder.name}: ${read.error.message})`, read.error);
        } else if (read.kind === "invalid") {
          reportViolation(`${label}: bucket policy ${holder.name} cannot be read: ${read.message}`, holder.urn);
        } else if (read.kind === "parsed") {
          statements.push(...read.doc.Statement);
        }
      }
      if (unknown) continue;
      if (arn) {
        // The same rule as the reviewer's property 7: only the identity roles reach the folders.
        const identityRoleArns = storage.roles.flatMap((r) => listOf(knownString(r.role, "arn", deferrals)));
        const ownAccounts = identityRoleArns.map((a) => a.split(":")[4] ?? "");
        const roots = folderRoots(storage.grants.flatMap((g) => (g.document.kind === "parsed" ? [g.document.doc] : [])), arn);
        statements.forEach((st, i) => {
          const others = otherPrincipalsAdmitted(st, { identityRoleArns, ownAccounts, trusted });
          if (others.length > 0 && statementReachesFolders(st, arn, roots)) {
            reportViolation(
              `${label}: bucket policy statement ${statementLabel(st, i)} lets ${others.join(", ")} reach the identity folders ` +
                `(${roots.length ? roots.map((r) => `${r}/`).join(", ") : "any key"}); only the stack's identity roles may (list deliberate partners in trustedPrincipals) [foreign-principal]`,
              policies[0]?.holder.urn ?? bucket.urn,
            );
          }
        });
      }
      if (!arn) {
        deferrals.defer(`the TLS-only statement of ${label} (its name and ARN are unknown)`);
        continue;
      }
      for (const issue of inspectBucketPolicy(statements.length > 0 ? { Statement: statements } : undefined, arn)) {
        reportViolation(`${label}: ${issue.message} [${issue.rule}]`, policies[0]?.holder.urn ?? bucket.urn);
      }
    }
    deferrals.settle();
  },
};
