/**
 * The layout is the architecture: IAM core ← review tool, policy pack; contract ← config,
 * components, lambda. These tests read every TypeScript file's imports and hold the tree to the
 * rules written here (and in CONTRIBUTING.md), so a shortcut import fails CI instead of eroding
 * the design; and they keep the README's folder map in step with the folders that exist.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = __dirname;
const SKIP = new Set(["node_modules", "dist", "tools", "coverage", ".git"]);

function sourceFiles(dir = ROOT): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name.startsWith(".") || SKIP.has(e.name)) return [];
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith(".ts") ? [full] : [];
  });
}

interface Import {
  from: string;
  /** A repository file (resolved, with .ts), or a package name. */
  to: string;
  local: boolean;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^;]*?from\s+["']([^"']+)["']|require\(\s*["']([^"']+)["']\s*\)|import\(\s*["']([^"']+)["']\s*\)/g;

function importsOf(file: string): Import[] {
  const text = fs.readFileSync(file, "utf8");
  const out: Import[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3]!;
    if (!spec.startsWith(".")) {
      out.push({ from: file, to: spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!, local: false });
      continue;
    }
    const base = path.resolve(path.dirname(file), spec);
    const to = [`${base}.ts`, path.join(base, "index.ts"), base].find((p) => fs.existsSync(p) && fs.statSync(p).isFile());
    if (to) out.push({ from: file, to, local: true });
  }
  return out;
}

const FILES = sourceFiles();
const IMPORTS = new Map(FILES.map((f) => [f, importsOf(f)]));
const rel = (f: string) => path.relative(ROOT, f);
/** The top-level folder of a file, or "(root)". */
const area = (f: string) => (rel(f).includes(path.sep) ? rel(f).split(path.sep)[0]! : "(root)");
const isTestCode = (f: string) => /\.test\.ts$/.test(f) || /(^|\/)(test-support|smoke)\//.test(rel(f));

/** Which top-level folders each folder's runtime (non-test) code may import. */
const MAY_IMPORT: Record<string, string[]> = {
  iam: [],
  contract: [],
  "aws-retry": [],
  config: ["contract"],
  components: ["contract", "iam"],
  lambda: ["contract", "aws-retry"],
  client: ["contract"],
  build: [],
  "policy-pack": ["iam", "contract"],
  review: ["iam", "contract", "aws-retry", "synth", "config"],
  synth: ["config", "contract", "build", "(root)"],
  "(root)": ["config", "contract", "components", "build"],
  "component-package": ["components", "contract"],
};

describe("the import graph follows the architecture", () => {
  it.each(Object.entries(MAY_IMPORT))("%s imports only its own files and %j (test code aside)", (folder, allowed) => {
    const wrong = FILES.filter((f) => area(f) === folder && !isTestCode(f))
      .flatMap((f) => IMPORTS.get(f)!.filter((i) => i.local && area(i.to) !== folder && !allowed.includes(area(i.to))))
      .map((i) => `${rel(i.from)} → ${rel(i.to)}`);
    expect(wrong).toEqual([]);
  });

  it("no file in lambda/ imports components/, and none in components/ imports lambda/ (tests included)", () => {
    const crossing = [...IMPORTS.values()].flat().filter((i) => i.local && ((area(i.from) === "lambda" && area(i.to) === "components") || (area(i.from) === "components" && area(i.to) === "lambda")));
    expect(crossing.map((i) => `${rel(i.from)} → ${rel(i.to)}`)).toEqual([]);
  });

  it("the IAM core and the contract load no Pulumi package", () => {
    const pulumi = FILES.filter((f) => ["iam", "contract"].includes(area(f)) && !isTestCode(f))
      .flatMap((f) => IMPORTS.get(f)!.filter((i) => !i.local && i.to.startsWith("@pulumi")))
      .map((i) => `${rel(i.from)} → ${i.to}`);
    expect(pulumi).toEqual([]);
  });

  it("validating stage config loads no @pulumi/aws (transitively)", () => {
    const seen = new Set<string>();
    const packages = new Set<string>();
    const visit = (f: string) => {
      if (seen.has(f)) return;
      seen.add(f);
      for (const i of IMPORTS.get(f) ?? importsOf(f)) {
        if (i.local) visit(i.to);
        else packages.add(i.to);
      }
    };
    visit(path.join(ROOT, "config", "stage-config.ts"));
    expect(seen.size).toBeGreaterThan(1);
    expect([...packages].filter((p) => p.startsWith("@pulumi"))).toEqual([]);
  });

  it("the Lambda bundle's own files are runtime code: no bundler, test or stand-in in lambda/", () => {
    const offenders = FILES.filter((f) => area(f) === "lambda" && !isTestCode(f))
      .flatMap((f) => IMPORTS.get(f)!.filter((i) => (!i.local && ["esbuild", "jest", "aws-sdk-client-mock"].includes(i.to)) || (i.local && area(i.to) === "stand-ins")))
      .map((i) => `${rel(i.from)} → ${i.local ? rel(i.to) : i.to}`);
    expect(offenders).toEqual([]);
  });

  it("control: the checker sees the imports it judges (it would catch a stray one)", () => {
    const components = IMPORTS.get(path.join(ROOT, "components", "files-api.ts"))!;
    expect(components.some((i) => i.local && area(i.to) === "contract")).toBe(true);
    const pack = IMPORTS.get(path.join(ROOT, "policy-pack", "policies", "storage-grants.ts"))!;
    expect(pack.some((i) => i.local && area(i.to) === "iam")).toBe(true);
  });
});

describe("the README's folder map matches the tree", () => {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const mapped = [...readme.matchAll(/^\| `([\w.-]+(?:\/[\w.-]+)?)\/` \|/gm)].map((m) => m[1]!);
  const folders = fs
    .readdirSync(ROOT, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith(".") && !SKIP.has(e.name))
    .map((e) => e.name);

  it("names every top-level folder", () => {
    expect(folders.filter((f) => !mapped.some((m) => m.split("/")[0] === f))).toEqual([]);
  });

  it("names no folder that does not exist", () => {
    expect(mapped.filter((m) => !fs.existsSync(path.join(ROOT, m)))).toEqual([]);
  });

  it("stays within 150 lines: the details live in the folders' READMEs", () => {
    expect(readme.trimEnd().split("\n").length).toBeLessThanOrEqual(150);
  });
});

describe("links between the READMEs resolve", () => {
  const markdown = (dir = ROOT): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      if (e.name.startsWith(".") || SKIP.has(e.name)) return [];
      const full = path.join(dir, e.name);
      return e.isDirectory() ? markdown(full) : e.name.endsWith(".md") ? [full] : [];
    });
  /** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as '-'. */
  const anchorOf = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
  const broken = (file: string): string[] => {
    const text = fs.readFileSync(file, "utf8").replace(/```[\s\S]*?```/g, "");
    return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
      .map((m) => m[1]!)
      .filter((link) => !/^[a-z]+:/.test(link))
      .filter((link) => {
        const [target, anchor] = link.split("#") as [string, string | undefined];
        const resolved = target ? path.resolve(path.dirname(file), target) : file;
        if (!fs.existsSync(resolved)) return true;
        if (!anchor) return false;
        const headings = [...fs.readFileSync(resolved, "utf8").matchAll(/^#+ (.*)$/gm)].map((h) => anchorOf(h[1]!));
        return !headings.includes(anchor);
      })
      .map((link) => `${rel(file)} → ${link}`);
  };

  it("every relative link names a file that exists, and a heading it has", () => {
    const files = markdown();
    expect(files.length).toBeGreaterThan(8);
    expect(files.flatMap(broken)).toEqual([]);
  });

  it("control: a link to a missing file or heading is caught", () => {
    const probe = path.join(ROOT, "dist", "link-probe.md");
    fs.mkdirSync(path.dirname(probe), { recursive: true });
    fs.writeFileSync(probe, "[a](../README.md#no-such-heading) [b](nowhere.md) [c](../README.md#the-files-api)\n");
    try {
      expect(broken(probe)).toEqual(["dist/link-probe.md → ../README.md#no-such-heading", "dist/link-probe.md → nowhere.md"]);
    } finally {
      fs.rmSync(probe);
    }
  });
});
