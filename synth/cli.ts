/**
 * `npm run synth -- [--stack dev] [--json]`: synthesize a stage offline and print its resources,
 * the policy documents it generated and its outputs. Exit 0 on success, 2 on bad input.
 */
import { Command, CommanderError } from "commander";
import { StageConfigError } from "../config/stage-config";
import { SECRET_STACK_OUTPUTS } from "../contract/stack-outputs";
import { ProjectConfigError, stackOption } from "./project-config";
import { synthesizeStack, type SynthesizedStack } from "./synthesize";

const POLICY_FIELDS: Record<string, string> = {
  "aws:iam/role:Role": "assumeRolePolicy",
  "aws:iam/rolePolicy:RolePolicy": "policy",
  "aws:s3/bucketPolicy:BucketPolicy": "policy",
};

/** The outputs as `pulumi stack output` prints them: secrets masked. */
export function printableOutputs(s: SynthesizedStack): Record<string, unknown> {
  const masked: Record<string, unknown> = { ...s.outputs };
  for (const name of SECRET_STACK_OUTPUTS) if (masked[name] !== undefined) masked[name] = "[secret]";
  return masked;
}

export function describeStack(s: SynthesizedStack): string {
  const lines = [`Stack '${s.stack}' (synthesized offline with the mock runtime): ${s.resources.length} resources`, ""];
  for (const r of s.resources) lines.push(`  ${r.type}  ${r.name}${r.parentType ? `  (in ${r.parentType.split(":").pop()})` : ""}`);
  lines.push("", "Policy documents:");
  for (const r of s.resources) {
    const field = POLICY_FIELDS[r.type];
    if (!field) continue;
    lines.push("", `  ${r.name} ${field}:`, ...JSON.stringify(JSON.parse(r.inputs[field] as string), null, 2).split("\n").map((l) => `    ${l}`));
  }
  lines.push("", "Outputs:", ...JSON.stringify(printableOutputs(s), null, 2).split("\n").map((l) => `  ${l}`));
  return lines.join("\n");
}

/** Where the command writes: the process's streams, or a test's buffers. */
export interface SynthIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

/** Runs the command on `argv` (the arguments after the script); returns the exit code. */
export async function runSynthCli(argv: string[], io: SynthIo): Promise<number> {
  const program = new Command()
    .name("npm run synth --")
    .description("Synthesize a stage offline and print its resources, generated policies and outputs.")
    .option("--stack <name>", "stage whose Pulumi.<name>.yaml to use", stackOption, "dev")
    .option("--json", "print the resources and outputs as JSON")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  try {
    program.parse(argv, { from: "user" });
  } catch (e) {
    return e instanceof CommanderError && e.exitCode === 0 ? 0 : 2;
  }
  const opts = program.opts<{ stack: string; json?: boolean }>();
  try {
    const s = await synthesizeStack({ stack: opts.stack });
    io.stdout(opts.json ? JSON.stringify({ stack: s.stack, resources: s.resources, outputs: printableOutputs(s) }, null, 2) + "\n" : describeStack(s) + "\n");
    return 0;
  } catch (e) {
    if (e instanceof StageConfigError || e instanceof ProjectConfigError) {
      io.stderr(`error: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) {
  runSynthCli(process.argv.slice(2), { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) }).then(
    // exitCode, not exit(): exit() would cut off output still being written to a pipe.
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`error: ${(e as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
