/**
 * Structural checks of the documents themselves, independent of any evaluator: what a reviewer
 * (and the CrossGuard policy pack) can say by reading a statement. The simulation matrix proves
 * behaviour on concrete requests; these name the statement that is wrong even where no scenario
 * happens to hit it (a wildcard action, a missing `aud`).
 */
import { AMR_CONDITION_KEY as AMR, AUD_CONDITION_KEY as AUD, COGNITO_IDENTITY_PRINCIPAL, IDENTITY_ID_VARIABLE } from "./cognito";
import { listOf, statementLabel, type IamDocument, type PolicyStatement } from "./document";

export type InspectionRule =
  | "trust-missing-aud"
  | "trust-wrong-aud"
  | "trust-missing-amr"
  | "trust-wrong-principal"
  | "wildcard-action"
  | "acl-action"
  | "version-deletion-action"
  | "not-action-or-resource"
  | "object-not-confined"
  | "list-not-confined"
  | "bucket-missing-tls-deny";

export interface InspectionIssue {
  rule: InspectionRule;
  /** Which statement (Sid or #index); absent for a whole-document issue. */
  statement?: string;
  message: string;
}


/** Condition values for `key` under `operator`, with IAM's case-insensitive key matching. */
function conditionValues(s: PolicyStatement, operator: string, key: string): string[] | undefined {
  const block = Object.entries(s.Condition ?? {}).find(([op]) => op === operator)?.[1];
  if (!block) return undefined;
  const entry = Object.entries(block).find(([k]) => k.toLowerCase() === key.toLowerCase());
  return entry ? listOf(entry[1]) : undefined;
}

const federatedPrincipals = (s: PolicyStatement): string[] =>
  s.Principal && s.Principal !== "*" ? listOf(s.Principal.Federated) : [];

/**
 * A role trust must let only this identity pool's authenticated identities in: every Allow
 * statement for AssumeRoleWithWebIdentity needs `StringEquals aud = <pool>` and
 * `ForAnyValue:StringLike amr = authenticated`, and nothing else may be trusted.
 */
export function inspectTrustPolicy(doc: IamDocument, identityPoolId?: string): InspectionIssue[] {
  const issues: InspectionIssue[] = [];
  doc.Statement.forEach((s, i) => {
    if (s.Effect !== "Allow") return;
    const at = statementLabel(s, i);
    const federated = federatedPrincipals(s);
    const onlyCognito = s.Principal !== "*" && federated.length > 0 && federated.every((p) => p === COGNITO_IDENTITY_PRINCIPAL) &&
      Object.keys(s.Principal ?? {}).every((k) => k === "Federated");
    if (!onlyCognito || s.NotPrincipal) {
      issues.push({ rule: "trust-wrong-principal", statement: at, message: "trusts a principal other than cognito-identity.amazonaws.com (Federated)" });
      return;
    }
    const aud = conditionValues(s, "StringEquals", AUD);
    if (!aud || aud.length === 0) {
      issues.push({ rule: "trust-missing-aud", statement: at, message: `lacks StringEquals ${AUD}: any identity pool could obtain this role` });
    } else if (aud.some((v) => /[*?]/.test(v) || (identityPoolId !== undefined && v !== identityPoolId))) {
      issues.push({ rule: "trust-wrong-aud", statement: at, message: `${AUD} is ${JSON.stringify(aud)}, not this identity pool${identityPoolId ? ` (${identityPoolId})` : ""}` });
    }
    const amr = conditionValues(s, "ForAnyValue:StringLike", AMR) ?? conditionValues(s, "ForAnyValue:StringEquals", AMR);
    if (!amr || amr.length !== 1 || amr[0] !== "authenticated") {
      issues.push({ rule: "trust-missing-amr", statement: at, message: `lacks ForAnyValue:StringLike ${AMR} = "authenticated": unauthenticated identities could obtain this role` });
    }
  });
  return issues;
}

/** An IAM resource pattern as a regular expression: `*` any run of characters, `?` any one. */
function iamPattern(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[\\s\\S]*").replace(/\?/g, "[\\s\\S]")}$`);
}

const ACL = /acl$/i;
const VERSION_DELETION = /^s3:DeleteObjectVersion/i;
const OBJECT_READ_ACTIONS = new Set(["s3:getobject"]);

export interface GrantInspectionOptions {
  /** Bucket ARN the grants are about; statements on other resources are left alone. */
  bucketArn: string;
  prefix: string;
  /** The role is meant to read every folder (read-only). */
  readAllFolders?: boolean;
}

/**
 * A grant on the storage bucket must confine objects to `<prefix>/${sub}/…`, listing to
 * `s3:prefix` values inside that folder, and grant no ACL, version-deletion or wildcard action.
 */
export function inspectStorageGrants(doc: IamDocument, options: GrantInspectionOptions): InspectionIssue[] {
  const issues: InspectionIssue[] = [];
  // An empty prefix puts the folders at the bucket root.
  const ownFolder = options.prefix === "" ? `${IDENTITY_ID_VARIABLE}/` : `${options.prefix}/${IDENTITY_ID_VARIABLE}/`;
  const allFolders = options.prefix === "" ? "" : `${options.prefix}/`;
  doc.Statement.forEach((s, i) => {
    if (s.Effect !== "Allow") return;
    const at = statementLabel(s, i);
    const actions = listOf(s.Action);
    if (s.NotAction || s.NotResource) {
      issues.push({ rule: "not-action-or-resource", statement: at, message: "Allow with NotAction/NotResource grants everything not listed" });
      return;
    }
    const s3Actions = actions.filter((a) => /^(s3:|\*)/i.test(a));
    for (const a of s3Actions) {
      if (/[*?]/.test(a)) issues.push({ rule: "wildcard-action", statement: at, message: `grants the wildcard action ${a}` });
      else if (ACL.test(a)) issues.push({ rule: "acl-action", statement: at, message: `grants the ACL action ${a}` });
      else if (VERSION_DELETION.test(a)) issues.push({ rule: "version-deletion-action", statement: at, message: `grants ${a}, which deletes history` });
    }
    const resources = listOf(s.Resource);
    // A resource concerns this bucket's objects when, read as an IAM pattern (* and ? match
    // anything, '/' included), it could match an object ARN of this bucket.
    const probe = `${options.bucketArn}/\u0000`;
    const objectResources = resources.filter((r) => r.startsWith(`${options.bucketArn}/`) || iamPattern(r).test(probe));
    const objectActions = s3Actions.filter((a) => !/^s3:List(Bucket|AllMyBuckets)/i.test(a));
    for (const r of objectActions.length > 0 ? objectResources : []) {
      const key = r.startsWith(`${options.bucketArn}/`) ? r.slice(options.bucketArn.length + 1) : r;
      // Confined: the folder is spelled out literally, with no wildcard before it.
      const confined = r.startsWith(`${options.bucketArn}/`) && key.startsWith(ownFolder);
      const readAll = options.readAllFolders && key.startsWith(allFolders) && objectActions.every((a) => OBJECT_READ_ACTIONS.has(a.toLowerCase()));
      if (!confined && !readAll) {
        issues.push({ rule: "object-not-confined", statement: at, message: `object access on ${r} is not confined to ${ownFolder}…` });
      }
    }
    const lists = actions.filter((a) => /^s3:ListBucket(Versions|MultipartUploads)?$/i.test(a) || /^(s3:)?\*$|^s3:List\*$/i.test(a));
    const onBucket = resources.some((r) => iamPattern(r).test(options.bucketArn));
    if (lists.length > 0 && onBucket) {
      const values = [...(conditionValues(s, "StringLike", "s3:prefix") ?? []), ...(conditionValues(s, "StringEquals", "s3:prefix") ?? [])];
      const otherOperators = Object.keys(s.Condition ?? {}).filter((op) => op !== "StringLike" && op !== "StringEquals");
      const inside = (v: string) => v.startsWith(ownFolder) || (options.readAllFolders === true && v.startsWith(allFolders));
      if (values.length === 0 || !values.every(inside) || otherOperators.some((op) => op.includes("IfExists"))) {
        issues.push({
          rule: "list-not-confined",
          statement: at,
          message: `${lists.join(", ")} is not confined by s3:prefix to ${ownFolder}… (${values.length ? `allows ${JSON.stringify(values)}` : "no s3:prefix condition"}): it can reveal other identities' key names`,
        });
      }
    }
  });
  return issues;
}

/** The bucket policy must deny every request made without TLS. */
export function inspectBucketPolicy(doc: IamDocument | undefined, bucketArn: string): InspectionIssue[] {
  const deniesInsecure = (doc?.Statement ?? []).some((s) => {
    const values = conditionValues(s, "Bool", "aws:SecureTransport") ?? conditionValues(s, "BoolIfExists", "aws:SecureTransport");
    const actions = listOf(s.Action);
    const resources = listOf(s.Resource);
    return (
      s.Effect === "Deny" &&
      (s.Principal === "*" || listOf((s.Principal as Record<string, string | string[]> | undefined)?.AWS).includes("*")) &&
      (actions.includes("s3:*") || actions.includes("*")) &&
      resources.includes(bucketArn) &&
      resources.includes(`${bucketArn}/*`) &&
      values?.length === 1 &&
      values[0] === "false"
    );
  });
  return deniesInsecure ? [] : [{ rule: "bucket-missing-tls-deny", message: `no statement denies s3:* on ${bucketArn} and its objects when aws:SecureTransport is false` }];
}
