/**
 * A flag that names what the inputs left open (`--bucket` for a bucket whose name CloudFormation
 * generates, `--identity-pool-id` for the pool a template creates) replaces the placeholder the
 * reader stood in for it, everywhere the inputs use it: names, ARNs, documents.
 */
import type { InputModel } from "./model";

function replaceIn(value: unknown, from: string, to: string): unknown {
  if (typeof value === "string") return value.includes(from) ? value.split(from).join(to) : value;
  if (Array.isArray(value)) return value.map((v) => replaceIn(v, from, to));
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceIn(v, from, to)]));
  return value;
}

export function replacePlaceholder(model: InputModel, from: string, to: string): void {
  const swap = <T>(v: T): T => replaceIn(v, from, to) as T;
  const doc = <T extends { json?: unknown }>(d: T): T => (d.json === undefined ? d : Object.assign(d, { json: swap(d.json) }));
  for (const r of model.roles) {
    r.name = swap(r.name);
    r.arn = swap(r.arn);
    if (r.trust) doc(r.trust);
    r.inline.forEach(doc);
    for (const m of r.managedPolicyArns) m.arn = swap(m.arn);
  }
  for (const p of model.rolePolicies) {
    p.role = swap(p.role);
    doc(p.document);
  }
  for (const m of model.managedPolicies) {
    m.arn = swap(m.arn);
    doc(m.document);
  }
  for (const a of model.attachments) Object.assign(a, { role: swap(a.role), policyArn: swap(a.policyArn) });
  for (const b of model.buckets) if (b.name === from) Object.assign(b, { name: to, placeholder: false });
  for (const b of model.bucketPolicies) {
    b.bucket = swap(b.bucket);
    doc(b.document);
  }
  for (const o of model.ownershipControls) o.bucket = swap(o.bucket);
  for (const p of model.identityPools) if (p.id === from) Object.assign(p, { id: to, placeholder: false });
  for (const a of model.roleAttachments) Object.assign(a, swap({ ...a, source: undefined }), { source: a.source });
  for (const g of model.userPoolGroups) if (g.roleArn) g.roleArn = swap(g.roleArn);
  model.placeholders.delete(from);
}
