/**
 * Whether iam-simulate's unsafe (fast) mode could replace the validated mode: runs the minimal
 * reproduction of its failure with a resource policy, live, so that BENCHMARKS.md says what the
 * installed version does, and times both modes on one request it can answer.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { runSimulation, runUnsafeSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import { percentile } from "./harness";

const ACCOUNT = "111122223333";
const RUNS = 300;

/** The minimal reproduction: one identity policy, one bucket policy, one GetObject. */
export const REPRODUCTION = {
  identityPolicies: [{ name: "identity", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }] } }],
  serviceControlPolicies: [],
  resourceControlPolicies: [],
  resourcePolicy: { Version: "2012-10-17", Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "arn:aws:s3:::b/*", Condition: { Bool: { "aws:SecureTransport": "false" } } }] },
  request: { principal: `arn:aws:sts::${ACCOUNT}:assumed-role/r/s`, action: "s3:GetObject", resource: { resource: "arn:aws:s3:::b/k", accountId: ACCOUNT }, contextVariables: { "aws:SecureTransport": "true" } },
} as unknown as Simulation;

async function microseconds(run: () => unknown): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await run();
    samples.push((performance.now() - t) * 1000);
  }
  return percentile(samples, 50);
}

/** Notes for BENCHMARKS.md. */
export async function unsafeModeNotes(): Promise<string[]> {
  // The package's exports hide package.json: read it beside its entry point.
  const entry = require.resolve("@cloud-copilot/iam-simulate");
  const version = (JSON.parse(fs.readFileSync(path.join(entry.slice(0, entry.lastIndexOf(`${path.sep}dist${path.sep}`)), "package.json"), "utf8")) as { version: string }).version;
  let outcome: string;
  try {
    outcome = `returned ${JSON.stringify(runUnsafeSimulation(REPRODUCTION, {}))}`;
  } catch (e) {
    outcome = `throws \`${(e as Error).name}: ${(e as Error).message}\``;
  }
  const { resourcePolicy: _, ...withoutBucket } = REPRODUCTION;
  const validated = await microseconds(() => runSimulation(withoutBucket as Simulation, {}));
  const unsafe = await microseconds(() => runUnsafeSimulation(withoutBucket as Simulation, {}));
  return [
    `iam-simulate ${version}, unsafe mode: \`runUnsafeSimulation\` with a bucket policy ${outcome}. Minimal reproduction: an identity policy allowing s3:GetObject on arn:aws:s3:::b/*, a bucket policy denying s3:* without TLS, and GetObject on arn:aws:s3:::b/k by an assumed-role session (REPRODUCTION in bench/unsafe-mode.ts). Cause: the unsafe engine loads the resource policy with \`loadPolicy(policy)\` and no metadata, and the core engine's \`analyzeResourcePolicy\` reads \`resourcePolicy.metadata().name\`; the validated mode passes \`{ name }\`. The fix belongs upstream: pass a name there.`,
    `Even fixed, the unsafe mode cannot be used soundly here: it returns only the decision, not the analysis, so the reviewer could not see which statements decided, which context keys the evaluator ignored or which conditions failed only for lack of a key — the checks that keep a "denied" from being vacuous. The validated mode already skips repeated validation when handed iam-policy's ValidatedPolicy, which the reviewer makes once per document; what would still help, upstream: the unsafe mode's speed with the validated mode's result object (analysis, ignored context keys). Until then the validated mode is kept, and made cheaper by validating each document once, sharing simulations and memoising resource types.`,
    `Same request without the bucket policy, median of ${RUNS} in this process: validated mode ${validated.toFixed(0)} µs, unsafe mode ${unsafe.toFixed(0)} µs per simulation.`,
  ];
}
