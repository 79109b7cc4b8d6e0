/**
 * `npm run synth -- [--stack dev] [--json]`: synthesize a stage offline and print its resources,
 * the policy documents it generated and its outputs. Exit 0 on success, 2 on bad input.
 */
import { Command, CommanderError } from "commander";
import { StageConfigError } from "../config/stage-config";
import { ProjectConfigError } from "./project-config";
import { synthesizeStack, type SynthesizedStack } from "./synthesize";

const POLICY_FIELDS: Record<string, string> = {
  "aws:iam/role:Role": "assumeRolePolicy",
  "aws:iam/rolePolicy:RolePolicy": "policy",
  "aws:s3/bucketPolicy:BucketPolicy": "policy",
};

export function describeStack(s: SynthesizedStack): string {
  const lines = [`Stack '${s.stack}' (synthesized offline with the mock runtime): ${s.resources.length} resources`, ""];
  for (const r of s.resources) lines.push(`  ${r.type}  ${r.name}${r.parentType ? `  (in ${r.parentType.split(":").pop()})` : ""}`);
  lines.push("", "Policy documents:");
  for (const r of s.resources) {
    const field = POLICY_FIELDS[r.type];
    if (!field) continue;
    lines.push("", `  ${r.name} ${field}:`, ...JSON.stringify(JSON.parse(r.inputs[field] as string), null, 2).split("\n").map((l) => `    ${l}`));
  }
  lines.push("", "Outputs:", ...JSON.stringify(s.outputs, null, 2).split("\n").map((l) => `  ${l}`));
  return lines.join("\n");
}

async function main(argv: string[]): Promise<number> {
  const program = new Command()
    .name("npm run synth --")
    .description("Synthesize a stage offline and print its resources, generated policies and outputs.")
    .option("--stack <name>", "stage whose Pulumi.<name>.yaml to use", "dev")
    .option("--json", "print the resources and outputs as JSON")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  try {
    program.parse(argv);
  } catch (e) {
    return e instanceof CommanderError && e.exitCode === 0 ? 0 : 2;
  }
  const opts = program.opts<{ stack: string; json?: boolean }>();
  try {
    const s = await synthesizeStack({ stack: opts.stack });
    process.stdout.write(
      opts.json ? JSON.stringify({ stack: s.stack, resources: s.resources, outputs: s.outputs }, null, 2) + "\n" : describeStack(s) + "\n",
    );
    return 0;
  } catch (e) {
    if (e instanceof StageConfigError || e instanceof ProjectConfigError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

main(process.argv).then(
  // exitCode, not exit(): exit() would cut off output still being written to a pipe.
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    process.exitCode = 1;
  },
);
