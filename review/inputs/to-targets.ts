/**
 * The input model → review targets: one per storage bucket the identity roles reach. The bucket,
 * the folder root (prefix) and the identity pool come from the inputs where they determine them,
 * from flags otherwise, and from a placeholder when neither does (a name generated at deploy
 * time); each target says which. A flag that contradicts the inputs is an error, and a flag is
 * asked for only when the inputs leave the fact open.
 */
import { IDENTITY_POOL_ID, isBucketName, ROLE_ARN } from "../../contract/aws-ids";
import { AUD_CONDITION_KEY } from "../../iam/cognito";
import { listOf, PolicyInputError, type IamDocument } from "../../iam/document";
import { inspectMappingRules } from "../../iam/role-mapping";
import { checkIdentityPolicySizes, checkResourcePolicySize, policySize } from "../../iam/size-limits";
import { bucketArnsIn, bucketNameOfArn, folderRoots } from "../../iam/storage-layout";
import { MOCK_ACCOUNT_ID } from "../../synth/mocks";
import type { AbsentDocument, Provenance, ReviewTarget, RoleMappingUnderReview, RoleUnderReview } from "../review-target";
import { PLACEHOLDER_REGION } from "./cloudformation";
import { findIdentityRoles, namedPolicy, Supplies, type IdentityRole, type SuppliedDocument } from "./identity-roles";
import { defaultIntent, type SharedFolder } from "../intent";
import { checkFolderRoot } from "../targets";
import type { InputModel } from "./model";
import { replacePlaceholder } from "./placeholders";

export interface TargetFlags {
  bucket?: string;
  prefix?: string;
  identityPoolId?: string;
  readAllFolders?: boolean;
  /** What the owner is meant to have (default: the intent's DEFAULT_OWNER_ACTIONS). */
  ownerActions?: readonly string[];
  sharedFolders?: readonly SharedFolder[];
  supplied: SuppliedDocument[];
  /** The condition branch these inputs were read for ("IsProd=true, UseKms=false"). */
  variant?: string;
}

const where = (s: { file: string; line?: number; resource: string }) => `${s.resource} (${s.file}${s.line !== undefined ? `:${s.line}` : ""})`;

/** `aud` values an identity-pool trust names literally (no wildcard). */
function audiences(doc: IamDocument): string[] {
  return doc.Statement.flatMap((s) =>
    Object.entries(s.Condition ?? {}).flatMap(([op, keys]) =>
      /^(ForAnyValue:)?String(Equals|Like)$/.test(op) ? Object.entries(keys).filter(([k]) => k.toLowerCase() === AUD_CONDITION_KEY).flatMap(([, v]) => listOf(v)) : [],
    ),
  ).filter((v) => !/[*?]/.test(v));
}

function identityPool(model: InputModel, roles: IdentityRole[], flag: string | undefined): { id: string; provenance: Provenance } {
  if (flag !== undefined && !IDENTITY_POOL_ID.test(flag)) throw new PolicyInputError(`--identity-pool-id ${JSON.stringify(flag)} is not <region>:<uuid>`);
  const pools = model.identityPools;
  if (flag !== undefined) {
    const open = pools.length === 1 && pools[0]!.placeholder ? pools[0]! : undefined;
    if (open) replacePlaceholder(model, open.id, flag);
    return { id: flag, provenance: { from: "flag", detail: open ? `--identity-pool-id, the id of ${where(open.source)}` : "--identity-pool-id" } };
  }
  if (pools.length > 1) throw new PolicyInputError(`the inputs define ${pools.length} identity pools (${pools.map((p) => p.source.resource).join(", ")}): give --identity-pool-id`);
  if (pools.length === 1) {
    const p = pools[0]!;
    return { id: p.id, provenance: p.placeholder ? { from: "placeholder", detail: `stands for the id ${where(p.source)} gets at deploy time (--identity-pool-id sets it)` } : { from: "file", detail: `the id of ${where(p.source)}` } };
  }
  const auds = [...new Set(roles.flatMap((r) => (r.trustPolicy ? audiences(r.trustPolicy.document) : [])))].filter((a) => IDENTITY_POOL_ID.test(a));
  if (auds.length > 1) throw new PolicyInputError(`the roles trust ${auds.length} identity pools (${auds.join(", ")}): give --identity-pool-id`);
  if (auds.length === 1) return { id: auds[0]!, provenance: { from: "file", detail: `the ${AUD_CONDITION_KEY} condition of the roles' trust` } };
  return { id: `${PLACEHOLDER_REGION}:00000000-0000-4000-8000-0000000000aa`, provenance: { from: "placeholder", detail: "the inputs name no identity pool (--identity-pool-id sets it)" } };
}

function buckets(model: InputModel, docs: IamDocument[], flag: string | undefined): { name: string; provenance: Provenance }[] {
  const named = [...new Set(docs.flatMap(bucketArnsIn).map((a) => bucketNameOfArn(a)!).filter((n) => !/[*?]/.test(n)))];
  const storage = named.filter((n) => folderRoots(docs, `arn:aws:s3:::${n}`).length > 0);
  let candidates = storage.length > 0 ? storage : named;
  if (candidates.length === 0) candidates = model.buckets.map((b) => b.name);
  const resource = (name: string) => model.buckets.find((b) => b.name === name);
  const open = (name: string) => resource(name)?.placeholder === true || model.placeholders.has(name) || !isBucketName(name);
  if (flag !== undefined) {
    if (!isBucketName(flag)) throw new PolicyInputError(`--bucket ${JSON.stringify(flag)} is not an S3 bucket name`);
    if (candidates.includes(flag) || candidates.length === 0) return [{ name: flag, provenance: { from: "flag", detail: "--bucket" } }];
    if (candidates.length === 1 && open(candidates[0]!)) {
      const was = candidates[0]!;
      replacePlaceholder(model, was, flag);
      return [{ name: flag, provenance: { from: "flag", detail: `--bucket, the name of ${resource(flag)?.source.resource ?? was}` } }];
    }
    throw new PolicyInputError(`--bucket ${flag}: the identity roles reach ${candidates.join(", ")}, not ${flag}`);
  }
  if (candidates.length === 0) throw new PolicyInputError("the identity roles' policies name no S3 bucket: give --bucket");
  return candidates.map((name) => {
    if (!isBucketName(name)) throw new PolicyInputError(`bucket name ${JSON.stringify(name)} in the inputs is not an S3 bucket name (an unresolved variable?): give --bucket`);
    const r = resource(name);
    const meaning = model.placeholders.get(name);
    if (meaning) return { name, provenance: { from: "placeholder", detail: `stands for ${meaning} (--bucket sets it)` } };
    return { name, provenance: { from: "file", detail: r ? `the name of ${where(r.source)}` : "named by the identity roles' policies" } };
  });
}

function prefixOf(docs: IamDocument[], bucket: string, flag: string | undefined): { prefix: string; provenance: Provenance } {
  const roots = folderRoots(docs, `arn:aws:s3:::${bucket}`);
  const shown = roots.map((r) => JSON.stringify(r)).join(", ");
  let out: { prefix: string; provenance: Provenance };
  if (flag !== undefined) {
    if (roots.length > 0 && !roots.includes(flag)) throw new PolicyInputError(`--prefix ${JSON.stringify(flag)}: the grants on ${bucket} use the folder root(s) ${shown}`);
    out = { prefix: flag, provenance: roots.length === 1 ? { from: "file", detail: "the ${cognito-identity.amazonaws.com:sub} folders of the grants (and --prefix)" } : { from: "flag", detail: roots.length ? `--prefix, one of ${shown}` : "--prefix" } };
  } else if (roots.length === 1) {
    out = { prefix: roots[0]!, provenance: { from: "file", detail: "the ${cognito-identity.amazonaws.com:sub} folders of the grants" } };
  } else if (roots.length === 0) {
    throw new PolicyInputError(`no grant on ${bucket} uses a <root>/\${cognito-identity.amazonaws.com:sub}/ folder: give --prefix`);
  } else {
    throw new PolicyInputError(`the grants on ${bucket} use several folder roots (${shown}): give --prefix to say which holds the private folders`);
  }
  checkFolderRoot(out.prefix, `folder root on ${bucket}`);
  return out;
}

function roleMapping(model: InputModel, poolId: string): { mapping?: RoleMappingUnderReview; issues: ReviewTargetIssues } {
  const attachment = model.roleAttachments.find((a) => a.identityPoolId === poolId) ?? (model.roleAttachments.length === 1 ? model.roleAttachments[0] : undefined);
  if (!attachment) return { issues: [] };
  const m = attachment.mappings[0] ?? { type: "Token" as const, ambiguousRoleResolution: "AuthenticatedRole", rules: [] };
  const pool = model.identityPools.find((p) => p.id === poolId);
  const groups = model.userPoolGroups.filter((g) => g.roleArn);
  const mapping: RoleMappingUnderReview = {
    type: m.type,
    ambiguousRoleResolution: m.ambiguousRoleResolution,
    rules: m.rules,
    ...(attachment.authenticatedRoleArn ? { defaultAuthenticatedRoleArn: attachment.authenticatedRoleArn } : {}),
    ...(attachment.unauthenticatedRoleArn ? { unauthenticatedRoleArn: attachment.unauthenticatedRoleArn } : {}),
    allowUnauthenticatedIdentities: pool?.allowUnauthenticatedIdentities ?? false,
    groupRoles: Object.fromEntries(groups.map((g) => [g.name, g.roleArn!])),
    groupPrecedence: Object.fromEntries(groups.filter((g) => g.precedence !== undefined).map((g) => [g.name, g.precedence!])),
    source: attachment.source,
  };
  return { mapping, issues: inspectMappingRules(m.rules).map((i) => ({ at: i.at, message: i.message, source: attachment.source })) };
}
/**
 * The inputs prove ACLs disabled only when they set the bucket's object ownership to
 * BucketOwnerEnforced, and nothing sets it otherwise. S3 has made that the default for new
 * buckets since April 2023, but a bucket made earlier, or changed later, keeps ACLs: a default
 * proves nothing.
 */
function aclsDisabled(model: InputModel, bucket: string): boolean {
  const controls = model.ownershipControls.filter((o) => o.bucket === bucket);
  return controls.length > 0 && controls.every((o) => o.objectOwnership === "BucketOwnerEnforced");
}

type ReviewTargetIssues = NonNullable<ReviewTarget["inputs"]>["mappingIssues"];

export function targetsFromModel(model: InputModel, flags: TargetFlags): ReviewTarget[] {
  const roles = findIdentityRoles(model, flags.supplied.filter((s) => s.use !== "resource"));
  if (roles.length === 0) throw new PolicyInputError(`${model.files.join(", ")}: no role trusted by cognito-identity.amazonaws.com, handed out by an identity pool, or given policies here: nothing to review`);
  const pool = identityPool(model, roles, flags.identityPoolId);
  // Placeholders replaced by flags change the documents: read the roles again.
  const identity = pool.provenance.from === "flag" ? findIdentityRoles(model, flags.supplied.filter((s) => s.use !== "resource")) : roles;
  const docsOf = (list: IdentityRole[]) => list.flatMap((r) => r.identityPolicies.map((p) => p.document));
  const bucketList = buckets(model, docsOf(identity), flags.bucket);
  const final = flags.bucket !== undefined ? findIdentityRoles(model, flags.supplied.filter((s) => s.use !== "resource")) : identity;
  const docs = docsOf(final);
  const region = IDENTITY_POOL_ID.exec(pool.id)?.[1] ?? PLACEHOLDER_REGION;
  const accountId = final.map((r) => ROLE_ARN.exec(r.role.arn)?.[2]).find(Boolean) ?? MOCK_ACCOUNT_ID;
  const { mapping, issues } = roleMapping(model, pool.id);
  const resourceSupplies = new Supplies(flags.supplied.filter((s) => s.use === "resource"), () => model.bucketPolicies.filter((b) => b.document.missing).length + bucketList.filter((b) => !model.bucketPolicies.some((p) => p.bucket === b.name)).length);

  const labels = new Set<string>();
  const reviewed: RoleUnderReview[] = final.map((r) => {
    const group = model.userPoolGroups.find((g) => g.roleArn === r.role.arn);
    let label = group?.name ?? r.role.id;
    for (let n = 2; labels.has(label); n++) label = `${group?.name ?? r.role.id} (${n})`;
    labels.add(label);
    return {
      group: label,
      roleArn: r.role.arn,
      identityPolicies: r.identityPolicies,
      ...(r.trustPolicy ? { trustPolicy: r.trustPolicy } : {}),
      readAllFolders: flags.readAllFolders ?? false,
      source: r.role.source,
      ...(group ? {} : { notAGroup: true }),
    };
  });
  const notes = [
    ...final.filter((r) => r.external).map((r) => `Role ${r.role.id} is defined outside these inputs: only the policies they attach to it were reviewed${r.trustPolicy ? "" : ", and its trust was not checked"}.`),
    ...[...model.placeholders].filter(([, meaning]) => meaning.startsWith("parameter")).map(([value, meaning]) => `${value} stands for ${meaning}.`),
    ...model.notes,
  ];

  const targets = bucketList.map(({ name: bucketName, provenance: bucketFrom }) => {
    const { prefix, provenance: prefixFrom } = prefixOf(docs, bucketName, flags.prefix);
    const absent: AbsentDocument[] = final.flatMap((r) => r.absent.map((a) => ({ ...a, holder: reviewed[final.indexOf(r)]!.group })));
    const policyDoc = model.bucketPolicies.find((b) => b.bucket === bucketName)?.document;
    // Inputs without the bucket's policy (IAM CLI output, say): --bucket-policy gives it.
    let bucketPolicy = policyDoc ? (policyDoc.missing ? undefined : namedPolicy(policyDoc, "resource")) : resourceSupplies.find("resource", bucketName);
    if (policyDoc?.missing) {
      bucketPolicy = resourceSupplies.find("resource", policyDoc.label);
      if (!bucketPolicy) absent.push({ reference: policyDoc.label, use: "resource", holder: bucketName, why: policyDoc.missing, source: policyDoc.source });
    }
    const files = [...new Set(model.files)];
    const label = `${files.join(", ")}${bucketList.length > 1 ? ` (bucket ${bucketName})` : ""}${flags.variant ? ` [${flags.variant}]` : ""}`;
    // Inputs beyond IAM's size limits could not be deployed: refused, as for policy files.
    for (const r of reviewed) checkIdentityPolicySizes(r.identityPolicies.map((p) => ({ name: p.name, size: policySize(p.document) })), false);
    for (const r of reviewed) if (r.trustPolicy) checkResourcePolicySize({ name: r.trustPolicy.name, size: policySize(r.trustPolicy.document) }, "trust");
    if (bucketPolicy) checkResourcePolicySize({ name: bucketPolicy.name, size: policySize(bucketPolicy.document) }, "bucket");
    const target: ReviewTarget = {
      label,
      region,
      accountId,
      bucketName,
      prefix,
      intent: { ...defaultIntent(prefix), ...(flags.ownerActions ? { ownerActions: flags.ownerActions } : {}), sharedFolders: flags.sharedFolders ?? [] },
      aclsDisabled: aclsDisabled(model, bucketName),
      identityPoolId: pool.id,
      roles: reviewed,
      ...(bucketPolicy ? { bucketPolicy } : {}),
      ...(mapping ? { roleMapping: mapping } : {}),
      inputs: { files, ...(flags.variant ? { variant: flags.variant } : {}), provenance: { bucket: bucketFrom, prefix: prefixFrom, identityPool: pool.provenance }, absent, mappingIssues: issues, notes },
    };
    return target;
  });
  resourceSupplies.checkAllUsed(() => "--bucket-policy");
  return targets;
}
