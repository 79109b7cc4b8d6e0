/**
 * Which principals a resource-policy statement admits, and whether they are the reviewed
 * identity roles: the one reading of `Principal` / `NotPrincipal` the reviewer (matrix and
 * proof) and the policy pack share.
 *
 * IAM's rules, as modelled: `"*"` and `{"AWS": "*"}` admit everyone, anonymous callers
 * included. An account (`123456789012`, `arn:aws:iam::123456789012:root`) admits that account's
 * principals as far as their own identity policies allow: for another account the reviewer
 * assumes they do; for the bucket's own account an Allow only delegates to identity policies
 * (which the reviewer reads for the reviewed roles only). A role, user or session ARN admits that
 * principal. `Service` admits that AWS service; `CanonicalUser` that account's canonical user;
 * `Federated` principals never send S3 requests themselves (they assume a role first).
 */
import { listOf, type Principal, type PolicyStatement } from "./document";

export type PrincipalEntry =
  | { kind: "everyone" }
  | { kind: "account"; accountId: string }
  | { kind: "arn"; arn: string; accountId: string }
  | { kind: "service"; service: string }
  | { kind: "federated"; provider: string }
  | { kind: "canonical-user"; id: string };

const ACCOUNT = /^\d{12}$/;
const ROOT = /^arn:aws[a-z-]*:iam::(\d{12}):root$/;
const PRINCIPAL_ARN = /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):/;

/** The entries of a Principal (or NotPrincipal) element. */
export function principalEntries(p: Principal | undefined): PrincipalEntry[] {
  if (p === undefined) return [];
  if (p === "*") return [{ kind: "everyone" }];
  const out: PrincipalEntry[] = [];
  for (const [type, values] of Object.entries(p)) {
    for (const v of listOf(values)) {
      const t = type.toLowerCase();
      if (t === "aws") {
        const root = ROOT.exec(v);
        const arn = PRINCIPAL_ARN.exec(v);
        if (v === "*") out.push({ kind: "everyone" });
        else if (ACCOUNT.test(v)) out.push({ kind: "account", accountId: v });
        else if (root) out.push({ kind: "account", accountId: root[1]! });
        else out.push({ kind: "arn", arn: v, accountId: arn ? arn[1]! : "" });
      } else if (t === "service") out.push({ kind: "service", service: v.toLowerCase() });
      else if (t === "federated") out.push({ kind: "federated", provider: v });
      else if (t === "canonicaluser") out.push({ kind: "canonical-user", id: v });
    }
  }
  return out;
}

/** Who sends a request to the bucket. */
export type RequestingPrincipal =
  /** A session of a reviewed identity role (a Cognito identity of the reviewed pool). */
  | { kind: "identity-session"; roleArn: string; sessionArn: string; accountId: string }
  /** Another AWS principal: a specific one (`arn`), or any principal of an account. */
  | { kind: "aws"; accountId: string; arn?: string }
  | { kind: "anonymous" }
  | { kind: "service"; service: string }
  | { kind: "canonical-user"; id: string };

/** The role ARN a session or role ARN stands for (`…:assumed-role/name/session` → `…:role/name`). */
export function roleOfSession(arn: string): string {
  const m = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(arn);
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : arn;
}

const sameRole = (a: string, b: string) => roleOfSession(a).replace(/:role\/(?:.*\/)?([^/]+)$/, ":role/$1") === roleOfSession(b).replace(/:role\/(?:.*\/)?([^/]+)$/, ":role/$1");

/**
 * Does one entry name the principal? "delegates": the bucket's own account is named, which
 * grants nothing by itself (identity policies decide) but does apply to its principals in a Deny.
 */
export function entryMatches(e: PrincipalEntry, who: RequestingPrincipal, ownAccountId: string): "yes" | "no" | "delegates" {
  if (e.kind === "everyone") return "yes";
  switch (who.kind) {
    case "identity-session":
      if (e.kind === "account") return e.accountId === who.accountId ? "delegates" : "no";
      if (e.kind === "arn") return e.arn === who.sessionArn || sameRole(e.arn, who.roleArn) ? "yes" : "no";
      return "no";
    case "aws":
      if (e.kind === "account") return e.accountId !== who.accountId ? "no" : who.accountId === ownAccountId ? "delegates" : "yes";
      if (e.kind === "arn") return who.arn !== undefined && (e.arn === who.arn || sameRole(e.arn, who.arn)) ? "yes" : "no";
      return "no";
    case "service":
      return e.kind === "service" && e.service === who.service ? "yes" : "no";
    case "canonical-user":
      return e.kind === "canonical-user" && e.id === who.id ? "yes" : "no";
    case "anonymous":
      return "no";
  }
}

/**
 * Whether a resource-policy statement applies to the principal: for an Allow, "yes" grants by
 * itself; "delegates" grants only what the principal's identity policies also allow.
 */
export function statementAdmits(s: PolicyStatement, who: RequestingPrincipal, ownAccountId: string): "yes" | "no" | "delegates" {
  if (s.NotPrincipal !== undefined) {
    const excluded = principalEntries(s.NotPrincipal).some((e) => entryMatches(e, who, ownAccountId) !== "no");
    return excluded ? "no" : "yes";
  }
  const results = principalEntries(s.Principal).map((e) => entryMatches(e, who, ownAccountId));
  return results.includes("yes") ? "yes" : results.includes("delegates") ? "delegates" : "no";
}

/** A principal other than the reviewed identity roles, found in a bucket policy, and how to name it. */
export interface ForeignPrincipal {
  label: string;
  principal: Exclude<RequestingPrincipal, { kind: "identity-session" }>;
}

/** The account the reviewer uses for "some other account" (never one the documents name). */
export function unnamedAccount(named: string[]): string {
  for (let d = 9; d >= 1; d -= 1) {
    const id = String(d).repeat(12);
    if (!named.includes(id)) return id;
  }
  return "000000000001";
}

/**
 * The principals a bucket policy could admit besides the reviewed roles: anyone (anonymous), some
 * other account, and every account, principal ARN, service and canonical user it names, except
 * the reviewed roles themselves (`identityRoleArns`) and the bucket's own account.
 */
export function foreignPrincipals(statements: PolicyStatement[], ownAccountId: string, identityRoleArns: string[]): ForeignPrincipal[] {
  const entries = statements.flatMap((s) => [...principalEntries(s.Principal), ...principalEntries(s.NotPrincipal)]);
  const accounts = entries.flatMap((e) => (e.kind === "account" || e.kind === "arn" ? [e.accountId] : []));
  const other = unnamedAccount([ownAccountId, ...accounts]);
  const out: ForeignPrincipal[] = [
    { label: "anonymous (Principal *)", principal: { kind: "anonymous" } },
    { label: `a principal of another account (${other})`, principal: { kind: "aws", accountId: other, arn: `arn:aws:sts::${other}:assumed-role/partner/session` } },
  ];
  const seen = new Set<string>();
  const add = (key: string, f: ForeignPrincipal) => {
    if (seen.has(key)) return;
    out.push(f);
    seen.add(key);
  };
  for (const e of entries) {
    if (e.kind === "account" && e.accountId !== ownAccountId) add(`a:${e.accountId}`, { label: `account ${e.accountId}`, principal: { kind: "aws", accountId: e.accountId, arn: `arn:aws:sts::${e.accountId}:assumed-role/any/session` } });
    if (e.kind === "arn" && e.accountId && !identityRoleArns.some((r) => sameRole(r, e.arn))) add(`r:${e.arn}`, { label: e.arn, principal: { kind: "aws", accountId: e.accountId, arn: e.arn } });
    if (e.kind === "service") add(`s:${e.service}`, { label: `service ${e.service}`, principal: { kind: "service", service: e.service } });
    if (e.kind === "canonical-user") add(`c:${e.id}`, { label: `canonical user ${e.id}`, principal: { kind: "canonical-user", id: e.id } });
  }
  return out;
}

/** How a principal is written in an allow-list: an ARN, an account id, a service name, `*` as a wildcard. */
const listed = (patterns: readonly string[], value: string) => patterns.some((p) => new RegExp(`^${p.split("*").map((x) => x.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`, "i").test(value));

/** Values a condition block gives `aws:PrincipalArn` under an equality or pattern operator, if any. */
function principalArnCondition(s: PolicyStatement): string[] | undefined {
  for (const [operator, block] of Object.entries(s.Condition ?? {})) {
    if (!/^(StringEquals|StringLike|ArnEquals|ArnLike)$/i.test(operator)) continue;
    const entry = Object.entries(block).find(([k]) => k.toLowerCase() === "aws:principalarn");
    if (entry) return listOf(entry[1]);
  }
  return undefined;
}

/**
 * The principals an Allow statement of a bucket policy admits besides the identity roles, the
 * bucket's own account (which only delegates to identity policies) and the allow-listed ones,
 * as written (`*`, an account, an ARN, a service). A condition on `aws:PrincipalArn` naming only
 * identity roles (or listed principals) narrows `*` to them.
 */
export function otherPrincipalsAdmitted(s: PolicyStatement, o: { identityRoleArns: string[]; ownAccounts: string[]; trusted: readonly string[] }): string[] {
  if (s.Effect !== "Allow") return [];
  const isIdentityRole = (arn: string) => o.identityRoleArns.some((r) => sameRole(r, arn));
  const narrowed = principalArnCondition(s);
  if (narrowed && narrowed.every((v) => isIdentityRole(v) || listed(o.trusted, v))) return [];
  if (s.NotPrincipal !== undefined) return [`every principal except ${JSON.stringify(s.NotPrincipal)}`];
  return principalEntries(s.Principal).flatMap((e) => {
    const label = e.kind === "everyone" ? "*" : e.kind === "account" ? e.accountId : e.kind === "arn" ? e.arn : e.kind === "service" ? e.service : e.kind === "canonical-user" ? `canonical user ${e.id}` : "";
    if (e.kind === "federated" || (e.kind === "account" && o.ownAccounts.includes(e.accountId)) || (e.kind === "arn" && isIdentityRole(e.arn))) return [];
    const names = e.kind === "account" ? [e.accountId, `arn:aws:iam::${e.accountId}:root`] : [e.kind === "canonical-user" ? e.id : label];
    if (e.kind !== "everyone" && names.some((n) => listed(o.trusted, n))) return [];
    return [label];
  });
}

const OBJECT_PROBES = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:GetObjectVersion"];
const LIST_PROBES = ["s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads"];
const pattern = (p: string) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[\\s\\S]*").replace(/\?/g, "[\\s\\S]")}$`, "i");

/**
 * Whether a statement could reach identity folders under one of `roots` in the bucket: an object
 * action on a key under a root (any key when no root is known), or a listing of the bucket.
 * Variables are read as wildcards (what they resolve to is the caller's to choose).
 */
export function statementReachesFolders(s: PolicyStatement, bucketArn: string, roots: string[]): boolean {
  const covers = (action: string) => (s.Action !== undefined ? listOf(s.Action).some((a) => pattern(a).test(action)) : !listOf(s.NotAction).some((a) => pattern(a).test(action)));
  const resources = listOf(s.Resource).map((r) => r.replace(/\$\{[^}]*\}/g, "*"));
  const matches = (arn: string) => (s.NotResource !== undefined ? !listOf(s.NotResource).some((r) => pattern(r.replace(/\$\{[^}]*\}/g, "*")).test(arn)) : resources.some((r) => pattern(r).test(arn)));
  const keys = (roots.length ? roots : [""]).map((root) => `${bucketArn}/${root ? `${root}/` : ""}ap-northeast-1:00000000-0000-4000-8000-000000000000/x`);
  return (OBJECT_PROBES.some(covers) && keys.some(matches)) || (LIST_PROBES.some(covers) && matches(bucketArn));
}
