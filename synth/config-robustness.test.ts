/**
 * Config that should never reach the program, through both commands that read a stage offline
 * (`npm run synth`, `npm run review`): an empty value, a YAML alias bomb, an array past its bound
 * and a --stack that is not a stack name. Each gets one line naming the key, and exit 2.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { runReviewCli as RunReviewCli } from "../review/test-support/review-inputs";
import type { runSynthCli as RunSynthCli } from "./cli";
import * as projectConfig from "./project-config";

const PROJECT_YAML = fs.readFileSync(path.join(projectConfig.PROJECT_ROOT, "Pulumi.yaml"), "utf8");

/** A project directory with this project's Pulumi.yaml and the given stack files. */
function projectWith(stacks: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iss-robust-"));
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), PROJECT_YAML);
  for (const [stack, text] of Object.entries(stacks)) fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), text);
  return dir;
}

/** Nine levels of nine-fold aliases: 9^9 strings (gigabytes) once expanded. */
function aliasBomb(key: string): string {
  const lines = ["config:", "  aws:region: ap-northeast-1", `  x0: &a0 [${Array(9).fill('"http://localhost:3000"').join(", ")}]`];
  for (let i = 1; i <= 8; i++) lines.push(`  x${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(", ")}]`);
  lines.push(`  ${key}: *a8`);
  return lines.join("\n") + "\n";
}

const STACKS = {
  empty: "config:\n  aws:region: ap-northeast-1\n  identity-scoped-storage:prefix:\n",
  bomb: aliasBomb("identity-scoped-storage:corsOrigins"),
  origins: `config:\n  aws:region: ap-northeast-1\n  identity-scoped-storage:corsOrigins:\n${Array.from({ length: 100 }, (_, i) => `    - https://app${i}.example.com\n`).join("")}`,
  // Control: aliases used as intended (one list written once, used twice) are fine.
  aliases: "config:\n  aws:region: ap-northeast-1\n  identity-scoped-storage:logoutUrls: &urls\n    - https://files.example.com/\n  identity-scoped-storage:corsOrigins: [https://files.example.com]\n  identity-scoped-storage:callbackUrls: *urls\n",
};

let dir: string;
let runSynthCli: typeof RunSynthCli;
let runReviewCli: typeof RunReviewCli;
beforeAll(async () => {
  dir = projectWith(STACKS);
  // The commands get the real loader, reading this directory instead of the checkout: the module is
  // replaced before they are loaded (its exports are read-only, so no single export is swapped).
  jest.doMock("./project-config", () => ({ ...projectConfig, stackConfig: (stack: string, overrides?: Record<string, unknown>) => projectConfig.stackConfig(stack, overrides, dir) }));
  ({ runSynthCli } = await import("./cli"));
  ({ runReviewCli } = await import("../review/test-support/review-inputs"));
});

async function synthCli(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runSynthCli(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

describe.each([
  ["npm run synth", synthCli],
  ["npm run review", (...argv: string[]) => runReviewCli(...argv)],
])("%s", (_command, cli) => {
  it.each([
    ["empty", /^error: Pulumi\.empty\.yaml: identity-scoped-storage:prefix has an empty value \(nothing after the colon\)/],
    ["bomb", /^error: Pulumi\.bomb\.yaml: x\d expands to more than 10000 values or 1000000 characters \(YAML aliases/],
    ["origins", /^error: Invalid configuration for stack 'origins' \(nothing was created\): identity-scoped-storage:corsOrigins: has 100 items; at most 20 are allowed$/],
  ])("stack %s: one line naming the key, exit 2", async (stack, message) => {
    const started = Date.now();
    const r = await cli("--stack", stack);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(message);
    expect(Date.now() - started).toBeLessThan(5000); // the bomb used to take 15 s and die with "Invalid string length"
  });

  it.each(["../Pulumi", "org/identity-scoped-storage/dev", "C:\\stacks\\dev", "dev stack", "x".repeat(101), ""])("--stack %j: not a stack name, exit 2", async (stack) => {
    const r = await cli("--stack", stack);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/is not a Pulumi stack name: 1-100 of A-Z a-z 0-9 _ \. -/);
  });
});

it("control: aliases used as intended, and a long but valid stack name, are accepted", async () => {
  const r = await synthCli("--stack", "aliases", "--json");
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  expect(projectConfig.stackNameProblem("feature-x.1_2")).toBeUndefined();
  expect(projectConfig.stackNameProblem("x".repeat(100))).toBeUndefined();
});
