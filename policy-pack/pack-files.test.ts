/**
 * The files the Pulumi CLI reads to run the pack, and the example config the README points at.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { PACK_NAME, policies } from "./policies";

const read = (f: string) => readFileSync(path.join(__dirname, f), "utf8");
const ROOT = JSON.parse(readFileSync(path.join(__dirname, "..", "package.json"), "utf8"));
const LEVELS = ["advisory", "mandatory", "remediate", "disabled"];

describe("the pack's files", () => {
  it("declares a nodejs policy pack whose entry is index.ts, on the SDK versions installed at the root", () => {
    expect(yaml.load(read("PulumiPolicy.yaml"))).toMatchObject({ runtime: "nodejs", description: expect.any(String) });
    const manifest = JSON.parse(read("package.json"));
    expect(manifest.main).toBe("index.ts");
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+$/); // PolicyPack refuses to start without one
    const installed = { ...ROOT.dependencies, ...ROOT.devDependencies };
    for (const [dep, version] of Object.entries(manifest.dependencies)) expect([dep, version]).toEqual([dep, installed[dep]]);
  });

  it("keeps the entry file thin: it serves exactly the tested policy list, mandatory by default", () => {
    const entry = read("index.ts");
    expect(entry).toMatch(/new PolicyPack\(PACK_NAME, \{\s*policies,/);
    expect(entry).toMatch(/enforcementLevel: "mandatory"/);
    expect(entry.split("\n").filter((l) => /^\s*(import|new) /.test(l))).toHaveLength(3);
    expect(PACK_NAME).toMatch(/^[a-zA-Z0-9-_.]{1,100}$/); // the SDK's rule for pack names
  });

  it("gives every policy a unique name, a schema with exemptResources, and no enforcementLevel in it (the SDK refuses that)", () => {
    const names = policies.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).not.toContain("all");
    for (const p of policies) {
      expect(Object.keys(p.configSchema?.properties ?? {})).toContain("exemptResources");
      expect(p.configSchema?.properties).not.toHaveProperty("enforcementLevel");
      expect(p.description.length).toBeGreaterThan(40);
    }
  });

  it("ships an example config that uses only declared keys and valid levels", () => {
    const config = JSON.parse(read("config.example.json")) as Record<string, unknown>;
    for (const [policy, entry] of Object.entries(config)) {
      const declared = policies.find((p) => p.name === policy);
      expect(declared ?? policy).not.toBe(policy); // names an existing policy
      if (typeof entry === "string") {
        expect(LEVELS).toContain(entry);
        continue;
      }
      const { enforcementLevel, ...keys } = entry as Record<string, unknown>;
      if (enforcementLevel !== undefined) expect(LEVELS).toContain(enforcementLevel);
      for (const [key, value] of Object.entries(keys)) {
        const schema = declared!.configSchema!.properties[key];
        expect([policy, key, schema === undefined]).toEqual([policy, key, false]);
        expect(Array.isArray(value) ? "array" : typeof value).toBe(schema!.type);
      }
    }
  });
});
