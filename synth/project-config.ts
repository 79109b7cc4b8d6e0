/**
 * Stage configuration as the Pulumi CLI would hand it to the program: Pulumi.yaml's project
 * defaults overlaid with Pulumi.<stack>.yaml, every value a string (JSON for arrays and objects).
 * Used to synthesize a stack offline, where there is no CLI.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { InvalidArgumentError } from "commander";
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

/** Pulumi's rule for a stack's name (pulumi/pulumi `validateStackName`): the short name, never a path. */
const STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/** What is wrong with a stack name, or undefined when Pulumi accepts it. */
export function stackNameProblem(name: string): string | undefined {
  if (STACK_NAME.test(name)) return undefined;
  const path = /[/\\]/.test(name) ? "; no '/' or '\\' (give the short name, e.g. dev, not org/project/dev or a path)" : "";
  return `${JSON.stringify(name)} is not a Pulumi stack name: 1-100 of A-Z a-z 0-9 _ . -${path}`;
}

/** Commander's parser for a `--stack` flag (synth and review): a Pulumi stack name, never a path. */
export function stackOption(value: string): string {
  const problem = stackNameProblem(value);
  if (problem) throw new InvalidArgumentError(problem);
  return value;
}

/**
 * The most a config value may hold once its YAML aliases are expanded: values and characters.
 * A stage's config is a few dozen short values; a value past this is an alias bomb or a mistake,
 * and expanding it (to JSON, as the CLI hands values to the program) would exhaust the process.
 */
export const CONFIG_VALUE_LIMITS = { values: 10_000, characters: 1_000_000 } as const;

/** Whether `value` stays within CONFIG_VALUE_LIMITS, counting every alias as the copy it stands for. */
function withinLimits(value: unknown): boolean {
  let values = 0;
  let characters = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    values += 1;
    if (typeof v === "string") characters += v.length;
    else if (Array.isArray(v)) stack.push(...v);
    else if (typeof v === "object" && v !== null) {
      for (const [k, inner] of Object.entries(v)) {
        characters += k.length;
        stack.push(inner);
      }
    }
    if (values > CONFIG_VALUE_LIMITS.values || characters > CONFIG_VALUE_LIMITS.characters) return false;
  }
  return true;
}

/** The CLI's string for a config value, refusing what the CLI would not hand over: nothing, or too much. */
function configString(file: string, key: string, value: unknown, what: string): string {
  if (value === null) {
    throw new ProjectConfigError(`${file}: ${key} has an empty ${what} (nothing after the colon); give a value${what === "value" ? ", or remove the line to use the default" : ""}`);
  }
  if (!withinLimits(value)) {
    throw new ProjectConfigError(
      `${file}: ${key} expands to more than ${CONFIG_VALUE_LIMITS.values} values or ${CONFIG_VALUE_LIMITS.characters} characters (YAML aliases repeating a value?)`,
    );
  }
  return typeof value === "string" ? value : JSON.stringify(value);
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
  const badName = stackNameProblem(stack);
  if (badName) throw new ProjectConfigError(`stack ${badName}`);
  const project = readProjectFile(root);
  const stackFile = path.join(root, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(stackFile)) {
    throw new ProjectConfigError(`unknown stack '${stack}': no Pulumi.${stack}.yaml (stacks here: ${listStacks(root).join(", ") || "none"})`);
  }
  const values: Record<string, string> = {};
  for (const [key, decl] of Object.entries(project.config)) {
    const fullKey = key.includes(":") ? key : `${project.name}:${key}`;
    const v = decl.value !== undefined ? decl.value : decl.default;
    if (v !== undefined) values[fullKey] = configString("Pulumi.yaml", key, v, decl.value !== undefined ? "value" : "default");
  }
  const stackDoc = (readYaml(stackFile) ?? {}) as { config?: Record<string, unknown> };
  for (const [key, value] of Object.entries(stackDoc.config ?? {})) {
    if (typeof value === "object" && value !== null && "secure" in value) {
      throw new ProjectConfigError(`Pulumi.${stack}.yaml: ${key} is a secret, which cannot be decrypted offline`);
    }
    values[key.includes(":") ? key : `${project.name}:${key}`] = configString(`Pulumi.${stack}.yaml`, key, value, "value");
  }
  for (const [key, value] of Object.entries(overrides)) {
    const fullKey = key.includes(":") ? key : `${project.name}:${key}`;
    if (value === undefined) delete values[fullKey];
    else values[fullKey] = toConfigString(value);
  }
  return values;
}
