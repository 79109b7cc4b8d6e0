/**
 * Terraform's JSON (`terraform show -json PLAN`, or `terraform show -json` of the state) → the
 * input model. A plan's values come from `planned_values`; what `resource_changes[].change.
 * after_unknown` marks unknown until apply is a placeholder when it is a name (a bucket from
 * `bucket_prefix`, a pool id, an ARN, linked through the configuration's references) and a
 * missing document when it is a policy. Resources being destroyed are left out.
 */
import { PolicyInputError } from "../../iam/document";
import { MOCK_ACCOUNT_ID } from "../../synth/mocks";
import type { JsonPath, LocatedDocument } from "./located";
import { at, emptyModel, type InputModel, type ModelDocument, type ModelRoleMapping } from "./model";
import { policyJson } from "./policy-json";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

export const looksLikeTerraform = (v: unknown) => isObject(v) && typeof v.format_version === "string" && ("planned_values" in v || "values" in v || "resource_changes" in v);

interface TfResource {
  address: string;
  type: string;
  values: Json;
  unknown: Json;
  path: JsonPath;
}

function collect(module: unknown, p: JsonPath, out: TfResource[]): void {
  if (!isObject(module)) return;
  (Array.isArray(module.resources) ? module.resources : []).forEach((r, i) => {
    if (isObject(r) && r.mode !== "data" && typeof r.address === "string" && typeof r.type === "string") {
      out.push({ address: r.address, type: r.type, values: isObject(r.values) ? r.values : {}, unknown: {}, path: [...p, "resources", i] });
    }
  });
  (Array.isArray(module.child_modules) ? module.child_modules : []).forEach((m, i) => collect(m, [...p, "child_modules", i], out));
}

/** The configuration's references of `address`'s `attribute` (`aws_iam_role.auth.name` → `aws_iam_role.auth`). */
function referencesOf(plan: Json, address: string, attribute: string): string[] {
  const found: string[] = [];
  const visit = (module: unknown, prefix: string) => {
    if (!isObject(module)) return;
    for (const r of Array.isArray(module.resources) ? module.resources.filter(isObject) : []) {
      if (`${prefix}${r.address}` !== address.replace(/\[[^\]]*\]$/, "")) continue;
      const e = isObject(r.expressions) ? r.expressions[attribute] : undefined;
      const refs = isObject(e) && Array.isArray(e.references) ? e.references.filter((x): x is string => typeof x === "string") : [];
      found.push(...refs.map((x) => `${prefix}${x}`).filter((x) => /^(module\.[^.]+\.)*[a-z0-9_]+\.[A-Za-z0-9_-]+$/.test(x)));
    }
    for (const [name, call] of Object.entries(isObject(module.module_calls) ? module.module_calls : {})) visit(isObject(call) ? call.module : undefined, `${prefix}module.${name}.`);
  };
  visit(isObject(plan.configuration) ? plan.configuration.root_module : undefined, "");
  return found;
}

export function readTerraform(file: string, doc: LocatedDocument): InputModel {
  const plan = doc.value as Json;
  const model = emptyModel([file]);
  const resources: TfResource[] = [];
  const root = isObject(plan.planned_values) ? "planned_values" : "values";
  collect(isObject(plan[root]) ? (plan[root] as Json).root_module : undefined, [root, "root_module"], resources);
  if (resources.length === 0 && !isObject(plan[root])) throw new PolicyInputError(`${file}: a Terraform plan or state without planned_values or values`);
  const changes = new Map<string, Json>();
  for (const c of Array.isArray(plan.resource_changes) ? plan.resource_changes.filter(isObject) : []) {
    if (typeof c.address === "string" && isObject(c.change)) changes.set(c.address, c.change);
  }
  const live = resources.filter((r) => {
    const change = changes.get(r.address);
    const actions = change && Array.isArray(change.actions) ? change.actions : [];
    if (actions.length === 1 && actions[0] === "delete") return false;
    if (change && isObject(change.after_unknown)) r.unknown = change.after_unknown;
    return true;
  });
  const loc = (r: TfResource) => at(file, r.address, doc.lineAt(r.path));
  const isUnknown = (r: TfResource, attr: string) => r.unknown[attr] === true;
  /** A name unknown until apply: the resource it references (when the configuration says), or the address itself. */
  const nameOr = (r: TfResource, attr: string): string | undefined => {
    if (!isUnknown(r, attr)) return typeof r.values[attr] === "string" ? (r.values[attr] as string) : undefined;
    return referencesOf(plan, r.address, attr)[0] ?? `${r.address}.${attr}`;
  };
  const placeholder = (value: string, meaning: string) => {
    model.placeholders.set(value, meaning);
    return value;
  };
  const document = (r: TfResource, label: string, attr: string, raw: unknown, unknown: boolean): ModelDocument => {
    const source = loc(r);
    if (unknown) return { label, missing: `${r.address}.${attr} is unknown until apply`, source };
    if (raw === undefined || raw === null || raw === "") return { label, missing: `${r.address}.${attr} is empty`, source };
    return { label, json: policyJson(raw, `${file}: ${label}`), source };
  };
  const byAddress = new Map(live.map((r) => [r.address, r]));
  /** What a reference names: a role's id, a policy's ARN, a bucket's name, a pool's id (as this model writes them). */
  const keyOf = (ref: string): string => {
    const r = byAddress.get(ref);
    if (!r) return ref;
    if (r.type === "aws_iam_role") return r.address;
    if (r.type === "aws_iam_policy") return isUnknown(r, "arn") ? r.address : String(r.values.arn);
    if (r.type === "aws_s3_bucket") return bucketName(r);
    if (r.type === "aws_cognito_identity_pool") return poolId(r);
    return ref;
  };
  const bucketName = (r: TfResource) =>
    isUnknown(r, "bucket") || typeof r.values.bucket !== "string"
      ? placeholder(`tf-${r.address.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`.slice(0, 63).replace(/-+$/, ""), `the name ${r.address} gets at apply (unknown in the plan)`)
      : r.values.bucket;
  const poolId = (r: TfResource) =>
    isUnknown(r, "id") || typeof r.values.id !== "string" ? placeholder(`us-east-1:00000000-0000-4000-8000-${(r.address.length * 7919).toString(16).padStart(12, "0").slice(-12)}`, `the id ${r.address} gets at apply`) : r.values.id;
  const linked = (r: TfResource, attr: string) => {
    const v = nameOr(r, attr);
    return v !== undefined && isUnknown(r, attr) ? keyOf(v) : v;
  };

  for (const r of live) {
    const v = r.values;
    switch (r.type) {
      case "aws_iam_role": {
        const name = isUnknown(r, "name") || typeof v.name !== "string" ? r.address : v.name;
        const arn = isUnknown(r, "arn") || typeof v.arn !== "string" ? `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/${name}` : v.arn;
        const inline = (Array.isArray(v.inline_policy) ? v.inline_policy.filter(isObject) : []).filter((p) => p.policy !== undefined || p.name !== undefined);
        model.roles.push({
          id: r.address,
          name,
          arn,
          trust: document(r, `${r.address} trust`, "assume_role_policy", v.assume_role_policy, isUnknown(r, "assume_role_policy")),
          ...(isUnknown(r, "assume_role_policy") && referencesOf(plan, r.address, "assume_role_policy").some((x) => byAddress.get(x)?.type === "aws_cognito_identity_pool") ? { trustBuiltFromIdentityPool: true } : {}),
          inline: inline.map((p, i) => document(r, `${r.address} inline policy ${typeof p.name === "string" ? p.name : `#${i}`}`, "inline_policy", p.policy, r.unknown.inline_policy === true)),
          managedPolicyArns: (Array.isArray(v.managed_policy_arns) ? v.managed_policy_arns : []).map((a) => ({ arn: String(a), source: loc(r) })),
          source: loc(r),
        });
        break;
      }
      case "aws_iam_role_policy":
        model.rolePolicies.push({ role: linked(r, "role") ?? r.address, document: document(r, `${r.address}${typeof v.name === "string" ? ` (${v.name})` : ""}`, "policy", v.policy, isUnknown(r, "policy")) });
        break;
      case "aws_iam_policy":
        model.managedPolicies.push({ arn: keyOf(r.address), document: document(r, `${r.address} (managed policy)`, "policy", v.policy, isUnknown(r, "policy")) });
        break;
      case "aws_iam_role_policy_attachment":
        model.attachments.push({ role: linked(r, "role") ?? r.address, policyArn: linked(r, "policy_arn") ?? r.address, source: loc(r) });
        break;
      case "aws_iam_policy_attachment": {
        const roles = isUnknown(r, "roles") ? referencesOf(plan, r.address, "roles").map(keyOf) : Array.isArray(v.roles) ? v.roles.map(String) : [];
        for (const role of roles) model.attachments.push({ role, policyArn: linked(r, "policy_arn") ?? r.address, source: loc(r) });
        break;
      }
      case "aws_s3_bucket": {
        const name = bucketName(r);
        model.buckets.push({ name, placeholder: model.placeholders.has(name), source: loc(r) });
        break;
      }
      case "aws_s3_bucket_ownership_controls": {
        const rule = (Array.isArray(v.rule) ? v.rule.filter(isObject) : [])[0];
        const ownership = !isUnknown(r, "rule") && typeof rule?.object_ownership === "string" ? rule.object_ownership : undefined;
        model.ownershipControls.push({ bucket: linked(r, "bucket") ?? r.address, ...(ownership ? { objectOwnership: ownership } : {}), source: loc(r) });
        break;
      }
      case "aws_s3_bucket_policy":
        model.bucketPolicies.push({ bucket: linked(r, "bucket") ?? r.address, document: document(r, `${r.address} (bucket policy)`, "policy", v.policy, isUnknown(r, "policy")) });
        break;
      case "aws_cognito_identity_pool": {
        const id = poolId(r);
        model.identityPools.push({ id, placeholder: model.placeholders.has(id), allowUnauthenticatedIdentities: v.allow_unauthenticated_identities === true, source: loc(r) });
        break;
      }
      case "aws_cognito_identity_pool_roles_attachment": {
        const roles = isObject(v.roles) ? v.roles : {};
        const roleArn = (x: unknown) => (typeof x === "string" ? x : undefined);
        const refs = referencesOf(plan, r.address, "roles").filter((x) => byAddress.get(x)?.type === "aws_iam_role");
        const arnOfRef = (ref: string | undefined) => model.roles.find((m) => m.id === ref)?.arn ?? live.filter((x) => x.address === ref).map((x) => `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/${typeof x.values.name === "string" && !isUnknown(x, "name") ? x.values.name : x.address}`)[0];
        const auth = roleArn(roles.authenticated) ?? (isObject(r.unknown.roles) || r.unknown.roles === true ? arnOfRef(refs[0]) : undefined);
        model.roleAttachments.push({
          identityPoolId: linked(r, "identity_pool_id") ?? "",
          ...(auth ? { authenticatedRoleArn: auth } : {}),
          ...(roleArn(roles.unauthenticated) ? { unauthenticatedRoleArn: roleArn(roles.unauthenticated)! } : {}),
          mappings: (Array.isArray(v.role_mapping) ? v.role_mapping.filter(isObject) : []).map((m): ModelRoleMapping => ({
            type: m.type === "Rules" ? "Rules" : "Token",
            ambiguousRoleResolution: typeof m.ambiguous_role_resolution === "string" ? m.ambiguous_role_resolution : "AuthenticatedRole",
            rules: (Array.isArray(m.mapping_rule) ? m.mapping_rule.filter(isObject) : []).map((x) => ({ claim: String(x.claim), matchType: String(x.match_type), value: String(x.value), roleArn: String(x.role_arn) })),
          })),
          source: loc(r),
        });
        break;
      }
      case "aws_cognito_user_group":
        model.userPoolGroups.push({
          name: String(v.name),
          ...(typeof v.role_arn === "string" ? { roleArn: v.role_arn } : {}),
          ...(typeof v.precedence === "number" ? { precedence: v.precedence } : {}),
          source: loc(r),
        });
        break;
    }
  }
  return model;
}
