/**
 * Synthesize a stage offline: run the program's own two steps (loadStageConfig, defineStack)
 * under Pulumi's mock runtime, with the stage's config read as the CLI would, and return every
 * resource it registered with its inputs and URN. Tests, the reviewer command and the policy
 * pack all read the stack from here, so they judge what `pulumi up` would deploy.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { buildLambdaBundle, PREBUILT_LAMBDA_BUNDLE_ENV } from "../build/lambda-bundle";
import { loadStageConfig, type StageConfig } from "../config/stage-config";
import { PROJECT } from "../contract/project";
import { STACK_OUTPUT_NAMES, type StackOutputValues } from "../contract/stack-outputs";
import { defineStack, type StackOutputs } from "../stack";
import { RecordingMocks, type RecordedResource } from "./mocks";
import { stackConfig } from "./project-config";

// Internal to @pulumi/pulumi (not in its typings): resolves once every outstanding registration,
// including those still waiting on other resources' outputs, has reached the monitor.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs: () => Promise<void> };

/** Resolves once every registration the program started has reached the (mock) monitor. */
export const settled = (): Promise<void> => waitForRPCs();

export interface SynthesizedResource extends RecordedResource {
  urn: string;
  /** Type token of the parent component, if any (from the URN's type chain). */
  parentType?: string;
  /** The `deleteBeforeReplace` resource option. */
  deleteBeforeReplace: boolean;
  /** URNs this resource waits for: `dependsOn` and the resources its inputs come from. */
  dependencies: string[];
}

/** The outputs resolved to plain values, as `pulumi stack output --json` would print them. */
export type ResolvedOutputs = StackOutputValues;

export interface SynthesizedStack extends SynthesizedProgram<ResolvedOutputs> {
  stack: string;
  config: StageConfig;
  outputs: ResolvedOutputs;
}

export interface SynthesizeOptions {
  /** Stage name: reads Pulumi.<stack>.yaml. @default "dev" */
  stack?: string;
  /** The Pulumi project name the program sees (`pulumi.getProject()`, URNs). @default this project's */
  project?: string;
  /** Seed of the random values a real deployment would get (auto-names, ids, @pulumi/random); see synth/mocks.ts. @default "" */
  deployment?: string;
  /** Config values to set or (with `undefined`) remove, by short or full key. */
  overrides?: Record<string, unknown>;
  /** Read the config of this stage's Pulumi.<name>.yaml (for a stack name that has no file of its own). @default stack */
  configOf?: string;
}

export function resolve<T>(value: pulumi.Input<T>): Promise<pulumi.Unwrap<T>> {
  return new Promise((done) => pulumi.output(value).apply((v) => done(v)));
}

async function resolveOutputs(outputs: StackOutputs): Promise<ResolvedOutputs> {
  const values = await Promise.all(STACK_OUTPUT_NAMES.map((name) => resolve(outputs[name] as pulumi.Input<unknown>)));
  return Object.fromEntries(STACK_OUTPUT_NAMES.map((name, i) => [name, values[i]])) as unknown as ResolvedOutputs;
}

// The mock runtime is process-global: one synthesis at a time.
let queue: Promise<unknown> = Promise.resolve();

function serialized<T>(work: () => Promise<T>): Promise<T> {
  const run = queue.then(work);
  queue = run.catch(() => undefined);
  return run;
}

export interface SynthesizedProgram<T> {
  result: T;
  resources: SynthesizedResource[];
  /** Every resource of one type token. */
  ofType(type: string): SynthesizedResource[];
  /** The one resource of `type` (whose logical name ends with `nameSuffix`, if given); throws otherwise. */
  one(type: string, nameSuffix?: string): SynthesizedResource;
}

/**
 * Runs `program` under the mock runtime with `config` (full keys to strings) and returns what it
 * returned (resolved with `resolveResult`) and every resource it registered.
 */
/** The parts of a registration request the mocks are not shown: its options. */
interface RegistrationRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getDeletebeforereplace(): boolean;
  getDependenciesList(): string[];
}
interface MockMonitor {
  getRegisteredResources(): Map<string, { urn: string }>;
  newUrn(parent: string, type: string, name: string): string;
  registerResource(req: RegistrationRequest, callback: unknown): unknown;
}

/** Records each registration's options by URN (the mock monitor passes only inputs to the mocks). */
function recordOptions(monitor: MockMonitor): Map<string, Pick<SynthesizedResource, "deleteBeforeReplace" | "dependencies">> {
  const options = new Map<string, Pick<SynthesizedResource, "deleteBeforeReplace" | "dependencies">>();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    const urn = monitor.newUrn(req.getParent(), req.getType(), req.getName());
    options.set(urn, { deleteBeforeReplace: req.getDeletebeforereplace(), dependencies: req.getDependenciesList() });
    return register(req, callback);
  };
  return options;
}

/**
 * The type of every resource that reached the (mock) monitor while `build` ran, and what `build`
 * threw: how a test sees that refused component args register nothing at all.
 */
export function registrationsOf(build: () => unknown, region = "ap-northeast-1"): Promise<{ types: string[]; error: unknown }> {
  return serialized(async () => {
    const mocks = new RecordingMocks(region);
    await pulumi.runtime.setMocks(mocks, PROJECT, "test", false);
    let error: unknown;
    try {
      build();
    } catch (e) {
      error = e;
    }
    await waitForRPCs();
    return { types: mocks.resources.map((r) => r.type), error };
  });
}

export function synthesizeProgram<T, R>(
  setup: { stack: string; config: Record<string, string>; project?: string; deployment?: string },
  program: () => T,
  resolveResult: (result: T) => Promise<R>,
): Promise<SynthesizedProgram<R>> {
  return serialized(async () => {
    const mocks = new RecordingMocks(setup.config["aws:region"] ?? "us-east-1", setup.deployment ?? "");
    await pulumi.runtime.setMocks(mocks, setup.project ?? PROJECT, setup.stack, false);
    pulumi.runtime.setAllConfig(setup.config, []);
    const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitor;
    const options = recordOptions(monitor);
    const result = await resolveResult(program());
    await waitForRPCs();

    const urns = [...monitor.getRegisteredResources().keys()];
    const resources = mocks.resources.map((r): SynthesizedResource => {
      const urn = urns.find((u) => u.endsWith(`::${r.name}`) && u.split("::")[2]!.split("$").pop() === r.type);
      if (!urn) throw new Error(`synth: no URN registered for ${r.type} ${r.name}`);
      const chain = urn.split("::")[2]!.split("$");
      const recorded = options.get(urn) ?? { deleteBeforeReplace: false, dependencies: [] };
      return { ...r, urn, ...(chain.length > 1 ? { parentType: chain[chain.length - 2] } : {}), ...recorded };
    });
    const ofType = (type: string) => resources.filter((r) => r.type === type);
    return {
      result,
      resources,
      ofType,
      one(type: string, nameSuffix?: string) {
        const found = ofType(type).filter((r) => nameSuffix === undefined || r.name.endsWith(nameSuffix));
        if (found.length !== 1) {
          throw new Error(
            `expected exactly one ${type}${nameSuffix ? ` named *${nameSuffix}` : ""}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`,
          );
        }
        return found[0]!;
      },
    };
  });
}

// Under jest, the bundle its global setup built for the whole run (PREBUILT_LAMBDA_BUNDLE_ENV).
// Otherwise the Lambda bundle is really built, once per process, into a directory of this
// process's own, so parallel processes never write the same file.
let lambdaCode: Promise<pulumi.asset.Archive> | undefined;
function lambdaCodeForSynthesis(): Promise<pulumi.asset.Archive> {
  const prebuilt = process.env[PREBUILT_LAMBDA_BUNDLE_ENV];
  if (prebuilt && !fs.existsSync(path.join(prebuilt, "index.js"))) throw new Error(`synth: ${PREBUILT_LAMBDA_BUNDLE_ENV}=${prebuilt} holds no index.js`);
  lambdaCode ??= prebuilt
    ? Promise.resolve(new pulumi.asset.FileArchive(prebuilt))
    : buildLambdaBundle(fs.mkdtempSync(path.join(os.tmpdir(), "iss-lambda-"))).then((b) => new pulumi.asset.FileArchive(b.outdir));
  return lambdaCode;
}

/** Synthesizes a stage of this project exactly as `pulumi up --stack <stack>` would build it. */
export async function synthesizeStack(options: SynthesizeOptions = {}): Promise<SynthesizedStack> {
  const stack = options.stack ?? "dev";
  const raw = stackConfig(options.configOf ?? stack, options.overrides);
  const code = await lambdaCodeForSynthesis();
  let config: StageConfig | undefined;
  const synthesized = await synthesizeProgram(
    { stack, config: raw, ...(options.project ? { project: options.project } : {}), ...(options.deployment ? { deployment: options.deployment } : {}) },
    // The same two calls index.ts makes (with the bundle built once per process).
    () => defineStack((config = loadStageConfig(pulumi.runtime.allConfig(), pulumi.getStack())), { lambdaCode: code }),
    resolveOutputs,
  );
  return { ...synthesized, stack, config: config!, outputs: synthesized.result };
}
