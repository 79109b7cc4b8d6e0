/**
 * The roles a review covers, found in the model: every role trusted by
 * cognito-identity.amazonaws.com, every role an identity pool attachment or a user-pool group
 * hands out, and every role the inputs attach policies to without defining it (its trust lives
 * elsewhere: Amplify's storage stack names the auth role of its root stack). Each comes with its
 * documents parsed, and the documents it references but the inputs do not contain.
 */
import { parseIamDocument, PolicyInputError, type DocumentUse } from "../../iam/document";
import { trustsCognitoIdentity } from "../../iam/storage-layout";
import type { AbsentDocument, NamedPolicy, SourceLocation } from "../review-target";
import { MOCK_ACCOUNT_ID } from "../../synth/mocks";
import { readDocument } from "../targets";
import type { InputModel, ModelDocument, ModelRole } from "./model";

/** A document given on the command line for one the inputs reference but do not contain. */
export interface SuppliedDocument {
  use: DocumentUse;
  /** The reference it stands for (ARN, policy name, export, Terraform address); undefined: the only absent one of its use. */
  key?: string;
  file: string;
}

export interface IdentityRole {
  role: ModelRole;
  /** Defined outside these inputs: only the policies they attach to it are known. */
  external: boolean;
  identityPolicies: NamedPolicy[];
  trustPolicy?: NamedPolicy;
  absent: AbsentDocument[];
}

const where = (s: SourceLocation) => `${s.file}${s.line !== undefined ? `:${s.line}` : ""}`;

/** A document as the reports name it: label, then file and line. */
export function namedPolicy(doc: ModelDocument, use: DocumentUse): NamedPolicy {
  const name = `${doc.label} (${where(doc.source)})`;
  return { name, document: parseIamDocument(doc.json, use, name), source: doc.source };
}

const nameOfArn = (arn: string) => arn.slice(arn.lastIndexOf("/") + 1);

/** Resolves absent documents with supplied ones; throws when a supplied one matches nothing, or matches ambiguously. */
export class Supplies {
  private readonly used = new Set<SuppliedDocument>();
  constructor(private readonly supplied: SuppliedDocument[], private readonly absentCount: (use: DocumentUse) => number) {}

  find(use: DocumentUse, reference: string): NamedPolicy | undefined {
    const keyed = this.supplied.find((s) => s.use === use && s.key !== undefined && (s.key === reference || s.key === nameOfArn(reference) || reference.includes(s.key)));
    const unkeyed = this.supplied.find((s) => s.use === use && s.key === undefined);
    const hit = keyed ?? (unkeyed && this.absentCount(use) === 1 ? unkeyed : undefined);
    if (!hit) return undefined;
    this.used.add(hit);
    const doc = readDocument(hit.file, use);
    return { ...doc, source: { file: hit.file, resource: reference } };
  }

  /** Every supplied document must have stood in for something. */
  checkAllUsed(flag: (use: DocumentUse) => string): void {
    for (const s of this.supplied) {
      if (this.used.has(s)) continue;
      const many = s.key === undefined && this.absentCount(s.use) > 1;
      throw new PolicyInputError(
        many
          ? `${flag(s.use)} ${s.file}: several ${s.use} documents are missing from the inputs: name the one it supplies as <reference>=${s.file}`
          : `${flag(s.use)} ${s.key !== undefined ? `${s.key}=` : ""}${s.file}: the inputs reference no missing ${s.use} document${s.key !== undefined ? ` matching ${s.key}` : ""}`,
      );
    }
  }
}

export function findIdentityRoles(model: InputModel, supplied: SuppliedDocument[]): IdentityRole[] {
  const matches = (role: ModelRole, key: string) => key === role.name || key === role.arn || key === role.id;
  const handedOut = new Set<string>([
    ...model.roleAttachments.flatMap((a) => [a.authenticatedRoleArn, a.unauthenticatedRoleArn, ...a.mappings.flatMap((m) => m.rules.map((r) => r.roleArn))]),
    ...model.userPoolGroups.map((g) => g.roleArn),
  ].filter((x): x is string => !!x));

  const chosen: { role: ModelRole; external: boolean }[] = [];
  for (const role of model.roles) {
    const trusted = role.trust?.json !== undefined && trustsCognitoIdentity(parseIamDocument(role.trust.json, "trust", role.trust.label));
    if (trusted || role.trustBuiltFromIdentityPool || handedOut.has(role.arn)) chosen.push({ role, external: false });
  }
  // Roles the inputs attach policies to but do not define.
  const keys = [...model.rolePolicies.map((p) => p.role), ...model.attachments.map((a) => a.role)];
  for (const key of new Set(keys)) {
    if (model.roles.some((r) => matches(r, key))) continue;
    const source = model.rolePolicies.find((p) => p.role === key)?.document.source ?? model.attachments.find((a) => a.role === key)!.source;
    const name = key.startsWith("arn:") ? nameOfArn(key) : key;
    chosen.push({ role: { id: key, name, arn: key.startsWith("arn:") ? key : `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/${name}`, inline: [], managedPolicyArns: [], source }, external: true });
  }

  // First pass: what is missing, so an unkeyed supplied document can be matched when it is the only one.
  type Pending = { holder: ModelRole; use: DocumentUse; reference: string; why: string; source: SourceLocation };
  const pending: Pending[] = [];
  const collected = chosen.map(({ role, external }) => {
    const docs: ModelDocument[] = [...role.inline, ...model.rolePolicies.filter((p) => matches(role, p.role)).map((p) => p.document)];
    const arns = [...role.managedPolicyArns, ...model.attachments.filter((a) => matches(role, a.role)).map((a) => ({ arn: a.policyArn, source: a.source }))];
    for (const { arn, source } of arns) {
      const managed = model.managedPolicies.find((m) => m.arn === arn);
      if (managed) docs.push(managed.document);
      else pending.push({ holder: role, use: "identity", reference: arn, why: arn.startsWith("arn:aws:iam::aws:policy/") ? "an AWS-managed policy" : arn.startsWith("another stack") ? "a value another stack exports" : "a managed policy these inputs do not define", source });
    }
    return { role, external, docs: [...new Map(docs.map((d) => [d, d])).values()] };
  });
  for (const c of collected) {
    for (const d of c.docs) if (d.missing) pending.push({ holder: c.role, use: "identity", reference: d.label, why: d.missing, source: d.source });
    if (c.role.trust?.missing) pending.push({ holder: c.role, use: "trust", reference: c.role.trust.label, why: c.role.trust.missing, source: c.role.trust.source });
  }
  const supplies = new Supplies(supplied, (use) => pending.filter((p) => p.use === use).length);

  const roles = collected.map(({ role, external, docs }): IdentityRole => {
    const absent: AbsentDocument[] = [];
    const identityPolicies: NamedPolicy[] = docs.filter((d) => !d.missing).map((d) => namedPolicy(d, "identity"));
    let trustGiven: NamedPolicy | undefined;
    for (const p of pending.filter((x) => x.holder === role)) {
      const given = supplies.find(p.use, p.reference);
      if (!given) absent.push({ reference: p.reference, use: p.use, holder: role.id, why: p.why, source: p.source });
      else if (p.use === "identity") identityPolicies.push(given);
      else trustGiven = given;
    }
    const trustPolicy = role.trust?.json !== undefined ? namedPolicy(role.trust, "trust") : trustGiven;
    return { role, external, identityPolicies, ...(trustPolicy ? { trustPolicy } : {}), absent };
  });
  supplies.checkAllUsed((use) => (use === "identity" ? "--identity-policy" : use === "trust" ? "--trust-policy" : "--bucket-policy"));
  return roles;
}
