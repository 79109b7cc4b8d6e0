/**
 * CloudFormation templates (JSON or YAML, CDK's `cdk.out/<Stack>.template.json`, a Serverless
 * `resources/*.yml`) → the input model, for one branch of the template's undetermined conditions.
 * Resources read: AWS::IAM::Role (trust, inline Policies, ManagedPolicyArns), AWS::IAM::Policy and
 * AWS::IAM::ManagedPolicy attached through `Roles`, AWS::S3::Bucket, AWS::S3::BucketPolicy,
 * AWS::Cognito::IdentityPool, AWS::Cognito::IdentityPoolRoleAttachment and
 * AWS::Cognito::UserPoolGroup. Only the properties the review needs are resolved, so an
 * unsupported intrinsic elsewhere does not stop it.
 */
import * as path from "node:path";
import { PolicyInputError } from "../../iam/document";
import { MOCK_ACCOUNT_ID } from "../../synth/mocks";
import type { SourceLocation } from "../review-target";
import { CfnResolver, ExternalValue, NO_VALUE } from "./cfn-intrinsics";
import type { JsonPath, LocatedDocument } from "./located";
import { at, emptyModel, type InputModel, type ModelDocument, type ModelRoleMapping } from "./model";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof ExternalValue);

export interface CfnReadOptions {
  parameters: Record<string, string>;
  /** Conditions chosen for this branch. */
  choices: Map<string, boolean>;
  /** Resources of the other templates read with this one. */
  siblings?: Record<string, unknown>;
}

/** Region the template stands for when it does not say (`AWS::Region` is the deploy's). */
export const PLACEHOLDER_REGION = "us-east-1";

export const looksLikeCloudFormation = (v: unknown) => isObject(v) && (isObject(v.Resources) || "AWSTemplateFormatVersion" in v);

function findExternal(v: unknown): ExternalValue | undefined {
  if (v instanceof ExternalValue) return v;
  if (Array.isArray(v)) return v.map(findExternal).find(Boolean);
  if (isObject(v)) return Object.values(v).map(findExternal).find(Boolean);
  return undefined;
}

const stackNameOf = (file: string) => path.basename(file).replace(/(\.template)?\.(json|ya?ml)$/i, "") || "stack";

export function readCloudFormation(file: string, doc: LocatedDocument, options: CfnReadOptions): InputModel {
  const template = doc.value as Json;
  if (!isObject(template.Resources)) throw new PolicyInputError(`${file}: a CloudFormation template needs a Resources section`);
  const model = emptyModel([file]);
  const r = new CfnResolver({
    file,
    template,
    parameters: options.parameters,
    choices: options.choices,
    placeholders: model.placeholders,
    stackName: stackNameOf(file),
    region: PLACEHOLDER_REGION,
    accountId: MOCK_ACCOUNT_ID,
    ...(options.siblings ? { siblings: options.siblings } : {}),
  });
  const line = (p: JsonPath) => doc.lineAt(p);
  const loc = (id: string, ...p: JsonPath): SourceLocation => at(file, id, line(["Resources", id, ...p]));
  const str = (v: unknown) => (v instanceof ExternalValue ? v.description : typeof v === "string" ? v : v === undefined ? undefined : String(v));

  /** A document at `p` (under the resource's Properties): resolved, with its statements' lines. */
  const document = (id: string, label: string, raw: unknown, p: JsonPath): ModelDocument => {
    const full: JsonPath = ["Resources", id, "Properties", ...p];
    const json = r.resolve(raw, full.join("."));
    const source: SourceLocation = { ...loc(id, "Properties", ...p) };
    const statements = isObject(raw) && Array.isArray(raw.Statement) ? raw.Statement : [];
    const lines = statements.flatMap((s, i) => {
      const l = line([...full, "Statement", i]);
      return l === undefined ? [] : [[isObject(s) && typeof s.Sid === "string" ? s.Sid : `#${i}`, l] as const];
    });
    if (lines.length) source.statementLines = Object.fromEntries(lines);
    const external = findExternal(json);
    if (external) return { label, missing: `it refers to ${external.description}`, source };
    checkActionsDetermined(`${file}: ${label}`, json, model.placeholders);
    return { label, json, source };
  };

  for (const id of Object.keys(template.Resources)) {
    const type = r.resourceType(id);
    for (const [value, meaning] of model.placeholders) if (/is not defined in these inputs$/.test(meaning) && !model.notes.some((n) => n.includes(value))) model.notes.push(`${file}: ${meaning} (stood in by ${value}).`);
    if (!type || !r.exists(id)) continue;
    const props = r.properties(id);
    const where = (p: string) => `Resources.${id}.Properties.${p}`;
    switch (type) {
      case "AWS::IAM::Role": {
        const name = r.physicalId(id);
        const inline: ModelDocument[] = [];
        const raw = props.Policies;
        (Array.isArray(raw) ? raw : []).forEach((entry, i) => {
          const resolved = r.resolve(entry, `${where("Policies")}[${i}]`);
          if (resolved === NO_VALUE || !isObject(resolved)) return;
          const rawDoc = isObject(entry) ? entry.PolicyDocument : undefined;
          inline.push(document(id, `${id} inline policy ${str(resolved.PolicyName) ?? `#${i}`}`, rawDoc ?? resolved.PolicyDocument, ["Policies", i, "PolicyDocument"]));
        });
        const managed = r.resolve(props.ManagedPolicyArns ?? [], where("ManagedPolicyArns"));
        model.roles.push({
          id,
          name,
          arn: r.roleArn(id),
          ...(props.AssumeRolePolicyDocument !== undefined ? { trust: document(id, `${id} trust`, props.AssumeRolePolicyDocument, ["AssumeRolePolicyDocument"]) } : {}),
          inline,
          managedPolicyArns: (Array.isArray(managed) ? managed : []).map((a, i) => ({ arn: str(a)!, source: loc(id, "Properties", "ManagedPolicyArns", i) })),
          source: loc(id),
        });
        break;
      }
      case "AWS::IAM::Policy": {
        const roles = r.resolve(props.Roles ?? [], where("Roles"));
        const d = document(id, `${id} (${str(r.resolve(props.PolicyName, where("PolicyName"))) ?? "AWS::IAM::Policy"})`, props.PolicyDocument, ["PolicyDocument"]);
        for (const role of Array.isArray(roles) ? roles : []) model.rolePolicies.push({ role: str(role)!, document: d });
        break;
      }
      case "AWS::IAM::ManagedPolicy": {
        const arn = r.physicalId(id);
        model.managedPolicies.push({ arn, document: document(id, `${id} (managed policy)`, props.PolicyDocument, ["PolicyDocument"]) });
        const roles = r.resolve(props.Roles ?? [], where("Roles"));
        for (const role of Array.isArray(roles) ? roles : []) model.attachments.push({ role: str(role)!, policyArn: arn, source: loc(id, "Properties", "Roles") });
        break;
      }
      case "AWS::S3::Bucket": {
        const name = r.physicalId(id);
        model.buckets.push({ name, placeholder: model.placeholders.has(name), source: loc(id) });
        const ownership = r.resolve(props.OwnershipControls, where("OwnershipControls"));
        const rules = isObject(ownership) && Array.isArray(ownership.Rules) ? ownership.Rules.filter(isObject) : [];
        for (const rule of rules) model.ownershipControls.push({ bucket: name, ...(str(rule.ObjectOwnership) ? { objectOwnership: str(rule.ObjectOwnership)! } : {}), source: loc(id, "Properties", "OwnershipControls") });
        break;
      }
      case "AWS::S3::BucketPolicy": {
        const bucket = str(r.resolve(props.Bucket, where("Bucket")));
        if (bucket) model.bucketPolicies.push({ bucket, document: document(id, `${id} (bucket policy)`, props.PolicyDocument, ["PolicyDocument"]) });
        break;
      }
      case "AWS::Cognito::IdentityPool": {
        const id2 = r.physicalId(id);
        const unauth = r.resolve(props.AllowUnauthenticatedIdentities, where("AllowUnauthenticatedIdentities"));
        model.identityPools.push({ id: id2, placeholder: model.placeholders.has(id2), allowUnauthenticatedIdentities: unauth === true || unauth === "true", source: loc(id) });
        break;
      }
      case "AWS::Cognito::IdentityPoolRoleAttachment": {
        const roles = r.resolve(props.Roles ?? {}, where("Roles"));
        const mappings = r.resolve(props.RoleMappings ?? {}, where("RoleMappings"));
        const rolesOf = isObject(roles) ? roles : {};
        model.roleAttachments.push({
          identityPoolId: str(r.resolve(props.IdentityPoolId, where("IdentityPoolId"))) ?? "",
          ...(rolesOf.authenticated !== undefined ? { authenticatedRoleArn: str(rolesOf.authenticated)! } : {}),
          ...(rolesOf.unauthenticated !== undefined ? { unauthenticatedRoleArn: str(rolesOf.unauthenticated)! } : {}),
          mappings: Object.values(isObject(mappings) ? mappings : {}).filter(isObject).map((m): ModelRoleMapping => {
            const rules = isObject(m.RulesConfiguration) && Array.isArray(m.RulesConfiguration.Rules) ? m.RulesConfiguration.Rules.filter(isObject) : [];
            return {
              type: m.Type === "Rules" ? "Rules" : "Token",
              ambiguousRoleResolution: str(m.AmbiguousRoleResolution) ?? "AuthenticatedRole",
              rules: rules.map((x) => ({ claim: str(x.Claim) ?? "", matchType: str(x.MatchType) ?? "", value: str(x.Value) ?? "", roleArn: str(x.RoleARN) ?? "" })),
            };
          }),
          source: loc(id),
        });
        break;
      }
      case "AWS::Cognito::UserPoolGroup": {
        const roleArn = str(r.resolve(props.RoleArn, where("RoleArn")));
        const precedence = r.resolve(props.Precedence, where("Precedence"));
        model.userPoolGroups.push({
          name: str(r.resolve(props.GroupName, where("GroupName"))) ?? id,
          ...(roleArn ? { roleArn } : {}),
          ...(precedence !== undefined ? { precedence: Number(precedence) } : {}),
          source: loc(id),
        });
        break;
      }
    }
  }
  return model;
}

/** An action taken from a parameter without a value is no name that can stand in: ask for the value. */
function checkActionsDetermined(label: string, json: unknown, placeholders: Map<string, string>): void {
  const statements = isObject(json) && Array.isArray(json.Statement) ? json.Statement : isObject(json) && isObject(json.Statement) ? [json.Statement] : [];
  for (const s of statements.filter(isObject)) {
    for (const a of [s.Action, s.NotAction].flat()) {
      const meaning = typeof a === "string" ? placeholders.get(a) : undefined;
      if (meaning?.startsWith("parameter ")) throw new PolicyInputError(`${label}: its actions come from ${meaning}`);
    }
  }
}
