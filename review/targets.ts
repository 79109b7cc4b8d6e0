/**
 * Where a review's documents come from: the stack as synthesized (exactly what `pulumi up` would
 * deploy), or policy files written elsewhere (a CDK or Terraform app's).
 */
import * as fs from "node:fs";
import { IDENTITY_POOL_ID, isBucketName } from "../contract/aws-ids";
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
    const identityPolicies = s
      .ofType("aws:iam/rolePolicy:RolePolicy")
      .filter((p) => p.inputs.role === role.state.name)
      .map((p): NamedPolicy => ({ name: p.name, document: parseIamDocument(p.inputs.policy, "identity", p.name) }));
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
  return {
    label: `stack ${s.stack}`,
    region: s.outputs.region,
    accountId: MOCK_ACCOUNT_ID,
    bucketName: s.outputs.bucketName,
    prefix: s.outputs.storagePrefix,
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
  prefix: string;
  identityPoolId?: string;
  /** The reviewed role is meant to read every folder. */
  readAllFolders?: boolean;
  accountId?: string;
}

export function readDocument(file: string, use: DocumentUse): NamedPolicy {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new PolicyInputError(`${file}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : (e as Error).message}`);
  }
  return { name: file, document: parseIamDocument(text, use, file) };
}


export function targetFromFiles(o: PolicyFileOptions): ReviewTarget {
  if (o.identityPolicies.length === 0) throw new PolicyInputError("--identity-policy is required (repeat it for several files)");
  if (!isBucketName(o.bucket)) throw new PolicyInputError(`--bucket ${JSON.stringify(o.bucket)} is not an S3 bucket name`);
  if (!o.prefix || /^\/|\/$|[*?${}]/.test(o.prefix)) throw new PolicyInputError(`--prefix ${JSON.stringify(o.prefix)} must be non-empty, without leading or trailing '/' and without * ? $ { }`);
  if (o.trustPolicy && !o.identityPoolId) throw new PolicyInputError("--trust-policy needs --identity-pool-id (the pool the role should trust)");
  if (o.identityPoolId && !IDENTITY_POOL_ID.test(o.identityPoolId)) throw new PolicyInputError(`--identity-pool-id ${JSON.stringify(o.identityPoolId)} is not <region>:<uuid>`);
  const region = o.identityPoolId ? IDENTITY_POOL_ID.exec(o.identityPoolId)![1]! : "us-east-1";
  const accountId = o.accountId ?? MOCK_ACCOUNT_ID;
  return {
    label: "policy files",
    region,
    accountId,
    bucketName: o.bucket,
    prefix: o.prefix,
    identityPoolId: o.identityPoolId ?? `${region}:00000000-0000-4000-8000-0000000000aa`,
    roles: [
      {
        group: "reviewed-role",
        roleArn: `arn:aws:iam::${accountId}:role/reviewed-role`,
        identityPolicies: o.identityPolicies.map((f) => readDocument(f, "identity")),
        ...(o.trustPolicy ? { trustPolicy: readDocument(o.trustPolicy, "trust") } : {}),
        readAllFolders: o.readAllFolders ?? false,
      },
    ],
    ...(o.bucketPolicy ? { bucketPolicy: readDocument(o.bucketPolicy, "resource") } : {}),
  };
}
