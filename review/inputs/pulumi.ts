/**
 * A Pulumi stack export (`pulumi stack export`) → the input model: the same resource kinds under
 * their `aws:` type tokens, read from each resource's outputs (what was deployed), its inputs
 * where an output is absent. A secret is read when the export holds its plaintext
 * (`--show-secrets`); an encrypted one leaves its document missing.
 */
import { PolicyInputError } from "../../iam/document";
import type { LocatedDocument } from "./located";
import { at, emptyModel, type InputModel, type ModelDocument, type ModelRoleMapping } from "./model";
import { policyJson } from "./policy-json";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Pulumi's marker for a secret value in a serialized property. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
/** Pulumi's unknown value (a preview's output). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const ENCRYPTED = Symbol("encrypted");

export const looksLikePulumiExport = (v: unknown) => isObject(v) && isObject(v.deployment) && Array.isArray(v.deployment.resources);

const TYPES = {
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  policy: "aws:iam/policy:Policy",
  rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  policyAttachment: "aws:iam/policyAttachment:PolicyAttachment",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  ownershipControls: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  identityPool: "aws:cognito/identityPool:IdentityPool",
  roleAttachment: "aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment",
  userGroup: "aws:cognito/userGroup:UserGroup",
};
const BUCKETS = new Set(["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"]);

/** A property with secrets opened where the export holds their plaintext. */
function reveal(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reveal);
  if (!isObject(v)) return v;
  if (v[SECRET_SIG] === "1b47061264138c4ac30d75fd1eb44270") return typeof v.plaintext === "string" ? reveal(JSON.parse(v.plaintext)) : ENCRYPTED;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, reveal(x)]));
}

export function readPulumiExport(file: string, doc: LocatedDocument): InputModel {
  const resources = ((doc.value as Json).deployment as Json).resources as unknown[];
  const model = emptyModel([file]);
  resources.forEach((raw, i) => {
    if (!isObject(raw) || typeof raw.type !== "string" || typeof raw.urn !== "string") return;
    if (raw.delete === true) return;
    const outputs = isObject(raw.outputs) ? raw.outputs : {};
    const inputs = isObject(raw.inputs) ? raw.inputs : {};
    const get = (key: string) => reveal(outputs[key] ?? inputs[key]);
    const str = (key: string) => {
      const v = get(key);
      return typeof v === "string" && v !== UNKNOWN ? v : undefined;
    };
    const source = at(file, raw.urn, doc.lineAt(["deployment", "resources", i]));
    const name = raw.urn.slice(raw.urn.lastIndexOf("::") + 2);
    const document = (label: string, value: unknown): ModelDocument => {
      if (value === ENCRYPTED) return { label, missing: "a secret this export keeps encrypted (export with --show-secrets)", source };
      if (value === undefined || value === UNKNOWN) return { label, missing: "not known in this export", source };
      return { label, json: policyJson(value, `${file}: ${label}`), source };
    };
    switch (raw.type) {
      case TYPES.role: {
        const inline = Array.isArray(get("inlinePolicies")) ? (get("inlinePolicies") as unknown[]).filter(isObject).filter((p) => p.policy) : [];
        const managed = get("managedPolicyArns");
        model.roles.push({
          id: raw.urn,
          name: str("name") ?? name,
          arn: str("arn") ?? "",
          trust: document(`${name} trust`, get("assumeRolePolicy")),
          inline: inline.map((p, j) => document(`${name} inline policy ${typeof p.name === "string" ? p.name : `#${j}`}`, p.policy)),
          managedPolicyArns: (Array.isArray(managed) ? managed : []).map((a) => ({ arn: String(a), source })),
          source,
        });
        break;
      }
      case TYPES.rolePolicy:
        model.rolePolicies.push({ role: str("role") ?? "", document: document(`${name} (role policy)`, get("policy")) });
        break;
      case TYPES.policy:
        model.managedPolicies.push({ arn: str("arn") ?? raw.urn, document: document(`${name} (managed policy)`, get("policy")) });
        break;
      case TYPES.rolePolicyAttachment:
        model.attachments.push({ role: str("role") ?? "", policyArn: str("policyArn") ?? "", source });
        break;
      case TYPES.policyAttachment:
        for (const role of Array.isArray(get("roles")) ? (get("roles") as unknown[]) : []) model.attachments.push({ role: String(role), policyArn: str("policyArn") ?? "", source });
        break;
      case TYPES.bucketPolicy:
        model.bucketPolicies.push({ bucket: str("bucket") ?? "", document: document(`${name} (bucket policy)`, get("policy")) });
        break;
      case TYPES.ownershipControls: {
        const rule = get("rule");
        const ownership = isObject(rule) && typeof rule.objectOwnership === "string" && rule.objectOwnership !== UNKNOWN ? rule.objectOwnership : undefined;
        model.ownershipControls.push({ bucket: str("bucket") ?? "", ...(ownership ? { objectOwnership: ownership } : {}), source });
        break;
      }
      case TYPES.identityPool:
        model.identityPools.push({ id: (typeof raw.id === "string" && raw.id) || str("id") || "", placeholder: false, allowUnauthenticatedIdentities: get("allowUnauthenticatedIdentities") === true, source });
        break;
      case TYPES.roleAttachment: {
        const roles = isObject(get("roles")) ? (get("roles") as Json) : {};
        const mappings = Array.isArray(get("roleMappings")) ? (get("roleMappings") as unknown[]).filter(isObject) : [];
        model.roleAttachments.push({
          identityPoolId: str("identityPoolId") ?? "",
          ...(typeof roles.authenticated === "string" ? { authenticatedRoleArn: roles.authenticated } : {}),
          ...(typeof roles.unauthenticated === "string" ? { unauthenticatedRoleArn: roles.unauthenticated } : {}),
          mappings: mappings.map((m): ModelRoleMapping => ({
            type: m.type === "Rules" ? "Rules" : "Token",
            ambiguousRoleResolution: typeof m.ambiguousRoleResolution === "string" ? m.ambiguousRoleResolution : "AuthenticatedRole",
            rules: (Array.isArray(m.mappingRules) ? m.mappingRules.filter(isObject) : []).map((x) => ({ claim: String(x.claim), matchType: String(x.matchType), value: String(x.value), roleArn: String(x.roleArn) })),
          })),
          source,
        });
        break;
      }
      case TYPES.userGroup:
        model.userPoolGroups.push({
          name: str("name") ?? name,
          ...(str("roleArn") ? { roleArn: str("roleArn")! } : {}),
          ...(typeof get("precedence") === "number" ? { precedence: get("precedence") as number } : {}),
          source,
        });
        break;
      default:
        if (BUCKETS.has(raw.type)) {
          const bucket = str("bucket");
          if (!bucket) throw new PolicyInputError(`${file}: ${raw.urn} has no bucket name`);
          model.buckets.push({ name: bucket, placeholder: false, source });
        }
    }
  });
  return model;
}
