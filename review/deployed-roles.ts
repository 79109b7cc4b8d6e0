/**
 * Which deployed role each group uses, for `--engine aws` against a real account: from
 * `--role-arn group=arn` pairs, or else from the stack's outputs (`pulumi stack output --json`).
 * Every failure is a one-line PolicyInputError that says what to pass instead.
 */
import { execFile } from "node:child_process";
import { ROLE_ARN } from "../contract/aws-ids";
import type { StackOutputValues } from "../contract/stack-outputs";
import { PolicyInputError } from "../iam/document";


/** Runs a program without a shell; resolves with its stdout, rejects when it cannot start or exits non-zero. */
export type CommandRunner = (file: string, args: string[]) => Promise<string>;

/** Stack outputs the review uses; only `roleArns` is required (another team's stack may lack the rest). */
export type DeployedStackOutputs = Pick<StackOutputValues, "roleArns"> & Partial<Pick<StackOutputValues, "bucketName" | "identityPoolId" | "region" | "storagePrefix">>;

export interface DeployedRoles {
  /** group → role ARN. */
  roleArns: Record<string, string>;
  source: "--role-arn" | "stack outputs";
  /** The stack's other outputs, when read from the stack. */
  outputs?: DeployedStackOutputs;
}

export interface ResolveDeployedRolesArgs {
  /** `--role-arn` values, each `group=arn`. */
  roleArnPairs?: string[];
  /** Stack whose outputs to read when no pairs are given. */
  stack?: string;
  /** Groups that must each get a role ARN (the review target's groups). */
  groups?: string[];
  runCommand?: CommandRunner;
}

const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();
const PASS_ROLE_ARN = "pass --role-arn group=arn for each group instead";

function checkRoleArn(arn: string, where: string): string {
  if (!ROLE_ARN.test(arn)) {
    throw new PolicyInputError(`${where}: ${JSON.stringify(arn)} is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)`);
  }
  return arn;
}

/** Parses `group=arn` pairs; the ARN is validated, a group may appear once. */
export function parseRoleArnPairs(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    const group = eq > 0 ? pair.slice(0, eq).trim() : "";
    if (!group) throw new PolicyInputError(`--role-arn ${JSON.stringify(pair)}: expected group=arn`);
    if (group in out) throw new PolicyInputError(`--role-arn: group ${group} is given twice`);
    out[group] = checkRoleArn(pair.slice(eq + 1).trim(), `--role-arn ${group}`);
  }
  return out;
}

/** Reads `roleArns` (and the other outputs the review uses) from `pulumi stack output --json`. */
export function parseStackOutputs(json: string, stack: string): DeployedStackOutputs {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new PolicyInputError(`stack ${stack}: \`pulumi stack output --json\` did not print JSON; ${PASS_ROLE_ARN}`);
  }
  const outputs = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  const roleArns = outputs.roleArns;
  if (typeof roleArns !== "object" || roleArns === null || Array.isArray(roleArns)) {
    throw new PolicyInputError(`stack ${stack} has no roleArns output (an object of group → role ARN); ${PASS_ROLE_ARN}`);
  }
  const arns: Record<string, string> = {};
  for (const [group, arn] of Object.entries(roleArns)) {
    arns[group] = checkRoleArn(typeof arn === "string" ? arn : String(arn), `stack ${stack} output roleArns.${group}`);
  }
  const text = (key: string) => (typeof outputs[key] === "string" ? { [key]: outputs[key] as string } : {});
  return { roleArns: arns, ...text("bucketName"), ...text("identityPoolId"), ...text("region"), ...text("storagePrefix") };
}

/** The real runner: `execFile` (no shell), 60 s timeout. */
export const execFileRunner: CommandRunner = (file, args) =>
  new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(Object.assign(error, { stderr: String(stderr) }));
      else resolve(String(stdout));
    });
  });

async function readStackOutputs(stack: string, run: CommandRunner): Promise<DeployedStackOutputs> {
  const args = ["stack", "output", "--json", "--stack", stack];
  let stdout: string;
  try {
    stdout = await run("pulumi", args);
  } catch (e) {
    const err = e as { code?: unknown; stderr?: string; message?: string };
    if (err.code === "ENOENT") throw new PolicyInputError(`the pulumi CLI was not found, so stack ${stack}'s role ARNs cannot be read; ${PASS_ROLE_ARN}`);
    const detail = oneLine(err.stderr || err.message || "").split(/(?<=\.) /)[0] ?? "";
    throw new PolicyInputError(`\`pulumi ${args.join(" ")}\` failed${detail ? `: ${detail.slice(0, 200)}` : ""}; ${PASS_ROLE_ARN}`);
  }
  return parseStackOutputs(stdout, stack);
}

/** Role ARNs per group: `--role-arn` pairs when given, else the stack's outputs; every expected group must be covered. */
export async function resolveDeployedRoles(args: ResolveDeployedRolesArgs): Promise<DeployedRoles> {
  let resolved: DeployedRoles;
  if (args.roleArnPairs && args.roleArnPairs.length > 0) {
    resolved = { roleArns: parseRoleArnPairs(args.roleArnPairs), source: "--role-arn" };
  } else if (args.stack) {
    const outputs = await readStackOutputs(args.stack, args.runCommand ?? execFileRunner);
    resolved = { roleArns: outputs.roleArns, source: "stack outputs", outputs };
  } else {
    throw new PolicyInputError(`--engine aws needs the deployed roles: pass --stack <name> or --role-arn group=arn for each group`);
  }
  const missing = (args.groups ?? []).filter((g) => !(g in resolved.roleArns));
  if (missing.length > 0) {
    throw new PolicyInputError(`no deployed role ARN for group(s) ${missing.join(", ")} (from ${resolved.source}); pass --role-arn ${missing[0]}=arn`);
  }
  return resolved;
}
