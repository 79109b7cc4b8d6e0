/**
 * The real-world fixture corpus (review/fixtures/real-world/): one folder per case holding the
 * policy documents as found in a public source and a case.json with the source, the reviewer
 * arguments that state the design's intent, the ground truth argued from IAM semantics and the
 * expected exit codes. Shared by the corpus's review test and its integrity test.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { DocumentUse } from "../../iam/document";

export const REAL_WORLD_DIR = path.join(__dirname, "..", "fixtures", "real-world");

/** Reviewer flags whose value is a policy file, with the use IAM gives that document. */
export const DOCUMENT_FLAGS: Readonly<Record<string, DocumentUse>> = {
  "--identity-policy": "identity",
  "--trust-policy": "trust",
  "--bucket-policy": "resource",
};

/** A case.json as written, plus where it was read from. */
export interface RealWorldCase {
  /** The case folder's name. */
  name: string;
  /** The case folder's absolute path. */
  dir: string;
  title: string;
  /** Where the documents come from and what was substituted on the way. */
  source: { repo: string; path: string; commit?: string; url: string; note: string };
  /** `npm run review` arguments; document paths are relative to the case folder. */
  args: string[];
  /** Who can reach what, argued statement by statement. */
  groundTruth: string;
  /** Exit code of a default run (proof on; `--no-prove` must agree) and of a `--strict` run. */
  expectedExit: { default: number; strict: number };
  /** Substrings the table report must contain. */
  expectMentions?: string[];
}

/** Every case folder, in name order. */
export function loadRealWorldCases(): RealWorldCase[] {
  return fs
    .readdirSync(REAL_WORLD_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const dir = path.join(REAL_WORLD_DIR, name);
      const written = JSON.parse(fs.readFileSync(path.join(dir, "case.json"), "utf8")) as Omit<RealWorldCase, "name" | "dir">;
      return { ...written, name, dir };
    });
}

/** The documents a case names, in argument order, each with the use its flag gives it. */
export function caseDocuments(c: RealWorldCase): { file: string; use: DocumentUse }[] {
  return c.args.flatMap((arg, i) => {
    const use = DOCUMENT_FLAGS[arg];
    const file = c.args[i + 1];
    return use && file !== undefined ? [{ file, use }] : [];
  });
}

/** The case's arguments with every document path made absolute, ready for the reviewer. */
export function resolvedArgs(c: RealWorldCase): string[] {
  return c.args.map((arg, i) => (i > 0 && DOCUMENT_FLAGS[c.args[i - 1]!] ? path.join(c.dir, arg) : arg));
}
