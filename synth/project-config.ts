/**
 * Stage configuration as the Pulumi CLI would hand it to the program: Pulumi.yaml's project
 * defaults overlaid with Pulumi.<stack>.yaml, every value a string (JSON for arrays and objects).
 * Used to synthesize a stack offline, where there is no CLI.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";

export const PROJECT_ROOT = path.resolve(__dirname, "..");

/** Thrown for a stack or project file that cannot be read; the message is one line. */
export class ProjectConfigError extends Error {
  override name = "ProjectConfigError";
}

export interface ProjectConfigDeclaration {
  type?: string;
  items?: unknown;
  description?: string;
  default?: unknown;
  value?: unknown;
}

export interface ProjectFile {
  name: string;
  config: Record<string, ProjectConfigDeclaration>;
}

function readYaml(file: string): unknown {
  try {
    return yaml.load(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new ProjectConfigError(`cannot read ${path.relative(process.cwd(), file) || file}: ${(e as Error).message.split("\n")[0]}`);
  }
}

export function readProjectFile(root = PROJECT_ROOT): ProjectFile {
  const doc = readYaml(path.join(root, "Pulumi.yaml")) as { name?: string; config?: Record<string, unknown> };
  if (!doc?.name) throw new ProjectConfigError("Pulumi.yaml has no project name");
  const config: Record<string, ProjectConfigDeclaration> = {};
  for (const [key, decl] of Object.entries(doc.config ?? {})) {
    // Shorthand `key: value` is a default for project keys and a value for namespaced ones (as in the CLI).
    const isDeclaration = typeof decl === "object" && decl !== null && !Array.isArray(decl);
    config[key] = isDeclaration ? (decl as ProjectConfigDeclaration) : key.includes(":") ? { value: decl } : { default: decl };
  }
  return { name: doc.name, config };
}

/** Names of the stacks that have a Pulumi.<stack>.yaml here. */
export function listStacks(root = PROJECT_ROOT): string[] {
  return fs
    .readdirSync(root)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => !!s)
    .sort();
}

function toConfigString(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The full-key → string map the program would see for `stack` (with optional overrides). */
export function stackConfig(stack: string, overrides: Record<string, unknown> = {}, root = PROJECT_ROOT): Record<string, string> {
  const project = readProjectFile(root);
  const stackFile = path.join(root, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(stackFile)) {
    throw new ProjectConfigError(`unknown stack '${stack}': no Pulumi.${stack}.yaml (stacks here: ${listStacks(root).join(", ") || "none"})`);
  }
  const values: Record<string, string> = {};
  for (const [key, decl] of Object.entries(project.config)) {
    const fullKey = key.includes(":") ? key : `${project.name}:${key}`;
    const v = decl.value !== undefined ? decl.value : decl.default;
    if (v !== undefined) values[fullKey] = toConfigString(v);
  }
  const stackDoc = (readYaml(stackFile) ?? {}) as { config?: Record<string, unknown> };
  for (const [key, value] of Object.entries(stackDoc.config ?? {})) {
    if (typeof value === "object" && value !== null && "secure" in value) {
      throw new ProjectConfigError(`Pulumi.${stack}.yaml: ${key} is a secret, which cannot be decrypted offline`);
    }
    values[key.includes(":") ? key : `${project.name}:${key}`] = toConfigString(value);
  }
  for (const [key, value] of Object.entries(overrides)) {
    const fullKey = key.includes(":") ? key : `${project.name}:${key}`;
    if (value === undefined) delete values[fullKey];
    else values[fullKey] = toConfigString(value);
  }
  return values;
}
