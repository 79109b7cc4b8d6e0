/**
 * The template fixture corpus (review/fixtures/templates/<case>/case.json): each real input with
 * its source, its plain-JSON form (the extracted policy files), the args of both forms, the ground
 * truth argued from IAM semantics and the expected exit. Paths in args are relative to the case.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export const TEMPLATES_DIR = path.join(__dirname, "..", "fixtures", "templates");

export interface TemplateCase {
  name: string;
  dir: string;
  title: string;
  template: string[];
  plain: string[];
  groundTruth: string;
  expectedExit: { default: number; strict: number };
  expectMentions: string[];
}

const FILE_FLAGS = new Set(["--template", "--identity-policy", "--trust-policy", "--bucket-policy", "--parameters"]);

/** Args with the case's file paths made absolute (`reference=file` keeps its reference). */
export function resolveArgs(dir: string, args: string[]): string[] {
  return args.map((a, i) => {
    if (!FILE_FLAGS.has(args[i - 1] ?? "")) return a;
    const eq = a.lastIndexOf("=");
    return eq > 0 ? `${a.slice(0, eq)}=${path.join(dir, a.slice(eq + 1))}` : path.join(dir, a);
  });
}

export function templateCases(): TemplateCase[] {
  return fs
    .readdirSync(TEMPLATES_DIR)
    .filter((d) => fs.existsSync(path.join(TEMPLATES_DIR, d, "case.json")))
    .sort()
    .map((name) => {
      const dir = path.join(TEMPLATES_DIR, name);
      const c = JSON.parse(fs.readFileSync(path.join(dir, "case.json"), "utf8")) as Omit<TemplateCase, "name" | "dir">;
      return { ...c, name, dir, template: resolveArgs(dir, c.template), plain: resolveArgs(dir, c.plain) };
    });
}
