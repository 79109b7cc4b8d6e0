/**
 * A synthesized stack (synth/synthesize.ts, the mock runtime) as the policy analyzer would receive it.
 *
 * - `up`: every value is known, as when `pulumi up` analyzes each resource just before creating it
 *   (inputs) and the stack once it is deployed (outputs = inputs + what the provider computed + id).
 * - `first-preview`: a preview of a stack that does not exist yet. Nothing has an id or ARN, so every
 *   input that embeds another resource's id or provider-computed attribute is unknown (the SDK's
 *   unknown sentinel), and so is every computed output except the auto-names Pulumi picks during
 *   preview (`name`, `bucket`). This errs on the unknown side: a real preview may know a little more
 *   (an auto-named role's name), never less.
 *
 * In both phases `propertyDependencies` are derived as the engine records them: a property depends
 * on every resource whose id or computed attribute its value embeds.
 */
import type { SynthesizedResource, SynthesizedStack } from "../../synth/synthesize";
import { UNKNOWN_STRING } from "../policies/unknowns";
import type { TestResource } from "./validation-args";

export type Phase = "up" | "first-preview";

/** Computed attributes the provider fills in during preview (auto-naming runs in Check). */
const KNOWN_AT_PREVIEW = new Set(["name", "bucket"]);
/** Computed attributes that are not references (the mock also reports the region). */
const NOT_A_REFERENCE = new Set(["region"]);

function computedKeys(r: SynthesizedResource): string[] {
  return Object.keys(r.state).filter((k) => !(k in r.inputs) && !NOT_A_REFERENCE.has(k));
}

/** Values other resources can only know once `r` exists: its id and what the provider computed. */
function referenceValues(r: SynthesizedResource): string[] {
  const values = [r.id, ...computedKeys(r).map((k) => r.state[k])];
  return values.filter((v): v is string => typeof v === "string" && v.length >= 8);
}

function mapStrings(value: unknown, f: (s: string) => string): unknown {
  if (typeof value === "string") return f(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f));
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, f)]));
  }
  return value;
}

/** Every string inside `value`, as mapStrings visits them. */
function stringsIn(value: unknown): string[] {
  const strings: string[] = [];
  mapStrings(value, (s) => {
    strings.push(s);
    return s;
  });
  return strings;
}

export function stackResources(stack: SynthesizedStack, phase: Phase = "up"): TestResource[] {
  const custom = stack.resources.filter((r) => r.custom);
  const references = new Map(custom.map((r) => [r, referenceValues(r)]));
  return stack.resources.map((r): TestResource => {
    const others = custom.filter((o) => o !== r);
    const dependsOn: Record<string, string[]> = {};
    for (const [key, value] of Object.entries(r.inputs)) {
      const strings = stringsIn(value); // collected once per input, not once per other resource
      const deps = others.filter((o) => references.get(o)!.some((ref) => strings.some((s) => s.includes(ref)))).map((o) => o.urn);
      if (deps.length > 0) dependsOn[key] = deps;
    }
    const base = { type: r.type, name: r.name, urn: r.urn, dependsOn };
    if (phase === "up") {
      return { ...base, inputs: { ...r.inputs }, outputs: { ...r.state, ...(r.id !== undefined ? { id: r.id } : {}) } };
    }
    const unknownRefs = others.flatMap((o) => references.get(o)!);
    const inputs = mapStrings(r.inputs, (s) => (unknownRefs.some((ref) => s.includes(ref)) ? UNKNOWN_STRING : s)) as Record<string, unknown>;
    const computed = Object.fromEntries(
      (r.custom ? computedKeys(r) : []).map((k) => [k, KNOWN_AT_PREVIEW.has(k) ? r.state[k] : UNKNOWN_STRING]),
    );
    return { ...base, inputs, outputs: { ...inputs, ...computed, ...(r.custom ? { id: UNKNOWN_STRING } : {}) } };
  });
}
