/**
 * Just enough of IAM's identity-policy evaluation for the S3 stand-in: explicit Deny wins, then
 * any Allow, else implicit deny. Action and Resource globs (`*`, `?`), policy variables
 * substituted in Resource and condition values, and the condition operators these policies use.
 * An operator it does not know makes it throw, so it can never allow by not understanding.
 */
import type { PolicyDocument, PolicyStatement } from "../iam/document";

export interface IamRequest {
  action: string;
  resource: string;
  /** Request context keys, e.g. `s3:prefix`. */
  context: Record<string, string | undefined>;
}

function glob(pattern: string, value: string, caseInsensitive = false): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${source}$`, caseInsensitive ? "is" : "s").test(value);
}

function list(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function substitute(text: string, variables: Record<string, string>): string {
  return text.replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
    const value = variables[name];
    if (value === undefined) throw new Error(`iam-evaluator: no value for policy variable ${whole}`);
    return value;
  });
}

function conditionHolds(condition: PolicyStatement["Condition"], request: IamRequest, variables: Record<string, string>): boolean {
  for (const [operator, entries] of Object.entries(condition ?? {})) {
    for (const [key, rawValues] of Object.entries(entries)) {
      const actual = request.context[key];
      const values = list(rawValues).map((v) => substitute(v, variables));
      if (actual === undefined) return false;
      if (operator === "StringLike") {
        if (!values.some((v) => glob(v, actual))) return false;
      } else if (operator === "StringEquals") {
        if (!values.includes(actual)) return false;
      } else {
        throw new Error(`iam-evaluator: unsupported condition operator ${operator}`);
      }
    }
  }
  return true;
}

function matches(statement: PolicyStatement, request: IamRequest, variables: Record<string, string>): boolean {
  if (statement.NotAction || statement.NotResource || statement.Principal || statement.NotPrincipal) {
    throw new Error("iam-evaluator: only Action/Resource identity policies are supported");
  }
  const actionMatches = list(statement.Action).some((a) => glob(a, request.action, true));
  const resourceMatches = list(statement.Resource).some((r) => glob(substitute(r, variables), request.resource));
  return actionMatches && resourceMatches && conditionHolds(statement.Condition, request, variables);
}

export function evaluate(policy: PolicyDocument, request: IamRequest, variables: Record<string, string>): "Allow" | "Deny" {
  const applicable = policy.Statement.filter((s) => matches(s, request, variables));
  if (applicable.some((s) => s.Effect === "Deny")) return "Deny";
  return applicable.some((s) => s.Effect === "Allow") ? "Allow" : "Deny";
}
