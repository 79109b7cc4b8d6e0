/**
 * Reads an input file as JSON or YAML and remembers where things are, so reports can point at the
 * line of a resource or statement. YAML is read by js-yaml with yaml-cfn's CloudFormation schema
 * (`!Ref`, `!Sub`, `!GetAtt A.B` … become their long forms); an unknown tag is an error. JSON is
 * parsed by JSON.parse, and jsonc-parser finds offsets only when a line is asked for.
 */
import * as yaml from "js-yaml";
import { findNodeAtLocation, parseTree, type Node } from "jsonc-parser";
import { schema as cloudFormationSchema } from "yaml-cfn";
import { PolicyInputError } from "../../iam/document";

export type JsonPath = (string | number)[];

export interface LocatedDocument {
  value: unknown;
  syntax: "json" | "yaml";
  /** 1-based line where the value at `path` starts (the nearest enclosing object's, for YAML scalars). */
  lineAt(path: JsonPath): number | undefined;
}

/** Deeper than any template, plan or export needs; a bound for hostile input. */
const MAX_DEPTH = 200;

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

function lineOfOffset(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

function parseJson(file: string, text: string): LocatedDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new PolicyInputError(`${file}: not valid JSON (${(e as Error).message.replace(/\s+/g, " ")})`);
  }
  let tree: Node | undefined;
  let starts: number[] | undefined;
  return {
    value,
    syntax: "json",
    lineAt(path) {
      tree ??= parseTree(text);
      starts ??= lineStarts(text);
      if (!tree) return undefined;
      // The key's line for a property (where a reader looks), the value's for an array element.
      const node = findNodeAtLocation(tree, path);
      if (!node) return undefined;
      const keyNode = node.parent?.type === "property" ? node.parent : node;
      return lineOfOffset(starts, keyNode.offset);
    },
  };
}

function parseYaml(file: string, text: string): LocatedDocument {
  const lines = new WeakMap<object, number>();
  const open: number[] = [];
  let value: unknown;
  try {
    value = yaml.load(text, {
      schema: cloudFormationSchema,
      filename: file,
      listener(event, state) {
        if (event === "open") {
          open.push(state.line);
          if (open.length > MAX_DEPTH) throw new PolicyInputError(`${file}: nested deeper than ${MAX_DEPTH} levels`);
          return;
        }
        const line = open.pop();
        if (line !== undefined && state.result !== null && typeof state.result === "object" && !lines.has(state.result)) lines.set(state.result, line + 1);
      },
    });
  } catch (e) {
    if (e instanceof PolicyInputError) throw e;
    const err = e as yaml.YAMLException;
    const where = err.mark ? ` at line ${err.mark.line + 1}` : "";
    const reason = err.reason ?? err.message;
    const hint = /unknown tag/.test(reason) ? " (a tag that is neither YAML's nor a CloudFormation intrinsic function)" : "";
    throw new PolicyInputError(`${file}: not valid YAML${where}: ${reason}${hint}`);
  }
  return {
    value,
    syntax: "yaml",
    lineAt(path) {
      let node: unknown = value;
      let line: number | undefined = typeof node === "object" && node !== null ? lines.get(node) : undefined;
      for (const key of path) {
        if (typeof node !== "object" || node === null) break;
        node = (node as Record<string | number, unknown>)[key];
        if (typeof node === "object" && node !== null) line = lines.get(node) ?? line;
      }
      return line;
    },
  };
}

/** Parses `text` (read from `file`): JSON when it looks like JSON, YAML otherwise. */
export function parseLocated(file: string, text: string): LocatedDocument {
  const body = text.replace(/^\uFEFF/, "");
  return /^\s*[{[]/.test(body) && !/\.ya?ml$/i.test(file) ? parseJson(file, body) : parseYaml(file, body);
}
