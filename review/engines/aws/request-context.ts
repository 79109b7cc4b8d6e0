/**
 * The request context of one simulated request, as IAM's simulator takes it: typed
 * ContextEntries. The identity id travels as a string entry named after the policy variable, so
 * the simulator resolves `${cognito-identity.amazonaws.com:sub}` itself.
 */
import type { ContextEntry, ContextKeyTypeEnum } from "@aws-sdk/client-iam";
import { IDENTITY_ID_KEY } from "../../../iam/cognito";
import type { S3Request } from "../engine";

type ScalarKeyType = "string" | "boolean" | "numeric" | "date" | "ip";

/**
 * Global and S3 keys whose type is not string, by lower-cased name (IAM key names are
 * case-insensitive). Every other key is a string. The type follows from the key, never guessed
 * from a value that happens to read "true"; an array value makes it the list type.
 */
const KEY_TYPES: Record<string, ScalarKeyType> = {
  "aws:securetransport": "boolean",
  "aws:multifactorauthpresent": "boolean",
  "aws:viaawsservice": "boolean",
  "aws:principalisawsservice": "boolean",
  "aws:multifactorauthage": "numeric",
  "s3:max-keys": "numeric",
  "s3:signatureage": "numeric",
  "s3:object-lock-remaining-retention-days": "numeric",
  "aws:currenttime": "date",
  "aws:tokenissuetime": "date",
  "aws:sourceip": "ip",
};

const VALUE_CHECKS: Record<Exclude<ScalarKeyType, "string">, { test: (v: string) => boolean; expected: string }> = {
  boolean: { test: (v) => v === "true" || v === "false", expected: '"true" or "false"' },
  numeric: { test: (v) => /^-?\d+(\.\d+)?$/.test(v), expected: "a number" },
  date: { test: (v) => /^\d+$/.test(v) || !Number.isNaN(Date.parse(v)), expected: "an ISO 8601 date or epoch seconds" },
  ip: { test: (v) => /^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(v), expected: "an IP address or CIDR" },
};

/** The ContextKeyType for `key` holding `value`: the key's scalar type, or its list type for an array. */
export function contextKeyType(key: string, value: string | string[]): ContextKeyTypeEnum {
  const scalar = KEY_TYPES[key.toLowerCase()] ?? "string";
  return (Array.isArray(value) ? `${scalar}List` : scalar) as ContextKeyTypeEnum;
}

/**
 * The ContextEntries for one request: the caller's identity id as a string entry, every
 * context key with its type, and `aws:PrincipalArn` = the role (what IAM sets for a role
 * session) unless the request sets it or leaves it out on purpose. Throws on a value the key's
 * type cannot hold.
 */
export function contextEntriesFor(request: Pick<S3Request, "identityId" | "context" | "deliberatelyAbsent" | "role">): ContextEntry[] {
  const entries: ContextEntry[] = request.identityId === undefined ? [] : [{ ContextKeyName: IDENTITY_ID_KEY, ContextKeyValues: [request.identityId], ContextKeyType: "string" }];
  const given = new Set([IDENTITY_ID_KEY]);
  for (const key of Object.keys(request.context).sort()) {
    if (key.toLowerCase() === IDENTITY_ID_KEY) continue; // the engine supplies the identity id itself
    const value = request.context[key]!;
    const type = contextKeyType(key, value);
    const values = Array.isArray(value) ? value : [value];
    const scalar = type.replace(/List$/, "") as ScalarKeyType;
    if (scalar !== "string") {
      const check = VALUE_CHECKS[scalar];
      const bad = values.find((v) => !check.test(v));
      if (bad !== undefined) throw new Error(`context key ${key} is ${scalar}: ${JSON.stringify(bad)} is not ${check.expected}`);
    }
    entries.push({ ContextKeyName: key, ContextKeyValues: values, ContextKeyType: type });
    given.add(key.toLowerCase());
  }
  const absent = new Set(request.deliberatelyAbsent.map((k) => k.toLowerCase()));
  if (!given.has("aws:principalarn") && !absent.has("aws:principalarn")) {
    entries.push({ ContextKeyName: "aws:PrincipalArn", ContextKeyValues: [request.role.roleArn], ContextKeyType: "string" });
  }
  return entries;
}
