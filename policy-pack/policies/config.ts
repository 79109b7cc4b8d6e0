/**
 * What the pack's config can change, per policy (`--policy-pack-config <file>` locally, or the
 * policy group's settings in Pulumi Cloud). Each policy declares its keys in its `configSchema`;
 * `enforcementLevel` is Pulumi's own key and is never declared here. Defaults are applied in code
 * as well as declared, so a missing key always means the strict behaviour.
 */
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

/** Keys every policy of the pack accepts. */
export interface ExemptionConfig {
  /** Resources the policy does not judge: URNs, logical names or physical names, `*` as a wildcard. */
  exemptResources?: string[];
}

export const patternListSchema = (description: string): PolicyConfigJSONSchema => ({
  type: "array",
  items: { type: "string", minLength: 1 },
  uniqueItems: true,
  default: [],
  description,
});

export const exemptResourcesSchema = patternListSchema(
  "Resources this policy does not judge: URNs, logical names or physical names; '*' matches any run of characters. " +
    "Each exemption should carry a reason in your change history.",
);

export const optInSchema = (description: string): PolicyConfigJSONSchema => ({ type: "boolean", default: false, description });

/** How a resource can be named in config. Unknown names (during preview) are simply absent. */
export interface Nameable {
  urn: string;
  /** Logical (Pulumi) name. */
  name: string;
  /** Physical name (role name, bucket name), when known. */
  physicalName?: string;
}

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${escaped.join(".*")}$`);
}

/** True when any pattern names the resource by URN, logical name or physical name. */
export function matchesAny(patterns: readonly string[] | undefined, resource: Nameable): boolean {
  if (!patterns || patterns.length === 0) return false;
  const names = [resource.urn, resource.name, resource.physicalName].filter((n): n is string => typeof n === "string" && n.length > 0);
  return patterns.some((p) => {
    const re = globToRegExp(p);
    return names.some((n) => re.test(n));
  });
}

/** Reads a list-valued config key; anything but a list of strings is a configuration error. */
export function stringList(config: object, key: string, policy: string): string[] {
  const value = (config as Record<string, unknown>)[key];
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new Error(`policy ${policy}: config ${key} must be a list of strings, got ${JSON.stringify(value)}`);
  }
  return value as string[];
}

/** Reads a boolean config key (default false); anything else is a configuration error. */
export function flag(config: object, key: string, policy: string): boolean {
  const value = (config as Record<string, unknown>)[key];
  if (value === undefined) return false;
  if (typeof value !== "boolean") throw new Error(`policy ${policy}: config ${key} must be true or false, got ${JSON.stringify(value)}`);
  return value;
}
