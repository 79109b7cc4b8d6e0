/**
 * Each fix in patches/ is for the dependency version installed, and applied (./npmw applies them
 * after every install); and each changes speed only: the patched code answers what the original did.
 */
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import * as vm from "node:vm";
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

/**
 * A patched CommonJS file as published: each hunk of the patch undone in the installed text
 * (the hunk's context with its removed lines where its context with its added lines stands), then
 * compiled as a module of its own beside the installed one, so it requires the same neighbours.
 */
function publishedModule(patchFile: string, target: string): Record<string, unknown> {
  const patchText = read(`patches/${patchFile}`);
  const section = patchText.split(/^diff --git /m).find((s) => s.includes(`+++ b/${target}\n`));
  if (!section) throw new Error(`${patchFile} does not patch ${target}`);
  let text = read(target);
  for (const hunk of section.split(/^@@.*@@.*\n/m).slice(1)) {
    const lines = hunk.replace(/\n$/, "").split("\n");
    const side = (sign: string) => lines.filter((l) => l.startsWith(" ") || l.startsWith(sign)).map((l) => l.slice(1)).join("\n");
    const patched = side("+");
    expect(text).toContain(patched);
    text = text.replace(patched, () => side("-")); // a function: `$&` and the like in the text stay literal
  }
  const file = path.join(ROOT, target);
  const module = { exports: {} as Record<string, unknown> };
  vm.runInThisContext(`(function (exports, require, module) {${text}\n})`, { filename: `${file} (published)` })(module.exports, createRequire(file), module);
  return module.exports;
}

it("@cloud-copilot/iam-utils: resource-type matching still answers what the published code answers", () => {
  type Match = (resource: string, pattern: string) => boolean;
  const target = "node_modules/@cloud-copilot/iam-utils/dist/cjs/resourceTypes.js";
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the evaluator's own module
  const patched = require(path.join(ROOT, target)) as { resourceStringMatchesResourceTypePattern: Match };
  const published = publishedModule("@cloud-copilot+iam-utils+0.1.82.patch", target) as { resourceStringMatchesResourceTypePattern: Match };
  expect(published.resourceStringMatchesResourceTypePattern).not.toBe(patched.resourceStringMatchesResourceTypePattern);
  const PATTERNS = [
    "arn:${Partition}:s3:::${BucketName}/${ObjectName}",
    "arn:${Partition}:s3:::${BucketName}",
    "arn:${Partition}:s3:${Region}:${Account}:accesspoint/${AccessPointName}/object/${ObjectName}",
    "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}",
    "arn:${Partition}:iam::${Account}:user/${UserNameWithPath}",
  ];
  // ARNs near the patterns: a matching ARN with one to three characters changed — case, accent
  // and look-alike variants (`é`, `ı`, `İ`, `ß`, fullwidth), separators, wildcards, deletions.
  const MATCHING = ["arn:aws:s3:::bucket/key/photo.jpg", "arn:aws:s3:::bucket", "arn:aws:s3:eu-west-1:111122223333:accesspoint/ap/object/key", "arn:aws:iam::111122223333:role/path/app", "arn:aws:iam::111122223333:user/ops"];
  const VARIANTS: Record<string, string[]> = { e: ["é", "E", "É"], i: ["ı", "I", "İ"], s: ["ß", "S", "ſ"], a: ["A", "á"], o: ["O", "ó"], b: ["B", "ｂ"], ":": ["/", "::", ""], "/": [":", "//", ""] };
  const change = fc.tuple(fc.nat(), fc.constantFrom("variant", "*", "?", "delete", "😀"), fc.nat());
  const arn = fc.tuple(fc.constantFrom(...MATCHING), fc.array(change, { minLength: 1, maxLength: 3 })).map(([start, changes]) => {
    let chars = [...start];
    for (const [at, kind, pick] of changes) {
      const i = at % chars.length;
      const options = VARIANTS[chars[i]!.toLowerCase()] ?? [chars[i]!.toUpperCase()];
      const replacement = kind === "variant" ? options[pick % options.length]! : kind === "delete" ? "" : kind;
      chars = [...chars.slice(0, i), replacement, ...chars.slice(i + 1)];
    }
    return chars.join("");
  });
  let matched = 0;
  fc.assert(
    fc.property(arn, fc.constantFrom(...PATTERNS), (resource, pattern) => {
      const answer = patched.resourceStringMatchesResourceTypePattern(resource, pattern);
      expect(answer).toBe(published.resourceStringMatchesResourceTypePattern(resource, pattern));
      if (answer) matched += 1;
    }),
    { numRuns: 3000, seed: 15 },
  );
  // Both answers occur often (a property over ARNs that never match would prove little).
  expect(matched).toBeGreaterThan(300);
  expect(matched).toBeLessThan(2700);
  // Controls: an object ARN matches the object pattern, case aside, and not the bucket pattern; accents count.
  expect(patched.resourceStringMatchesResourceTypePattern("arn:aws:s3:::b/k", PATTERNS[0]!)).toBe(true);
  expect(patched.resourceStringMatchesResourceTypePattern("arn:aws:s3:::b/k", PATTERNS[1]!)).toBe(false);
  expect(patched.resourceStringMatchesResourceTypePattern("arn:aws:s3:eu-west-1:111122223333:ACCESSPOINT/ap/object/k", PATTERNS[2]!)).toBe(true);
  expect(patched.resourceStringMatchesResourceTypePattern("arn:aws:s3:eu-west-1:111122223333:accésspoint/ap/object/k", PATTERNS[2]!)).toBe(false);
});

it("@cloud-copilot/iam-simulate: actions, ARN segments and policy strings match as the published code matches them, with one regular expression per source", () => {
  const dir = "node_modules/@cloud-copilot/iam-simulate/dist/cjs/";
  const PATCH = "@cloud-copilot+iam-simulate+0.1.173.patch";
  type Matches = (...args: unknown[]) => { matches: boolean; explains: unknown[] };
  type Convert = (value: string, request: unknown, options?: object) => { pattern?: RegExp; errors?: string[] } | string;
  /* eslint-disable @typescript-eslint/no-require-imports -- the evaluator's own modules */
  const patched = {
    util: require(path.join(ROOT, dir, "util.js")) as { convertIamString: Convert; memoisedRegExp: (source: string, flags?: string) => RegExp; wildcardRegExp: (text: string) => RegExp },
    action: require(path.join(ROOT, dir, "action/action.js")) as { requestMatchesActions: Matches },
    resource: require(path.join(ROOT, dir, "resource/resource.js")) as { requestMatchesResources: Matches },
  };
  const { loadPolicy } = require(createRequire(path.join(ROOT, dir, "index.js")).resolve("@cloud-copilot/iam-policy")) as {
    loadPolicy: (p: unknown) => { statements(): { actions(): unknown[]; resources(): unknown[] }[] };
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  const published = {
    util: publishedModule(PATCH, `${dir}util.js`) as typeof patched.util,
    action: publishedModule(PATCH, `${dir}action/action.js`) as typeof patched.action,
    resource: publishedModule(PATCH, `${dir}resource/resource.js`) as typeof patched.resource,
  };
  // A request as the evaluator makes one, with the context keys the policy variables below read.
  const { AwsRequestImpl } = require(path.join(ROOT, dir, "request/request.js")) as { AwsRequestImpl: new (...args: unknown[]) => unknown }; // eslint-disable-line @typescript-eslint/no-require-imports
  const { RequestContextImpl } = require(path.join(ROOT, dir, "requestContext.js")) as { RequestContextImpl: new (values: object) => unknown }; // eslint-disable-line @typescript-eslint/no-require-imports
  // The variables' values change between requests, so a memo that kept one request's values is caught.
  const contextFor = (user: string) => new RequestContextImpl({ "aws:username": user, "aws:userid": `AIDA${user}`, "aws:SourceIp": ["1.2.3.4", "5.6.7.8"] });
  const requestFor = (action: string, arn: string, user = "ann.lee*") => new AwsRequestImpl("arn:aws:iam::111122223333:user/ann", { resource: arn, accountId: "111122223333" }, action, contextFor(user));
  // Policy strings with IAM wildcards, variables (known, unknown, with a default) and regex metacharacters.
  const piece = fc.constantFrom("*", "?", "a", "A", "b", ".", "+", "(", ")", "[", "]", "^", "$", "|", "\\", "{", "}", "-", "/", "${aws:username}", "${aws:UserId}", "${aws:SourceIp}", "${nope}", "${nope, 'x'}", "${*}", "${?}", "${$}");
  const text = fc.array(piece, { maxLength: 6 }).map((p) => p.join(""));
  const word = fc.array(fc.constantFrom("a", "A", "b", "*", "?", "-", "."), { minLength: 1, maxLength: 4 }).map((p) => p.join(""));
  const seen = new Set<string>();
  fc.assert(
    fc.property(text, text, word, word, fc.constantFrom("Allow", "Deny"), fc.constantFrom("ann.lee*", "bob", "A?"), (policyPart, requestPart, segment, actionWord, effect, user) => {
      const statement = loadPolicy({ Statement: [{ Effect: effect, Action: [`s3:${actionWord}`, `s3:Get${actionWord}`], Resource: [`arn:${segment}:s3:${segment}:${segment}:b/${policyPart}`, `arn:aws:s3:::b/${policyPart}`] }] }).statements()[0]!;
      const request = requestFor(`s3:${requestPart.replace(/[^a-zA-Z]/g, "") || "GetObject"}`, `arn:aws:s3:${segment.replace(/[*?]/g, "")}::b/${requestPart}`, user);
      const actions = patched.action.requestMatchesActions(request, statement.actions());
      expect(actions).toEqual(published.action.requestMatchesActions(request, statement.actions()));
      const resources = patched.resource.requestMatchesResources(request, statement.resources(), "Resource", effect, "identity");
      expect(resources).toEqual(published.resource.requestMatchesResources(request, statement.resources(), "Resource", effect, "identity"));
      seen.add(`action ${actions.matches}`).add(`resource ${resources.matches}`);
      for (const options of [undefined, { replaceWildcards: false }, { convertToRegex: false }]) {
        const [a, b] = [patched.util.convertIamString(policyPart, request, options), published.util.convertIamString(policyPart, request, options)];
        if (typeof a === "string" || typeof b === "string") expect(a).toEqual(b);
        else {
          expect([a.pattern?.source, a.pattern?.flags, a.errors]).toEqual([b.pattern?.source, b.pattern?.flags, b.errors]);
          expect(a.pattern?.test(requestPart)).toBe(b.pattern?.test(requestPart));
        }
      }
    }),
    { numRuns: 1500, seed: 173 },
  );
  // Both answers are common, for actions and for resources.
  expect([...seen].sort()).toEqual(["action false", "action true", "resource false", "resource true"]);
  // The memo: the same source and flags give the same object (the published code makes one per call);
  // the flags are part of the key.
  const request = requestFor("s3:GetObject", "arn:aws:s3:::b/k");
  const once = (u: typeof patched.util) => (u.convertIamString("users/${aws:username}/*", request) as { pattern: RegExp }).pattern;
  expect(once(patched.util)).toBe(once(patched.util));
  expect(once(published.util)).not.toBe(once(published.util));
  expect(patched.util.wildcardRegExp("Get*")).toBe(patched.util.wildcardRegExp("Get*"));
  expect(patched.util.memoisedRegExp("^a$", "i").test("A")).toBe(true);
  expect(patched.util.memoisedRegExp("^a$").test("A")).toBe(false);
});

it("string-width: the fast path measures what the published code measures", () => {
  type Width = (s: string) => number;
  const target = "node_modules/string-width/index.js";
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- cli-table3's own module
  const patched = require(path.join(ROOT, target)) as Width;
  const published = publishedModule("string-width+4.2.3.patch", target) as unknown as Width;
  expect(published).not.toBe(patched);
  // Every character the fast path takes, alone; then strings mixing them with characters it must
  // leave to the full path: escapes, emoji, wide, combining and control characters.
  const fast = [..." ~azAZ09·—…›✓✗"];
  for (let c = 0x2500; c <= 0x257f; c++) fast.push(String.fromCodePoint(c));
  for (const c of fast) expect(patched(c)).toBe(published(c));
  const other = ["\u001b[31m", "\u001b[0m", "\u009b1m", "😀", "✔", "✔\ufe0f", "#\ufe0f\u20e3", "漢", "ｂ", "e\u0301", "\u0300", "\t", "\u007f", "\u00ad", "é", "→"];
  const text = fc.array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...fast) }, { weight: 1, arbitrary: fc.constantFrom(...other) }), { maxLength: 12 }).map((parts) => parts.join(""));
  fc.assert(fc.property(text, (s) => expect(patched(s)).toBe(published(s))), { numRuns: 3000, seed: 15 });
  // Controls: an escape sequence has no width, a wide character two columns.
  expect(patched("\u001b[31m✓ ok\u001b[0m")).toBe(4);
  expect(patched("漢字")).toBe(4);
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
