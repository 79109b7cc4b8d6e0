/**
 * Grants outside S3 in an identity role's policies. Some reach other identities: Cognito Sync
 * on more than the caller's own datasets (`…/identity/${cognito-identity.amazonaws.com:sub}/…`),
 * and the identity pool's administrative APIs (ListIdentities enumerates every id,
 * DeleteIdentities removes them, GetOpenIdTokenForDeveloperIdentity mints another identity's
 * token where a developer provider exists, pool and role settings change everyone's access).
 * Those are findings; any other non-S3 grant is a warning (it is outside what is modelled).
 */
import { IDENTITY_ID_KEY } from "./cognito";
import { listOf, statementLabel, type IamDocument, type PolicyStatement } from "./document";

/** cognito-identity actions that reach other identities or the pool's settings. */
export const IDENTITY_POOL_ADMIN_ACTIONS: readonly string[] = [
  "cognito-identity:ListIdentities",
  "cognito-identity:DeleteIdentities",
  "cognito-identity:DescribeIdentity",
  "cognito-identity:GetOpenIdTokenForDeveloperIdentity",
  "cognito-identity:LookupDeveloperIdentity",
  "cognito-identity:MergeDeveloperIdentities",
  "cognito-identity:UnlinkDeveloperIdentity",
  "cognito-identity:SetIdentityPoolRoles",
  "cognito-identity:SetPrincipalTagAttributeMap",
  "cognito-identity:UpdateIdentityPool",
  "cognito-identity:DeleteIdentityPool",
];
/** What every identity may call without any permission (the public identity-pool APIs). */
const PUBLIC_IDENTITY_ACTIONS = ["cognito-identity:GetId", "cognito-identity:GetCredentialsForIdentity", "cognito-identity:GetOpenIdToken", "cognito-identity:UnlinkIdentity"];
/** A Cognito Sync action stands for all of them: each works on identities' datasets. */
const SYNC_ACTION = "cognito-sync:ListRecords";
/** An action of some other service, to see whether a wildcard reaches beyond S3 and Cognito. */
const OTHER_SERVICE_ACTION = "other-service:AnyAction";

export interface NonS3Grant {
  statement: string;
  actions: string[];
  severity: "finding" | "warning";
  message: string;
}

const glob = (pattern: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
const covers = (s: PolicyStatement, action: string) => (s.Action !== undefined ? listOf(s.Action).some((p) => glob(p).test(action)) : !listOf(s.NotAction).some((p) => glob(p).test(action)));

/** The Sync grant stays within the caller's own identity: its resources name `identity/${sub}` before any wildcard. */
function syncConfinedToCaller(s: PolicyStatement): boolean {
  if (s.Resource === undefined) return false;
  const own = new RegExp(`^arn:aws[a-z-]*:cognito-sync:[^:*]*:[^:*]*:identitypool/[^*]+/identity/\\$\\{${IDENTITY_ID_KEY.replace(/[.:-]/g, "\\$&")}(\\s*,[^}]*)?\\}/`, "i");
  return listOf(s.Resource).every((r) => own.test(r));
}

/** KMS use by S3 on the caller's behalf, confined to its own folder by the encryption context (this project's SSE-KMS grants). */
function kmsViaS3ForOwnFolder(s: PolicyStatement): boolean {
  const actions = listOf(s.Action);
  const context = Object.values(s.Condition ?? {}).flatMap((block) => Object.entries(block)).find(([k]) => k.toLowerCase() === "kms:encryptioncontext:aws:s3:arn");
  return actions.length > 0 && actions.every((a) => /^kms:(Decrypt|GenerateDataKey)$/i.test(a)) && !!context && listOf(context[1]).every((v) => v.includes(`\${${IDENTITY_ID_KEY}}/`));
}

export function inspectNonS3Grants(doc: IamDocument, _options: { identityPoolId?: string } = {}): NonS3Grant[] {
  const out: NonS3Grant[] = [];
  doc.Statement.forEach((s, i) => {
    if (s.Effect !== "Allow") return;
    const at = statementLabel(s, i);
    const admin = IDENTITY_POOL_ADMIN_ACTIONS.filter((a) => covers(s, a));
    if (admin.length) out.push({ statement: at, actions: admin, severity: "finding", message: `grants ${admin.join(", ")}: identity-pool administration reaches every identity (enumerate, delete, mint tokens for, or re-map them)` });
    if (covers(s, SYNC_ACTION) && !syncConfinedToCaller(s)) {
      out.push({ statement: at, actions: listOf(s.Action ?? s.NotAction), severity: "finding", message: "grants Cognito Sync beyond the caller's own identity (…/identity/${cognito-identity.amazonaws.com:sub}/…): every identity's datasets" });
    } else if (covers(s, SYNC_ACTION)) {
      out.push({ statement: at, actions: listOf(s.Action ?? s.NotAction), severity: "warning", message: "grants Cognito Sync on the caller's own datasets: not modelled by this review" });
    }
    const others = listOf(s.Action).filter((a) => !/^(s3|cognito-identity|cognito-sync):/i.test(a) && a !== "*" && !/^s3:?\*?$/i.test(a));
    const otherCovered = s.NotAction !== undefined || listOf(s.Action).some((a) => a === "*") ? covers(s, OTHER_SERVICE_ACTION) : others.length > 0;
    const nonPublicIdentity = listOf(s.Action).filter((a) => /^cognito-identity:/i.test(a) && !PUBLIC_IDENTITY_ACTIONS.some((p) => glob(a).test(p) && !/[*?]/.test(a)) && !admin.some((x) => glob(a).test(x) && !/[*?]/.test(a)));
    if (otherCovered && !kmsViaS3ForOwnFolder(s)) {
      out.push({ statement: at, actions: others.length ? others : listOf(s.Action ?? s.NotAction), severity: "warning", message: `grants actions outside S3 (${(others.length ? others : ["everything not listed"]).join(", ")}), which this review does not model` });
    } else if (nonPublicIdentity.length && !admin.length) {
      out.push({ statement: at, actions: nonPublicIdentity, severity: "warning", message: `grants ${nonPublicIdentity.join(", ")}, which this review does not model` });
    }
  });
  return out;
}
