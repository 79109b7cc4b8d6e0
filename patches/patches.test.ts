/**
 * Each fix in patches/ is for the dependency version installed, and applied (./npmw applies them
 * after every install); and each changes speed only: the patched code answers what the original did.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";

const ROOT = path.join(__dirname, "..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");
const patches = fs.readdirSync(__dirname).filter((f) => f.endsWith(".patch"));

describe("every patch is for the installed version, and applied", () => {
  it("there are patches to check (the control for the checks below)", () => {
    expect(patches.length).toBeGreaterThan(0);
  });

  it.each(patches)("%s", (file) => {
    // patch-package's names: `<name>+<version>.patch`, a scope's `/` written as `+`.
    const [, name, version] = /^(.+)\+([^+]+)\.patch$/.exec(file)!;
    const installed = JSON.parse(read(`node_modules/${name!.replace(/^(@[^+]+)\+/, "$1/")}/package.json`)) as { version: string };
    expect(installed.version).toBe(version);
    const text = read(`patches/${file}`);
    const files = [...text.matchAll(/^\+\+\+ b\/(\S+)\n([\s\S]*?)(?=^diff --git|(?![\s\S]))/gm)];
    expect(files.length).toBeGreaterThan(0);
    for (const [, target, body] of files) {
      const now = read(target!);
      const lines = body!.split("\n");
      const added = lines.filter((l) => l.startsWith("+")).map((l) => l.slice(1));
      const removed = lines.filter((l) => l.startsWith("-")).map((l) => l.slice(1)).filter((l) => !added.includes(l));
      expect(added.length + removed.length).toBeGreaterThan(0);
      for (const l of added) expect(now).toContain(l);
      for (const l of removed) expect(now.split("\n")).not.toContain(l);
    }
  });
});

it("@cloud-copilot/iam-policy: caseInsensitiveEquals still answers what localeCompare (accent sensitivity) answers", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the evaluator's own module
  const { caseInsensitiveEquals } = require(path.join(ROOT, "node_modules/@cloud-copilot/iam-policy/dist/cjs/utils.js")) as { caseInsensitiveEquals: (a: string, b: string) => boolean };
  const original = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: "accent" }) === 0;
  const text = fc.string({ unit: fc.constantFrom(..."aAbBsSß-_:/*?éÉeEıIİi0".split(""), "😀", "ｂ"), maxLength: 6 });
  fc.assert(fc.property(text, text, (a, b) => expect(caseInsensitiveEquals(a, b)).toBe(original(a, b))), { numRuns: 2000, seed: 15 });
  // Controls: case is ignored, accents are not.
  expect(caseInsensitiveEquals("s3:GetObject", "S3:GETOBJECT")).toBe(true);
  expect(caseInsensitiveEquals("e", "é")).toBe(false);
});

it("@pulumi/pulumi: a promise's stack is still captured for PULUMI_DEBUG_PROMISE_LEAKS's report, and only read there", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the SDK's own (internal) module
  const debuggable = require(path.join(ROOT, "node_modules/@pulumi/pulumi/runtime/debuggable.js")) as {
    debugPromiseLeaks: boolean;
    debuggablePromise: <T>(p: Promise<T>, ctx: string) => Promise<T>;
    promiseDebugString: (p: Promise<unknown>) => string;
  };
  const was = debuggable.debugPromiseLeaks;
  try {
    debuggable.debugPromiseLeaks = true;
    const traced = Promise.resolve(1);
    void debuggable.debuggablePromise(traced, "traced");
    expect(debuggable.promiseDebugString(traced)).toMatch(/CONTEXT\(\d+\): traced\nSTACK_TRACE:\nError\b[^\n]*\n\s+at [\s\S]*patches\.test\.ts/);
    // Control: without the variable no stack is kept, and the only reader is the report printed with it.
    debuggable.debugPromiseLeaks = false;
    const untraced = Promise.resolve(2);
    void debuggable.debuggablePromise(untraced, "untraced");
    expect((untraced as unknown as { _debugStackTrace: unknown })._debugStackTrace).toBeUndefined();
    const source = read("node_modules/@pulumi/pulumi/runtime/debuggable.js");
    expect(source.match(/_debugStackTrace\}/g)).toHaveLength(1);
    expect(source).toMatch(/if \(exports\.debugPromiseLeaks\) \{\s+for \(const leak of leaked\) \{\s+console\.error\("Promise leak detected:"\);\s+console\.error\(promiseDebugString\(leak\)\);/);
  } finally {
    debuggable.debugPromiseLeaks = was;
  }
});
