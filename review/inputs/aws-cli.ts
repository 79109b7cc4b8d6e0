/**
 * AWS CLI output → the input model: `aws iam get-role` (a role and its trust),
 * `aws iam get-role-policy` (one inline policy of a role) and `aws iam
 * get-account-authorization-details` (roles with their inline and attached policies, and the
 * account's managed policies). Documents may be objects (the CLI decodes them) or URL-encoded
 * JSON (IAM's raw answer). Several outputs given together are one model: a get-role and the
 * get-role-policy outputs of the same role review together.
 */
import type { LocatedDocument } from "./located";
import { at, emptyModel, type InputModel, type ModelDocument, type ModelRole } from "./model";
import { policyJson } from "./policy-json";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

export const looksLikeAwsCli = (v: unknown) =>
  isObject(v) && (isObject(v.Role) || Array.isArray(v.RoleDetailList) || (typeof v.RoleName === "string" && v.PolicyDocument !== undefined));

export function readAwsCli(file: string, doc: LocatedDocument): InputModel {
  const value = doc.value as Json;
  const model = emptyModel([file]);
  const document = (label: string, raw: unknown, resource: string, p: (string | number)[]): ModelDocument => {
    const source = at(file, resource, doc.lineAt(p));
    return { label, json: policyJson(raw, `${file}: ${label}`), source };
  };
  const role = (r: Json, p: (string | number)[]): ModelRole => {
    const name = String(r.RoleName);
    const source = at(file, name, doc.lineAt(p));
    return {
      id: name,
      name,
      arn: typeof r.Arn === "string" ? r.Arn : name,
      ...(r.AssumeRolePolicyDocument !== undefined ? { trust: document(`${name} trust`, r.AssumeRolePolicyDocument, name, [...p, "AssumeRolePolicyDocument"]) } : {}),
      inline: (Array.isArray(r.RolePolicyList) ? r.RolePolicyList.filter(isObject) : []).map((x, i) =>
        document(`${name} inline policy ${String(x.PolicyName)}`, x.PolicyDocument, name, [...p, "RolePolicyList", i, "PolicyDocument"]),
      ),
      managedPolicyArns: (Array.isArray(r.AttachedManagedPolicies) ? r.AttachedManagedPolicies.filter(isObject) : []).map((x, i) => ({
        arn: String(x.PolicyArn),
        source: at(file, name, doc.lineAt([...p, "AttachedManagedPolicies", i])),
      })),
      source,
    };
  };
  if (isObject(value.Role)) {
    model.roles.push(role(value.Role, ["Role"]));
    model.notes.push(`${file}: get-role output lists no policies; give the role's get-role-policy outputs (or get-account-authorization-details) to review its grants.`);
  }
  if (typeof value.RoleName === "string" && value.PolicyDocument !== undefined) {
    model.rolePolicies.push({ role: value.RoleName, document: document(`${value.RoleName} inline policy ${String(value.PolicyName)}`, value.PolicyDocument, value.RoleName, ["PolicyDocument"]) });
  }
  if (Array.isArray(value.RoleDetailList)) {
    value.RoleDetailList.forEach((r, i) => isObject(r) && model.roles.push(role(r, ["RoleDetailList", i])));
    (Array.isArray(value.Policies) ? value.Policies : []).forEach((p, i) => {
      if (!isObject(p) || typeof p.Arn !== "string") return;
      const versions = Array.isArray(p.PolicyVersionList) ? p.PolicyVersionList.filter(isObject) : [];
      const j = versions.findIndex((v) => v.IsDefaultVersion === true || v.VersionId === p.DefaultVersionId);
      if (j < 0) return;
      model.managedPolicies.push({ arn: p.Arn, document: document(`${String(p.PolicyName)} (managed policy)`, versions[j]!.Document, p.Arn, ["Policies", i, "PolicyVersionList", j, "Document"]) });
    });
  }
  return model;
}
