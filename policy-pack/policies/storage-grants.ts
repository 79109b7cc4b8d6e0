/**
 * Policy `identity-storage-grants`: what an identity role may do in a bucket. The verdict on each
 * statement is iam/inspect.ts's `inspectStorageGrants` (objects confined to
 * `<root>/${cognito-identity.amazonaws.com:sub}/…`, ListBucket confined by `s3:prefix` the same
 * way, no ACL, version-deletion or wildcard action). What this module adds is what the inspection
 * needs and a stack does not state: which roles are identity roles (see identity-storage.ts), and
 * the folder root, read from the grants themselves: the text between `<bucket ARN>/` and
 * `/${cognito-identity.amazonaws.com:sub}` wherever a grant on that bucket uses the variable.
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { listOf, type IamDocument } from "../../iam/document";
import { bucketArnsIn, folderRoots } from "../../iam/storage-layout";
import { inspectStorageGrants, type InspectionIssue } from "../../iam/inspect";
import { exemptResourcesSchema, matchesAny, patternListSchema, stringList, type ExemptionConfig } from "./config";
import { identityStorage, type GrantDocument } from "./identity-storage";
import { knownString, nameable } from "./resources";
import { PreviewDeferrals } from "./unknowns";

export const IDENTITY_STORAGE_GRANTS = "identity-storage-grants";

export interface StorageGrantsConfig extends ExemptionConfig {
  /** Identity roles that may read (never write) every identity's folder: role URNs, logical or physical names, `*` wildcards. */
  groupWideReadRoles?: string[];
}

/** Stands for the folder root when no grant on a bucket uses the identity variable at all. */
export const UNKNOWN_ROOT = "<folder root>";

/**
 * The inspection's issues for one document on one bucket. With several folder roots on the bucket
 * (two roles using different roots), a statement is wrong only if it is wrong for every root.
 */
function issuesOnBucket(doc: IamDocument, bucketArn: string, roots: string[], readAllFolders: boolean): InspectionIssue[] {
  let kept: InspectionIssue[] | undefined;
  for (const prefix of roots.length > 0 ? roots : [UNKNOWN_ROOT]) {
    const issues = inspectStorageGrants(doc, { bucketArn, prefix, readAllFolders });
    const key = (i: InspectionIssue) => `${i.rule}|${i.statement ?? ""}`;
    kept = kept === undefined ? issues : kept.filter((k) => issues.some((i) => key(i) === key(k)));
  }
  return kept ?? [];
}

const mentionsEveryResource = (doc: IamDocument) => doc.Statement.some((s) => listOf(s.Resource).includes("*"));

export const identityStorageGrants: StackValidationPolicy = {
  name: IDENTITY_STORAGE_GRANTS,
  description:
    "Every grant of a role trusted by cognito-identity.amazonaws.com confines object access and ListBucket (s3:prefix) to " +
    "the caller's own ${cognito-identity.amazonaws.com:sub} folder, and grants no ACL, version-deletion or wildcard action.",
  severity: "critical",
  remediationSteps:
    "Build grants with identityStorageGrants() from components/policy-documents.ts (IdentityScopedBucket does), or name the " +
    "role in groupWideReadRoles if it is meant to read every folder.",
  configSchema: {
    properties: {
      groupWideReadRoles: patternListSchema(
        "Identity roles allowed to read (s3:GetObject, and ListBucket under the folder root) every identity's folder: " +
          "role URNs, logical names or role names; '*' matches any run of characters.",
      ),
      exemptResources: exemptResourcesSchema,
    },
  },
  validateStack: (args, reportViolation) => {
    const config = args.getConfig<StorageGrantsConfig>();
    const exempt = stringList(config, "exemptResources", IDENTITY_STORAGE_GRANTS);
    const groupWide = stringList(config, "groupWideReadRoles", IDENTITY_STORAGE_GRANTS);
    const deferrals = new PreviewDeferrals();
    const storage = identityStorage(args.resources, deferrals);
    if (storage.roles.length === 0 && deferrals.pending.length === 0) {
      args.notApplicable("no IAM role in this stack is trusted by cognito-identity.amazonaws.com");
    }
    const isExempt = (grant: { holder: PolicyResource; role: { role: PolicyResource } }) =>
      matchesAny(exempt, nameable(grant.holder, deferrals)) || matchesAny(exempt, nameable(grant.role.role, deferrals));

    const parsed = storage.grants.flatMap((g) => (g.document.kind === "parsed" ? [g.document.doc] : []));
    const stackBucketArns = storage.buckets.flatMap((b) => {
      const arn = knownString(b, "arn", deferrals);
      const name = knownString(b, "bucket", deferrals);
      return arn ? [arn] : name ? [`arn:aws:s3:::${name}`] : [];
    });

    const judge = (grant: GrantDocument, doc: IamDocument) => {
      const readAllFolders = matchesAny(groupWide, nameable(grant.role.role, deferrals));
      // The inspection takes a concrete bucket ARN and itself decides which (wildcard) resources reach
      // it. Buckets the document names are judged as named; a bucket pattern (`files-*`, `*`), a
      // statement on every resource, or a document naming no bucket at all (NotResource, say) is
      // judged against the stack's identity storage buckets, or as written when none is known.
      const named = bucketArnsIn(doc);
      const patterns = named.filter((a) => /[*?]/.test(a));
      const arns = new Set(named.filter((a) => !patterns.includes(a)));
      if (patterns.length > 0 || arns.size === 0 || mentionsEveryResource(doc)) {
        const fallback = stackBucketArns.length > 0 ? stackBucketArns : patterns.length > 0 ? patterns : ["arn:aws:s3:::*"];
        for (const a of fallback) arns.add(a);
      }
      const seen = new Set<string>();
      for (const bucketArn of arns) {
        const roots = folderRoots(parsed, bucketArn);
        if (roots.includes("")) {
          reportViolation(
            `${grant.label} (granted to ${grant.role.label}): identity folders at the root of ${bucketArn} ` +
              "(`${cognito-identity.amazonaws.com:sub}/…` without a folder root) cannot be judged: the shared inspection needs a folder root",
            grant.holder.urn,
          );
          continue;
        }
        for (const issue of issuesOnBucket(doc, bucketArn, roots, readAllFolders)) {
          const text = `${issue.statement ? `statement ${issue.statement}` : "document"}: ${issue.message} [${issue.rule}]`;
          if (seen.has(text)) continue;
          seen.add(text);
          reportViolation(`${grant.label} (granted to ${grant.role.label}): ${text}`, grant.holder.urn);
        }
      }
    };

    for (const grant of storage.grants) {
      if (isExempt(grant)) continue;
      switch (grant.document.kind) {
        case "unknown":
          deferrals.defer(`the grants in ${grant.label} of ${grant.role.label} (${grant.document.error.message})`, grant.document.error);
          break;
        case "invalid":
          reportViolation(`${grant.label} (granted to ${grant.role.label}) cannot be read: ${grant.document.message}`, grant.holder.urn);
          break;
        case "parsed":
          judge(grant, grant.document.doc);
          break;
        case "absent":
          break;
      }
    }
    for (const u of storage.unreadable) {
      const subject = { urn: u.holder.urn, name: u.holder.name, physicalName: u.policyArn };
      if (matchesAny(exempt, subject) || matchesAny(exempt, nameable(u.role.role, deferrals))) continue;
      reportViolation(
        `${u.role.label} has ${u.policyArn} attached (through ${u.holder.name}), a policy this stack does not define: ` +
          "its grants to identity-pool users cannot be checked [unreadable-policy]",
        u.holder.urn,
      );
    }
    deferrals.settle();
  },
};
