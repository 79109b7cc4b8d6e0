/**
 * Validation arguments built by hand, shaped as @pulumi/policy 1.21's analyzer server builds them
 * (node_modules/@pulumi/policy/server.js): props wrapped in the SDK's unknown-checking proxy,
 * `getConfig` returning the policy's config without `enforcementLevel`, `notApplicable` throwing,
 * and an UnknownValueError turned into an advisory "can't run … during preview" note. `runPack`
 * applies enforcement levels the same way (pack config, then the policy's own, then the pack's).
 */
import type {
  EnforcementLevel,
  Policies,
  PolicyResource,
  PolicyResourceOptions,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { isUnknownValueError, unknownCheckingProxy } from "../policies/unknowns";

/** A resource as a test describes it. */
export interface TestResource {
  type: string;
  /** Logical name. */
  name: string;
  /** @default urn:pulumi:dev::identity-scoped-storage::<type>::<name> */
  urn?: string;
  /** What resource policies see (the resource's inputs). */
  inputs: Record<string, unknown>;
  /** What stack policies see (the resource's outputs). @default inputs */
  outputs?: Record<string, unknown>;
  /** Property → logical names (or URNs) of the resources its value was built from. */
  dependsOn?: Record<string, string[]>;
}

export const urnOf = (r: Pick<TestResource, "type" | "name" | "urn">) => r.urn ?? `urn:pulumi:dev::identity-scoped-storage::${r.type}::${r.name}`;

export interface Diagnostic {
  policy: string;
  message: string;
  urn?: string;
  enforcementLevel: EnforcementLevel;
}

export interface PolicyOutcome {
  violations: Diagnostic[];
  /** The message of the SDK's advisory "can't run … during preview" note, when checks waited for `up`. */
  deferred?: string;
  /** Why the policy declared itself not applicable. */
  notApplicable?: string;
}

class NotApplicable extends Error {
  constructor(public readonly reason: string | undefined) {
    super(reason ?? "not applicable");
  }
}

const NO_OPTIONS: PolicyResourceOptions = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

const notApplicable = (reason?: string): never => {
  throw new NotApplicable(reason);
};

const isTypeOf = (type: string) => (cls: unknown) => (cls as { __pulumiType?: string } | undefined)?.__pulumiType === type;

/** What the server puts in both a resource's validation args and a stack's resource list. */
function described(r: TestResource, values: Record<string, unknown>) {
  const props = unknownCheckingProxy({ ...values });
  return {
    type: r.type,
    props,
    urn: urnOf(r),
    name: r.name,
    opts: NO_OPTIONS,
    isType: isTypeOf(r.type),
    asType: ((cls: unknown) => (isTypeOf(r.type)(cls) ? props : undefined)) as ResourceValidationArgs["asType"],
  };
}

export function resourceArgs(r: TestResource, config: object = {}): ResourceValidationArgs {
  return { ...described(r, r.inputs), stackTags: new Map(), getConfig: <T extends object>() => ({ ...config }) as T, notApplicable };
}

/** Stack resources with parents and dependencies linked, as the server links them. */
export function policyResources(resources: TestResource[]): PolicyResource[] {
  const built = resources.map((r): PolicyResource => ({ ...described(r, r.outputs ?? r.inputs), dependencies: [], propertyDependencies: {} }));
  const find = (ref: string) => {
    const found = built.find((b) => b.urn === ref || b.name === ref);
    if (!found) throw new Error(`test resource refers to ${ref}, which is not in the list`);
    return found;
  };
  resources.forEach((r, i) => {
    for (const [property, refs] of Object.entries(r.dependsOn ?? {})) {
      built[i]!.propertyDependencies[property] = refs.map(find);
      for (const d of built[i]!.propertyDependencies[property]!) if (!built[i]!.dependencies.includes(d)) built[i]!.dependencies.push(d);
    }
  });
  return built;
}

async function capture(policy: string, level: EnforcementLevel, run: (report: (message: string, urn?: string) => void) => Promise<void> | void): Promise<PolicyOutcome> {
  const outcome: PolicyOutcome = { violations: [] };
  try {
    await run((message, urn) => outcome.violations.push({ policy, message, enforcementLevel: level, ...(urn ? { urn } : {}) }));
  } catch (e) {
    if (e instanceof NotApplicable) outcome.notApplicable = e.reason ?? "";
    else if (isUnknownValueError(e)) outcome.deferred = e.message;
    else throw e;
  }
  return outcome;
}

const levelOf = (policy: { enforcementLevel?: EnforcementLevel }) => policy.enforcementLevel ?? "mandatory";

export function runResourcePolicy(policy: ResourceValidationPolicy, resource: TestResource, config: object = {}): Promise<PolicyOutcome> {
  const validations = policy.validateResource === undefined ? [] : Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
  return capture(policy.name, levelOf(policy), async (report) => {
    for (const validate of validations) await validate(resourceArgs(resource, config), report);
  });
}

export function runStackPolicy(policy: StackValidationPolicy, resources: TestResource[], config: object = {}): Promise<PolicyOutcome> {
  const args: StackValidationArgs = {
    resources: policyResources(resources),
    stackTags: new Map(),
    getConfig: <T extends object>() => ({ ...config }) as T,
    notApplicable,
  };
  return capture(policy.name, levelOf(policy), (report) => policy.validateStack(args, report));
}

/** Pack config as in a `--policy-pack-config` file: a level, or an object with `enforcementLevel` and the policy's keys. */
export type PackConfig = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

export interface PackOutcome {
  violations: Diagnostic[];
  /** Policy name → its advisory "judged at up" note. */
  deferred: Record<string, string>;
  /** Policy name → not-applicable reasons (one per resource for resource policies). */
  notApplicable: Record<string, string[]>;
}

const isStackPolicy = (p: ResourceValidationPolicy | StackValidationPolicy): p is StackValidationPolicy => "validateStack" in p;

/** Runs every policy over a stack: resource policies on each resource, stack policies on all. */
export async function runPack(policies: Policies, resources: TestResource[], packConfig: PackConfig = {}, packLevel: EnforcementLevel = "mandatory"): Promise<PackOutcome> {
  const result: PackOutcome = { violations: [], deferred: {}, notApplicable: {} };
  for (const policy of policies) {
    const entry = packConfig[policy.name];
    const { enforcementLevel: configured, ...config } = typeof entry === "string" ? { enforcementLevel: entry } : (entry ?? {});
    let level = configured ?? policy.enforcementLevel ?? packLevel;
    if (level === "disabled") continue;
    if (level === "remediate") level = "mandatory";
    const withLevel = { ...policy, enforcementLevel: level };
    const outcomes = isStackPolicy(withLevel)
      ? [await runStackPolicy(withLevel, resources, config)]
      : await Promise.all(resources.map((r) => runResourcePolicy(withLevel as ResourceValidationPolicy, r, config)));
    for (const o of outcomes) {
      result.violations.push(...o.violations);
      if (o.deferred) result.deferred[policy.name] = [result.deferred[policy.name], o.deferred].filter(Boolean).join("\n");
      if (o.notApplicable !== undefined) (result.notApplicable[policy.name] ??= []).push(o.notApplicable);
    }
  }
  return result;
}
