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

describe("@pulumi/pulumi: function serialization loads TypeScript and @npmcli/arborist when it first needs them, and works as before", () => {
  it("serializes a closure (the TypeScript parser reads its captured variables and `this`)", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the SDK, loaded here after the patch's lazy require
    const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
    const greeting = "hello from a captured variable";
    const counter = { n: 41, next() { return this.n + 1; } };
    const serialized = await pulumi.runtime.serializeFunction(() => `${greeting} ${counter.next()}`);
    expect(serialized.text).toContain(JSON.stringify(greeting));
    expect(serialized.text).toMatch(/n: 41/);
    expect(serialized.text).toContain("this.n + 1");
  });

  it("computes a closure's code paths from the package tree", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
    const dir = fs.mkdtempSync(path.join(require("node:os").tmpdir(), "iss-codepaths-")); // eslint-disable-line @typescript-eslint/no-require-imports
    const pkg = (at: string, json: object) => {
      fs.mkdirSync(at, { recursive: true });
      fs.writeFileSync(path.join(at, "package.json"), JSON.stringify(json));
    };
    pkg(dir, { name: "consumer", version: "1.0.0", dependencies: { "left-pad": "1.3.0" } });
    pkg(path.join(dir, "node_modules", "left-pad"), { name: "left-pad", version: "1.3.0" });
    pkg(path.join(dir, "node_modules", "unused"), { name: "unused", version: "1.0.0" });
    const cwd = process.cwd();
    try {
      process.chdir(dir);
      const paths = await pulumi.runtime.computeCodePaths();
      expect([...paths.keys()]).toEqual(["node_modules/left-pad"]);
    } finally {
      process.chdir(cwd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
