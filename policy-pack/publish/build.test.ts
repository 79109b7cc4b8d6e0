import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { buildPublishablePack, EXTERNAL } from "./build";

describe("the publishable pack directory", () => {
  let outdir: string;
  beforeAll(() => {
    outdir = mkdtempSync(path.join(tmpdir(), "policy-pack-"));
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it("bundles the shared inspection code into one index.js that needs only the policy SDK", async () => {
    const bundle = await buildPublishablePack(outdir);
    const inputs = Object.keys(bundle.metafile.inputs);
    // The one IAM parser and the structural checks are bundled from iam/, not copied into the pack.
    expect(inputs).toEqual(expect.arrayContaining(["iam/document.ts", "iam/inspect.ts", "policy-pack/index.ts"]));
    expect(inputs.filter((i) => i.includes("node_modules"))).toEqual([]);
    const code = readFileSync(bundle.file, "utf8");
    const required = [...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(required.length).toBeGreaterThan(0);
    for (const module of required) expect(module).toMatch(/^@pulumi\/policy(\/|$)/); // the SDK (and its proxy module), nothing relative
    expect(code).toContain('"identity-storage-grants"');
  });

  it("writes a manifest whose main is the bundle and whose dependencies are the SDK versions the tests ran", () => {
    const manifest = JSON.parse(readFileSync(path.join(outdir, "package.json"), "utf8"));
    const root = JSON.parse(readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8"));
    const installed = { ...root.dependencies, ...root.devDependencies };
    expect(manifest.main).toBe("index.js");
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(Object.keys(manifest.dependencies).sort()).toEqual([...EXTERNAL].sort());
    for (const dep of EXTERNAL) expect(manifest.dependencies[dep]).toBe(installed[dep]);
    expect(readFileSync(path.join(outdir, "PulumiPolicy.yaml"), "utf8")).toMatch(/^runtime: nodejs$/m);
  });
});
