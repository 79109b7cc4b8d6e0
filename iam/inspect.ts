/**
 * Structural checks of the documents themselves, independent of any evaluator: what a reviewer
 * (and the CrossGuard policy pack) can say by reading a statement. The simulation matrix proves
 * behaviour on concrete requests; these name the statement that is wrong even where no scenario
 * happens to hit it (a wildcard action, a missing `aud`).
 */
import { AMR_CONDITION_KEY as AMR, AUD_CONDITION_KEY as AUD, COGNITO_IDENTITY_PRINCIPAL, IDENTITY_ID_VARIABLE } from "./cognito";
import { canonicalIdentityVariable, conditionsOn, isMatching, requiresKey, type KeyCondition } from "./conditions";
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
 * statement for AssumeRoleWithWebIdentity needs `aud = <pool>` (StringEquals, or StringLike
 * without a wildcard, which is the same exact match) and `ForAnyValue:StringLike amr =
 * authenticated`, and nothing else may be trusted. Another federated provider beside Cognito
 * admits nobody when the statement requires a Cognito key: that provider's tokens carry
 * `<provider>:aud`, never `cognito-identity.amazonaws.com:aud`, and a positive operator on a
 * missing key fails.
 */
export function inspectTrustPolicy(doc: IamDocument, identityPoolId?: string): InspectionIssue[] {
  const issues: InspectionIssue[] = [];
  doc.Statement.forEach((s, i) => {
    if (s.Effect !== "Allow") return;
    const at = statementLabel(s, i);
    const federated = federatedPrincipals(s);
    const cognitoOnly = federated.every((p) => p === COGNITO_IDENTITY_PRINCIPAL);
    const requiresCognitoKey = requiresKey(s, AUD) || requiresKey(s, AMR);
    const principalOk = s.Principal !== "*" && !s.NotPrincipal && federated.includes(COGNITO_IDENTITY_PRINCIPAL) &&
      Object.keys(s.Principal ?? {}).every((k) => k === "Federated") && (cognitoOnly || requiresCognitoKey);
    if (!principalOk) {
      issues.push({ rule: "trust-wrong-principal", statement: at, message: `trusts a principal other than cognito-identity.amazonaws.com (Federated)${cognitoOnly ? "" : " without requiring a Cognito condition key"}` });
      return;
    }
    // Only Cognito's tokens get this far, and they always carry aud: any matching operator on it restricts.
    const audConditions = conditionsOn(s, AUD).filter(isMatching);
    // A wildcard names no one pool (under StringEquals it is literal text, which no pool id is).
    const exactlyThisPool = (c: KeyCondition) => c.values.length > 0 && c.values.every((v) => !/[*?]/.test(v) && (identityPoolId === undefined || v === identityPoolId));
    if (audConditions.length === 0) {
      issues.push({ rule: "trust-missing-aud", statement: at, message: `lacks StringEquals ${AUD}: any identity pool could obtain this role` });
    } else if (!audConditions.some(exactlyThisPool)) {
      const aud = audConditions.flatMap((c) => c.values);
      issues.push({ rule: "trust-wrong-aud", statement: at, message: `${AUD} is ${JSON.stringify(aud)}, not this identity pool${identityPoolId ? ` (${identityPoolId})` : ""}` });
    }
    const amr = conditionValues(s, "ForAnyValue:StringLike", AMR) ?? conditionValues(s, "ForAnyValue:StringEquals", AMR);
    if (!amr || amr.length !== 1 || amr[0] !== "authenticated") {
      issues.push({ rule: "trust-missing-amr", statement: at, message: `lacks ForAnyValue:StringLike ${AMR} = "authenticated": unauthenticated identities could obtain this role` });
    }
  });
  return issues;
}

/** An IAM pattern as a regular expression: `*` any run of characters, `?` any one. */
function iamPattern(pattern: string, flags = ""): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[\\s\\S]*").replace(/\?/g, "[\\s\\S]")}$`, flags);
}

const ACL = /acl$/i;
const VERSION_DELETION = /^s3:DeleteObjectVersion/i;
const OBJECT_READ_ACTIONS = new Set(["s3:getobject"]);
const LISTS_WITH_PREFIX = /^s3:ListBucket(Versions)?$/i;
/** Lists in-progress uploads; IAM gives it no s3:prefix key, so no s3:prefix condition confines it. */
const LISTS_UPLOADS = /^s3:ListBucketMultipartUploads$/i;

export interface GrantInspectionOptions {
  /** Bucket ARN the grants are about; statements on other resources are left alone. */
  bucketArn: string;
  prefix: string;
  /** The role is meant to read every folder (read-only). */
  readAllFolders?: boolean;
  /** Deny statements of every policy the role has (IAM applies them all); default: those of the document. */
  denies?: PolicyStatement[];
}

/** Does one of the action patterns cover `action` (itself possibly a pattern such as `s3:Get*`)? */
const covers = (patterns: string[], action: string) => patterns.some((p) => iamPattern(p, "i").test(action));

/**
 * The actions of `actions` on the bucket's objects that some Deny confines to the own folder:
 * a Deny without conditions whose NotResource leaves only objects inside the folder.
 */
function objectsConfinedByDeny(denies: PolicyStatement[], actions: string[], bucketArn: string, ownFolder: string): boolean {
  const probe = `${bucketArn}/\u0000`;
  return denies.some((d) => {
    if (d.Condition || d.NotAction || !d.NotResource || !actions.every((a) => covers(listOf(d.Action), a))) return false;
    const spared = listOf(d.NotResource).map(canonicalIdentityVariable).filter((r) => r.startsWith(`${bucketArn}/`) || iamPattern(r).test(probe));
    return spared.every((r) => r.startsWith(`${bucketArn}/${ownFolder}`));
  });
}

/**
 * Why a statement allowing `lists` on the bucket may reveal names outside the own folder, or
 * undefined when it cannot. A listing is confined when the statement holds only with an
 * s3:prefix present (a positive or ForAnyValue: operator, or Null false: IfExists and
 * ForAllValues: hold without one, and a listing without a prefix returns every key) and one
 * matching operator allows only prefixes inside the folder; or when a Deny refuses every other
 * prefix (StringNotLike/StringNotEquals, which also holds when the prefix is absent).
 */
function listingLeak(s: PolicyStatement, lists: string[], ownFolder: string, inside: (v: string) => boolean, denies: PolicyStatement[], bucketArn: string): string | undefined {
  const prefixConditions = conditionsOn(s, "s3:prefix");
  const present = requiresKey(s, "s3:prefix");
  const uploads = lists.filter((a) => LISTS_UPLOADS.test(a));
  // Without an s3:prefix key in its requests, a statement that needs one never allows the upload listing.
  if (uploads.length && !present) {
    return `${uploads.join(", ")} has no s3:prefix key, so no s3:prefix condition can confine it: it lists every identity's in-progress uploads`;
  }
  const withPrefix = lists.filter((a) => !LISTS_UPLOADS.test(a));
  if (withPrefix.length === 0) return undefined;
  const denied = denies.some(
    (d) =>
      withPrefix.every((a) => covers(listOf(d.Action), a)) && listOf(d.Resource).some((r) => iamPattern(r).test(bucketArn)) &&
      Object.keys(d.Condition ?? {}).length === 1 &&
      conditionsOn(d, "s3:prefix").some((c) => c.parsed.negated && !c.parsed.set && !c.parsed.ifExists && /^String/i.test(c.parsed.base) && c.values.map(canonicalIdentityVariable).every(inside)),
  );
  if (denied) return undefined;
  const what = `${withPrefix.join(", ")} is not confined by s3:prefix to ${ownFolder}…`;
  if (prefixConditions.length === 0) return `${what} (no s3:prefix condition): it can reveal other identities' key names`;
  if (!present) return `${what}: ${prefixConditions.map((c) => c.operator).join(", ")} also holds when the request has no s3:prefix, and a listing without one returns every key`;
  const confining = prefixConditions.filter(isMatching);
  if (confining.some((c) => c.values.map(canonicalIdentityVariable).every(inside))) return undefined;
  return `${what} (allows ${JSON.stringify(confining.flatMap((c) => c.values))}): it can reveal other identities' key names`;
}

/**
 * A grant on the storage bucket must confine objects to `<prefix>/${sub}/…`, listing to
 * `s3:prefix` values inside that folder, and grant no ACL, version-deletion or wildcard action.
 * A broad Allow narrowed by a Deny is judged as narrowed.
 */
export function inspectStorageGrants(doc: IamDocument, options: GrantInspectionOptions): InspectionIssue[] {
  const issues: InspectionIssue[] = [];
  // An empty prefix puts the folders at the bucket root.
  const ownFolder = options.prefix === "" ? `${IDENTITY_ID_VARIABLE}/` : `${options.prefix}/${IDENTITY_ID_VARIABLE}/`;
  const allFolders = options.prefix === "" ? "" : `${options.prefix}/`;
  const denies = options.denies ?? doc.Statement.filter((s) => s.Effect === "Deny");
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
    const resources = listOf(s.Resource).map(canonicalIdentityVariable);
    // A resource concerns this bucket's objects when, read as an IAM pattern (* and ? match
    // anything, '/' included), it could match an object ARN of this bucket.
    const probe = `${options.bucketArn}/\u0000`;
    const objectResources = resources.filter((r) => r.startsWith(`${options.bucketArn}/`) || iamPattern(r).test(probe));
    const objectActions = s3Actions.filter((a) => !/^s3:List(Bucket|AllMyBuckets)/i.test(a));
    const narrowed = objectActions.length > 0 && objectsConfinedByDeny(denies, objectActions, options.bucketArn, ownFolder);
    for (const r of objectActions.length > 0 && !narrowed ? objectResources : []) {
      const key = r.startsWith(`${options.bucketArn}/`) ? r.slice(options.bucketArn.length + 1) : r;
      // Confined: the folder is spelled out literally, with no wildcard before it.
      const confined = r.startsWith(`${options.bucketArn}/`) && key.startsWith(ownFolder);
      const readAll = options.readAllFolders && key.startsWith(allFolders) && objectActions.every((a) => OBJECT_READ_ACTIONS.has(a.toLowerCase()));
      if (!confined && !readAll) {
        issues.push({ rule: "object-not-confined", statement: at, message: `object access on ${r} is not confined to ${ownFolder}…` });
      }
    }
    const lists = actions.filter((a) => LISTS_WITH_PREFIX.test(a) || LISTS_UPLOADS.test(a) || /^(s3:)?\*$|^s3:List\*$/i.test(a));
    const onBucket = resources.some((r) => iamPattern(r).test(options.bucketArn));
    if (lists.length > 0 && onBucket) {
      // A wildcard action grants every listing action: the upload listing as well.
      const named = lists.flatMap((a) => (/\*/.test(a) ? ["s3:ListBucket", "s3:ListBucketMultipartUploads"] : [a]));
      const inside = (v: string) => v.startsWith(ownFolder) || (options.readAllFolders === true && v.startsWith(allFolders));
      const leak = listingLeak(s, [...new Set(named)], ownFolder, inside, denies, options.bucketArn);
      if (leak) issues.push({ rule: "list-not-confined", statement: at, message: leak });
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
