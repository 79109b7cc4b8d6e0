/**
 * `npm run review -- [options]`: the reviewer command. Synthesizes a stage offline (or reads
 * policy files), runs every scenario through an IAM policy simulator and prints the matrix, then
 * a Z3 proof over every identity id, key, prefix, action and principal (unless --no-prove).
 * Exit 0: no principal can reach what it should not, everything proved (warnings may be printed).
 * 1: a finding (or, with --strict, a warning), a violation or an unknown. 2: usage or input error.
 */
import * as fs from "node:fs";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { StageConfigError } from "../config/stage-config";
import { ProjectConfigError, stackOption } from "../synth/project-config";
import { AwsEngineError } from "./engines/aws/engine-error";
import type { PolicyEngine } from "./engines/engine";
import { createLocalEngine } from "./engines/local-engine";
import { PolicyInputError } from "../iam/document";
import { runMatrix } from "./matrix";
import { proveTarget } from "./prover/prove";
import { sharedMatrix, sharedProof } from "./review-memo";
import { DEFAULT_QUERY_RLIMIT, SAFETY_TIMEOUT_MS } from "./prover/solver";
import { parseOwnerActions, parseSharedFolder } from "./design-intent";
import { foreignPrincipalsOf } from "./prover/foreign-queries";
import { scopeOf } from "./scope";
import { verdictOf } from "./verdict";
import type { ReviewTarget } from "./review-target";
import { renderReviews, reviewsPass, type OutputFormat, type Review } from "./reviews";
import type { SuppliedDocument } from "./inputs/identity-roles";
import { locatedVerdict, withInputFindings } from "./inputs/input-findings";
import { readParameterFile, targetsFromTemplates, TEMPLATE_FORMATS, type TemplateFormat } from "./inputs/read-inputs";
import { targetFromFiles, targetFromStack } from "./targets";

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** Whether stderr is a terminal (progress is redrawn in place there). */
  interactive: boolean;
}

interface Options {
  stack: string;
  engine: "local" | "aws";
  format: OutputFormat;
  out?: string;
  roleArn: string[];
  identityPolicy: string[];
  bucketPolicy?: string;
  trustPolicy?: string;
  bucket?: string;
  prefix?: string;
  identityPoolId?: string;
  readAllFolders?: boolean;
  progress?: boolean;
  prove: boolean;
  strict?: boolean;
  ownerActions?: string;
  sharedFolder: string[];
  solverRlimit: number;
  solverTimeout: number;
  template: string[];
  templateFormat?: TemplateFormat;
  parameter: string[];
  parameters?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

const positiveInteger = (unit: string) => (value: string): number => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n <= 0) throw new InvalidArgumentError(`must be a positive whole number of ${unit}`);
  return n;
};

function command(io: CliIo): Command {
  return new Command()
    .name("npm run review --")
    .description(
      "Prove from the synthesized policies (or policy files) that no Cognito identity can reach another identity's folder.\n" +
        "Exit 0 when every request is decided as intended, 1 on any finding, 2 on usage or input errors.",
    )
    .option("--stack <name>", "stage to synthesize (reads Pulumi.<name>.yaml)", stackOption, "dev")
    .addOption(new Option("--engine <engine>", "local: offline evaluator; aws: IAM's policy simulator (needs credentials)").choices(["local", "aws"]).default("local"))
    .addOption(new Option("--format <format>", "report format (sarif: SARIF 2.1.0 for code scanning)").choices(["table", "json", "junit", "sarif"]).default("table"))
    .option("--out <file>", "write the report to a file (a one-line summary still goes to stdout)")
    .option("--role-arn <group=arn>", "deployed role ARN for a group (--engine aws; repeatable); default: the stack's outputs", collect, [])
    .option("--identity-policy <file>", "review this identity policy file instead of the stack (repeatable)", collect, [])
    .option("--bucket-policy <file>", "with --identity-policy: the bucket policy")
    .option("--trust-policy <file>", "with --identity-policy: the role's trust policy")
    .option("--bucket <name>", "with --identity-policy: the bucket the policies are about")
    .option("--prefix <prefix>", 'with --identity-policy: folder root; identity <id> owns <prefix>/<id>/ ("" for <id>/ at the bucket root)')
    .option("--identity-pool-id <id>", "with --identity-policy: the identity pool the role should trust")
    .option("--read-all-folders", "with --identity-policy: the role is meant to read (and list) every identity's folder")
    .option("--owner-actions <list>", "comma-separated S3 actions the owner is meant to have in its own folder (s3:ListBucket: listing inside it)")
    .option("--shared-folder <keyPrefix=access>", "a folder every identity may use: access is a subset of read,write,delete,list; {id} in the prefix stands for any identity (repeatable)", collect, [])
    .option("--strict", "warnings become findings: exactly the intended actions, TLS enforced (the default for --stack)")
    .option("--no-strict", "with --stack: warnings do not fail the review")
    .option("--progress", "report progress on stderr even when it is not a terminal")
    .option("--prove", "prove the isolation properties with Z3 (the default; kept for compatibility)")
    .option("--no-prove", "run only the simulation matrix")
    .option("--solver-rlimit <units>", "solver work per query, in Z3 resource units (an answer of unknown is reported, never a pass)", positiveInteger("resource units"), DEFAULT_QUERY_RLIMIT)
    .option("--solver-timeout <ms>", "wall-clock safety net per solver query, far above what the resource limit allows", positiveInteger("milliseconds"), SAFETY_TIMEOUT_MS)
    .option("--template <file>", "review a CloudFormation/CDK template, Terraform plan JSON, Pulumi stack export or AWS CLI IAM output (repeatable; a directory such as cdk.out/ means every template in it)", collect, [])
    .addOption(new Option("--template-format <format>", "with --template: the format, instead of detecting it").choices([...TEMPLATE_FORMATS]))
    .option("--parameter <key=value>", "with --template: a CloudFormation parameter value (repeatable)", collect, [])
    .option("--parameters <file>", "with --template: CloudFormation parameter values from a JSON file (an object, or a ParameterKey/ParameterValue list)")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
}

/** `--template` inputs; `--identity-policy` and the other document flags supply what they reference but lack (`[reference=]file`). */
async function templateTargets(o: Options): Promise<ReviewTarget[]> {
  const supplied = (use: SuppliedDocument["use"], values: (string | undefined)[]): SuppliedDocument[] =>
    values.filter((v): v is string => v !== undefined).map((v) => {
      const eq = v.lastIndexOf("=");
      return eq > 0 ? { use, key: v.slice(0, eq), file: v.slice(eq + 1) } : { use, file: v };
    });
  const parameters: Record<string, string> = o.parameters ? readParameterFile(o.parameters) : {};
  for (const p of o.parameter) {
    const eq = p.indexOf("=");
    if (eq <= 0) throw new PolicyInputError(`--parameter ${JSON.stringify(p)} must be KEY=VALUE`);
    parameters[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return targetsFromTemplates({
    templates: o.template,
    ...(o.templateFormat ? { format: o.templateFormat } : {}),
    parameters,
    ...(o.bucket !== undefined ? { bucket: o.bucket } : {}),
    ...(o.prefix !== undefined ? { prefix: o.prefix } : {}),
    ...(o.identityPoolId !== undefined ? { identityPoolId: o.identityPoolId } : {}),
    readAllFolders: !!o.readAllFolders,
    ownerActions: await parseOwnerActions(o.ownerActions),
    sharedFolders: o.sharedFolder.map(parseSharedFolder),
    supplied: [...supplied("identity", o.identityPolicy), ...supplied("trust", [o.trustPolicy]), ...supplied("resource", [o.bucketPolicy])],
  });
}

/**
 * What only some reviews need is loaded when they need it: synthesizing a stack loads Pulumi and
 * every component (about a second), the AWS engine the AWS SDK. A review of policy files or
 * templates starts without either.
 */
const awsEngine = async (options: Parameters<typeof import("./engines/aws/aws-engine").createAwsEngine>[0]) => (await import("./engines/aws/aws-engine")).createAwsEngine(options);

async function buildTargets(o: Options): Promise<{ target: ReviewTarget; engine: PolicyEngine; trustEngine?: PolicyEngine }[]> {
  if (o.template.length === 0) return [await buildTarget(o)];
  if (o.roleArn.length > 0) throw new PolicyInputError("--role-arn does not apply with --template");
  const local = createLocalEngine();
  return Promise.all((await templateTargets(o)).map(async (target) => (o.engine === "aws" ? { target, engine: await awsEngine({ mode: "documents", region: target.region }), trustEngine: local } : { target, engine: local })));
}

async function buildTarget(o: Options): Promise<{ target: ReviewTarget; engine: PolicyEngine; trustEngine?: PolicyEngine }> {
  const local = createLocalEngine();
  if (o.identityPolicy.length > 0) {
    if (!o.bucket || o.prefix === undefined) throw new PolicyInputError("--identity-policy needs --bucket and --prefix");
    const target = targetFromFiles({
      identityPolicies: o.identityPolicy,
      bucket: o.bucket,
      prefix: o.prefix,
      ...(o.bucketPolicy ? { bucketPolicy: o.bucketPolicy } : {}),
      ...(o.trustPolicy ? { trustPolicy: o.trustPolicy } : {}),
      ...(o.identityPoolId ? { identityPoolId: o.identityPoolId } : {}),
      readAllFolders: !!o.readAllFolders,
      ownerActions: await parseOwnerActions(o.ownerActions),
      sharedFolders: o.sharedFolder.map(parseSharedFolder),
    });
    return o.engine === "aws" ? { target, engine: await awsEngine({ mode: "documents", region: target.region }), trustEngine: local } : { target, engine: local };
  }
  for (const [flag, value] of [["--parameter", o.parameter[0]], ["--parameters", o.parameters], ["--template-format", o.templateFormat], ["--bucket-policy", o.bucketPolicy], ["--trust-policy", o.trustPolicy], ["--bucket", o.bucket], ["--prefix", o.prefix], ["--identity-pool-id", o.identityPoolId], ["--owner-actions", o.ownerActions], ["--shared-folder", o.sharedFolder[0]], ["--read-all-folders", o.readAllFolders || undefined]] as const) {
    if (value !== undefined) throw new PolicyInputError(`${flag} only applies with --identity-policy or --template`);
  }
  const { synthesizeStack } = await import("../synth/synthesize");
  const synthesized = targetFromStack(await synthesizeStack({ stack: o.stack }));
  if (o.engine === "local") {
    if (o.roleArn.length > 0) throw new PolicyInputError("--role-arn only applies with --engine aws");
    return { target: synthesized, engine: local };
  }
  // Live: the deployed roles are simulated with their real policies; the bucket policy is the
  // synthesized one, pointed at the deployed bucket.
  const { resolveDeployedRoles } = await import("./deployed-roles");
  const deployed = await resolveDeployedRoles({ roleArnPairs: o.roleArn, stack: o.stack, groups: synthesized.roles.map((r) => r.group) });
  const bucketName = deployed.outputs?.bucketName ?? synthesized.bucketName;
  const retarget = <T>(doc: T): T => JSON.parse(JSON.stringify(doc).split(synthesized.bucketName).join(bucketName)) as T;
  const target: ReviewTarget = {
    ...synthesized,
    label: `deployed stack ${o.stack}`,
    bucketName,
    accountId: Object.values(deployed.roleArns)[0]!.split(":")[4]!,
    ...(deployed.outputs?.identityPoolId ? { identityPoolId: deployed.outputs.identityPoolId } : {}),
    ...(deployed.outputs?.region ? { region: deployed.outputs.region } : {}),
    roles: synthesized.roles.map((r) => ({ ...r, roleArn: deployed.roleArns[r.group] ?? r.roleArn })),
    ...(synthesized.bucketPolicy ? { bucketPolicy: retarget(synthesized.bucketPolicy) } : {}),
  };
  return { target, engine: await awsEngine({ mode: "deployed", region: target.region }), trustEngine: local };
}

/** Progress of one phase ("simulating", "proving"): redrawn in place on a terminal, by quarters otherwise. */
function progressReporter(io: CliIo, always: boolean, verb: string) {
  const started = Date.now();
  let lastQuarter = -1;
  return (done: number, total: number) => {
    // Long runs only: say nothing during the first second.
    if (!always && Date.now() - started < 1000) return;
    if (io.interactive) {
      io.stderr(`\r${verb} ${done}/${total}${done === total ? "\n" : ""}`);
    } else {
      const quarter = Math.floor((done / total) * 4);
      if (quarter !== lastQuarter) {
        lastQuarter = quarter;
        io.stderr(`${verb} ${done}/${total}\n`);
      }
    }
  };
}

/** Runs the command; returns the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const program = command(io);
  try {
    program.parse(argv, { from: "user" });
  } catch (e) {
    return e instanceof CommanderError && e.exitCode === 0 ? 0 : 2;
  }
  const o = program.opts<Options>();
  const reviews: Review[] = [];
  // This project's own stack is reviewed strictly unless told otherwise; policy files and templates are not.
  const strict = o.strict ?? (o.identityPolicy.length === 0 && o.template.length === 0);
  try {
    for (const { target, engine, trustEngine } of await buildTargets(o)) {
      // On a terminal, or when asked: quiet when piped or in CI. A result shared from an earlier
      // review of the same target (review-memo.ts) is not recomputed, so it reports no progress.
      const progress = (verb: string) => (io.interactive || o.progress ? { onProgress: progressReporter(io, !!o.progress, verb) } : {});
      const computeMatrix = () => runMatrix(target, { engine, ...(trustEngine ? { trustEngine } : {}), ...progress("simulating") });
      const local = engine.name === "local" && (!trustEngine || trustEngine.name === "local");
      const matrix = withInputFindings(await (local ? sharedMatrix(target, computeMatrix) : computeMatrix()));
      // Counterexamples are replayed through the local engine: it needs no credentials.
      const limits = { rlimit: o.solverRlimit, timeoutMs: o.solverTimeout };
      const proof = o.prove !== false ? await sharedProof(target, limits, () => proveTarget(target, { ...limits, ...progress("proving") })) : undefined;
      const scope = scopeOf(target, proof?.otherPrincipals ?? foreignPrincipalsOf(target).map((f) => f.label));
      reviews.push({ matrix, ...(proof ? { proof } : {}), verdict: locatedVerdict(verdictOf(matrix, proof, strict), target), scope });
    }
  } catch (e) {
    if (e instanceof PolicyInputError || e instanceof ProjectConfigError || e instanceof StageConfigError || e instanceof AwsEngineError) {
      io.stderr(`error: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const report = renderReviews(reviews, o.format);
  const pass = reviewsPass(reviews);
  if (o.out) {
    try {
      fs.writeFileSync(o.out, report + "\n");
    } catch (e) {
      io.stderr(`error: cannot write ${o.out}: ${(e as Error).message}\n`);
      return 2;
    }
    const proofs = reviews.filter((r) => r.proof);
    const proved = proofs.length ? `, proof: ${proofs.every((r) => r.proof!.proved) ? "PROVED" : "NOT PROVED"}` : "";
    const count = (pick: (r: Review) => unknown[]) => reviews.reduce((n, r) => n + pick(r).length, 0);
    io.stdout(`${pass ? "PASS" : "FAIL"}: ${count((r) => r.verdict.findings)} finding(s), ${count((r) => r.verdict.warnings)} warning(s)${proved}; report written to ${o.out}
`);
  } else {
    io.stdout(report + "\n");
  }
  return pass ? 0 : 1;
}

if (require.main === module) {
  runCli(process.argv.slice(2), { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s), interactive: !!process.stderr.isTTY }).then(
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
