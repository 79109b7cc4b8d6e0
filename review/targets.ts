/**
 * Where a review's documents come from: the stack as synthesized (exactly what `pulumi up` would
 * deploy), or policy files written elsewhere (a CDK or Terraform app's).
 */
import * as fs from "node:fs";
import { IDENTITY_POOL_ID, isBucketName } from "../contract/aws-ids";
import { PREFIX_RULES, storagePrefixProblems } from "../contract/storage-prefix";
import { checkIdentityPolicySizes, checkResourcePolicySize, policySize } from "../iam/size-limits";
import { defaultIntent, type SharedFolder, type StorageIntent } from "./intent";
import { MOCK_ACCOUNT_ID } from "../synth/mocks";
import type { SynthesizedStack } from "../synth/synthesize";
import { parseIamDocument, PolicyInputError, type DocumentUse } from "../iam/document";
import type { NamedPolicy, ReviewTarget, RoleMappingUnderReview, RoleUnderReview } from "./review-target";

type Json = Record<string, unknown>;

export function targetFromStack(s: SynthesizedStack): ReviewTarget {
  const roles: RoleUnderReview[] = s.config.groups.map((group) => {
    const userGroup = s.ofType("aws:cognito/userGroup:UserGroup").find((g) => g.inputs.name === group.name);
    const role = s.ofType("aws:iam/role:Role").find((r) => r.state.arn === userGroup?.inputs.roleArn);
    if (!userGroup || !role) throw new Error(`stack ${s.stack}: group ${group.name} has no role`);
    const rolePolicies = s.ofType("aws:iam/rolePolicy:RolePolicy").filter((p) => p.inputs.role === role.state.name);
    checkIdentityPolicySizes(rolePolicies.map((p) => ({ name: p.name, size: policySize(p.inputs.policy) })), true);
    const identityPolicies = rolePolicies.map((p): NamedPolicy => ({ name: p.name, document: parseIamDocument(p.inputs.policy, "identity", p.name) }));
    return {
      group: group.name,
      roleArn: role.state.arn as string,
      identityPolicies,
      trustPolicy: { name: `${role.name} trust`, document: parseIamDocument(role.inputs.assumeRolePolicy, "trust", `${role.name} trust`) },
      readAllFolders: group.readAllFolders,
    };
  });
  const bucketPolicy = s.one("aws:s3/bucketPolicy:BucketPolicy");
  const attachment = s.one("aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment").inputs as Json;
  const identityPool = s.one("aws:cognito/identityPool:IdentityPool").inputs as Json;
  const [mapping] = (attachment.roleMappings ?? []) as Json[];
  const attachedRoles = (attachment.roles ?? {}) as Record<string, string>;
  const roleMapping: RoleMappingUnderReview | undefined = mapping && {
    type: mapping.type as "Token" | "Rules",
    ambiguousRoleResolution: String(mapping.ambiguousRoleResolution),
    rules: ((mapping.mappingRules ?? []) as RoleMappingUnderReview["rules"]).map((r) => ({ ...r })),
    ...(attachedRoles.authenticated ? { defaultAuthenticatedRoleArn: attachedRoles.authenticated } : {}),
    ...(attachedRoles.unauthenticated ? { unauthenticatedRoleArn: attachedRoles.unauthenticated } : {}),
    allowUnauthenticatedIdentities: identityPool.allowUnauthenticatedIdentities === true,
    groupRoles: Object.fromEntries(s.ofType("aws:cognito/userGroup:UserGroup").map((g) => [g.inputs.name as string, g.inputs.roleArn as string])),
    groupPrecedence: Object.fromEntries(s.ofType("aws:cognito/userGroup:UserGroup").map((g) => [g.inputs.name as string, g.inputs.precedence as number])),
  };
  const ownership = s.ofType("aws:s3/bucketOwnershipControls:BucketOwnershipControls");
  return {
    label: `stack ${s.stack}`,
    region: s.outputs.region,
    accountId: MOCK_ACCOUNT_ID,
    bucketName: s.outputs.bucketName,
    prefix: s.outputs.storagePrefix,
    intent: defaultIntent(s.outputs.storagePrefix),
    // ACL writes are harmless only where the stack enforces bucket-owner object ownership.
    aclsDisabled: ownership.length > 0 && ownership.every((o) => (o.inputs.rule as Json | undefined)?.objectOwnership === "BucketOwnerEnforced"),
    identityPoolId: s.outputs.identityPoolId,
    roles,
    bucketPolicy: { name: bucketPolicy.name, document: parseIamDocument(bucketPolicy.inputs.policy, "resource", bucketPolicy.name) },
    ...(roleMapping ? { roleMapping } : {}),
  };
}

export interface PolicyFileOptions {
  identityPolicies: string[];
  bucketPolicy?: string;
  trustPolicy?: string;
  bucket: string;
  /** Folder root; "" puts identity folders at the bucket root. */
  prefix: string;
  identityPoolId?: string;
  /** The reviewed role is meant to read every folder. */
  readAllFolders?: boolean;
  accountId?: string;
  /** What the owner is meant to have (default: DEFAULT_OWNER_ACTIONS). */
  ownerActions?: readonly string[];
  sharedFolders?: readonly SharedFolder[];
}

export function readDocument(file: string, use: DocumentUse): NamedPolicy & { size: number } {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new PolicyInputError(`${file}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : (e as Error).message}`);
  }
  const document = parseIamDocument(text, use, file);
  return { name: file, document, size: policySize(text) };
}

/** A review's folder root gets stage config's prefix rules, and may also be "" (folders at the bucket root). */
export function checkFolderRoot(prefix: string, what: string): void {
  const problems = prefix === "" ? [] : storagePrefixProblems(prefix);
  if (problems.length > 0) throw new PolicyInputError(`${what} ${JSON.stringify(prefix)} ${problems.join("; ")} (allowed: "" for folders at the bucket root, or ${PREFIX_RULES})`);
}

export function targetFromFiles(o: PolicyFileOptions): ReviewTarget {
  if (o.identityPolicies.length === 0) throw new PolicyInputError("--identity-policy is required (repeat it for several files)");
  if (!isBucketName(o.bucket)) throw new PolicyInputError(`--bucket ${JSON.stringify(o.bucket)} is not an S3 bucket name`);
  checkFolderRoot(o.prefix, "--prefix");
  if (o.trustPolicy && !o.identityPoolId) throw new PolicyInputError("--trust-policy needs --identity-pool-id (the pool the role should trust)");
  if (o.identityPoolId && !IDENTITY_POOL_ID.test(o.identityPoolId)) throw new PolicyInputError(`--identity-pool-id ${JSON.stringify(o.identityPoolId)} is not <region>:<uuid>`);
  const region = o.identityPoolId ? IDENTITY_POOL_ID.exec(o.identityPoolId)![1]! : "us-east-1";
  const accountId = o.accountId ?? MOCK_ACCOUNT_ID;
  const identityPolicies = o.identityPolicies.map((f) => readDocument(f, "identity"));
  checkIdentityPolicySizes(identityPolicies, false);
  const trustPolicy = o.trustPolicy ? readDocument(o.trustPolicy, "trust") : undefined;
  if (trustPolicy) checkResourcePolicySize(trustPolicy, "trust");
  const bucketPolicy = o.bucketPolicy ? readDocument(o.bucketPolicy, "resource") : undefined;
  if (bucketPolicy) checkResourcePolicySize(bucketPolicy, "bucket");
  const intent: StorageIntent = { ...defaultIntent(o.prefix), ...(o.ownerActions ? { ownerActions: o.ownerActions } : {}), sharedFolders: o.sharedFolders ?? [] };
  return {
    label: "policy files",
    region,
    accountId,
    bucketName: o.bucket,
    prefix: o.prefix,
    intent,
    // Policy files cannot show the bucket's object ownership: ACLs may apply.
    aclsDisabled: false,
    identityPoolId: o.identityPoolId ?? `${region}:00000000-0000-4000-8000-0000000000aa`,
    roles: [
      {
        group: "reviewed-role",
        roleArn: `arn:aws:iam::${accountId}:role/reviewed-role`,
        identityPolicies: identityPolicies.map(({ name, document }) => ({ name, document })),
        ...(trustPolicy ? { trustPolicy: { name: trustPolicy.name, document: trustPolicy.document } } : {}),
        readAllFolders: o.readAllFolders ?? false,
      },
    ],
    ...(bucketPolicy ? { bucketPolicy: { name: bucketPolicy.name, document: bucketPolicy.document } } : {}),
  };
}
