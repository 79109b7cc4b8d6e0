/**
 * Reading IAM policy documents written anywhere (ours, a CDK or Terraform app's): the one parser
 * the reviewer command, the policy tests and the policy pack share. It checks the shape IAM
 * requires for the document's use and normalizes it (Statement always a list, condition values
 * always strings), so every consumer reads the same structure.
 */

/** What a document is for: attached to a principal, attached to a resource, or a role's trust. */
export type DocumentUse = "identity" | "resource" | "trust";

export type ConditionValues = string | string[];
/** `{ Operator: { key: values } }`, as in IAM JSON. */
export type ConditionBlock = Record<string, Record<string, ConditionValues>>;
export type Principal = "*" | Record<string, string | string[]>;

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: Principal;
  NotPrincipal?: Principal;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: ConditionBlock;
}

/** A document this project writes: always Version 2012-10-17, so policy variables apply. */
export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

/** A parsed policy. `Version` is kept as written: it decides whether `${…}` variables apply. */
export interface IamDocument {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement[];
}

export class PolicyInputError extends Error {
  override name = "PolicyInputError";
}

const STATEMENT_KEYS = new Set(["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"]);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function stringList(v: unknown, where: string): string | string[] {
  if (typeof v === "string") return v;
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "string")) return v as string[];
  throw new PolicyInputError(`${where} must be a string or a non-empty list of strings`);
}

function conditionBlock(v: unknown, where: string): ConditionBlock {
  if (!isObject(v)) throw new PolicyInputError(`${where} must be an object of operators`);
  const out: ConditionBlock = {};
  for (const [operator, keys] of Object.entries(v)) {
    if (!isObject(keys)) throw new PolicyInputError(`${where}.${operator} must be an object of condition keys`);
    out[operator] = {};
    for (const [key, value] of Object.entries(keys)) {
      const scalar = (x: unknown) => {
        if (typeof x === "string") return x;
        if (typeof x === "boolean" || typeof x === "number") return String(x);
        throw new PolicyInputError(`${where}.${operator}["${key}"] must hold strings, numbers or booleans`);
      };
      out[operator]![key] = Array.isArray(value) ? value.map(scalar) : scalar(value);
    }
  }
  return out;
}

function principal(v: unknown, where: string): Principal {
  if (v === "*") return "*";
  if (!isObject(v)) throw new PolicyInputError(`${where} must be "*" or an object such as {"AWS": …}`);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, stringList(x, `${where}.${k}`)]));
}

function statement(raw: unknown, index: number, use: DocumentUse, source: string): PolicyStatement {
  const where = `${source}: Statement[${index}]`;
  if (!isObject(raw)) throw new PolicyInputError(`${where} is not an object`);
  const unknown = Object.keys(raw).filter((k) => !STATEMENT_KEYS.has(k));
  if (unknown.length > 0) throw new PolicyInputError(`${where} has unknown element(s) ${unknown.join(", ")}`);
  if (raw.Effect !== "Allow" && raw.Effect !== "Deny") throw new PolicyInputError(`${where}.Effect must be "Allow" or "Deny"`);
  if ((raw.Action === undefined) === (raw.NotAction === undefined)) throw new PolicyInputError(`${where} needs exactly one of Action or NotAction`);
  // Principal first: a trust or bucket policy given as an identity policy is the likelier mistake.
  const hasPrincipal = raw.Principal !== undefined || raw.NotPrincipal !== undefined;
  if (use === "identity" && hasPrincipal) throw new PolicyInputError(`${where} has a Principal, which an identity policy cannot have (is this a resource or trust policy?)`);
  if (use !== "identity" && !hasPrincipal) throw new PolicyInputError(`${where} needs a Principal in a ${use} policy`);
  const hasResource = raw.Resource !== undefined || raw.NotResource !== undefined;
  if (raw.Resource !== undefined && raw.NotResource !== undefined) throw new PolicyInputError(`${where} has both Resource and NotResource`);
  if (use !== "trust" && !hasResource) throw new PolicyInputError(`${where} needs Resource or NotResource`);
  const out: PolicyStatement = { Effect: raw.Effect };
  if (raw.Sid !== undefined) {
    if (typeof raw.Sid !== "string") throw new PolicyInputError(`${where}.Sid must be a string`);
    out.Sid = raw.Sid;
  }
  if (raw.Principal !== undefined) out.Principal = principal(raw.Principal, `${where}.Principal`);
  if (raw.NotPrincipal !== undefined) out.NotPrincipal = principal(raw.NotPrincipal, `${where}.NotPrincipal`);
  if (raw.Action !== undefined) out.Action = stringList(raw.Action, `${where}.Action`);
  if (raw.NotAction !== undefined) out.NotAction = stringList(raw.NotAction, `${where}.NotAction`);
  if (raw.Resource !== undefined) out.Resource = stringList(raw.Resource, `${where}.Resource`);
  if (raw.NotResource !== undefined) out.NotResource = stringList(raw.NotResource, `${where}.NotResource`);
  if (raw.Condition !== undefined) out.Condition = conditionBlock(raw.Condition, `${where}.Condition`);
  return out;
}

/** Parses a document (JSON text or an already-parsed value) meant for `use`; throws PolicyInputError. */
export function parseIamDocument(input: unknown, use: DocumentUse, source: string): IamDocument {
  let value = input;
  if (typeof input === "string") {
    try {
      value = JSON.parse(input);
    } catch (e) {
      // One line: V8's message quotes the input, line breaks and all.
      throw new PolicyInputError(`${source}: not valid JSON (${(e as Error).message.replace(/\s+/g, " ")})`);
    }
  }
  if (!isObject(value) || value.Statement === undefined) {
    throw new PolicyInputError(`${source}: not an IAM policy document (expected an object with "Statement")`);
  }
  const unknown = Object.keys(value).filter((k) => !["Version", "Id", "Statement"].includes(k));
  if (unknown.length > 0) throw new PolicyInputError(`${source}: unknown top-level element(s) ${unknown.join(", ")}`);
  if (value.Version !== undefined && value.Version !== "2012-10-17" && value.Version !== "2008-10-17") {
    throw new PolicyInputError(`${source}: Version must be "2012-10-17" or "2008-10-17"`);
  }
  const raw = Array.isArray(value.Statement) ? value.Statement : [value.Statement];
  if (raw.length === 0) throw new PolicyInputError(`${source}: Statement is empty`);
  return {
    ...(value.Version !== undefined ? { Version: value.Version as string } : {}),
    ...(typeof value.Id === "string" ? { Id: value.Id } : {}),
    Statement: raw.map((s, i) => statement(s, i, use, source)),
  };
}

/** A statement's list-valued element, as a list. */
export function listOf(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** How findings name a statement: its Sid, or its index. */
export function statementLabel(s: PolicyStatement, index: number): string {
  return s.Sid ? s.Sid : `#${index}`;
}
