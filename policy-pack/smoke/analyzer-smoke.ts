/**
 * The pack as the Pulumi CLI runs it, minus the CLI (which cannot run offline): start the pack with
 * @pulumi/pulumi's own policy-pack runner (`cmd/run-policy-pack`, which registers ts-node and
 * loads index.ts, as the CLI's `pulumi-analyzer-policy` plugin does), then speak the analyzer gRPC
 * protocol to it as the engine would: GetAnalyzerInfo, Configure, Analyze for each resource and
 * AnalyzeStack, with the synthesized dev stack both fully known (`up`) and as at its first preview
 * (unknowns sent as the engine's unknown sentinel).
 *
 *   ./npmw exec -- tsx policy-pack/smoke/analyzer-smoke.ts            the pack directory (ts-node)
 *   ./npmw exec -- tsx policy-pack/smoke/analyzer-smoke.ts --bundle   dist/policy-pack (publish/build.ts)
 *
 * Exit 0 when every expectation held; analyzer-smoke.test.ts runs the same checks under jest.
 * @grpc/grpc-js and google-protobuf are @pulumi/pulumi's own dependencies: the same copies the
 * analyzer server uses.
 */
import * as grpc from "@grpc/grpc-js";
import * as analyzerGrpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import * as path from "node:path";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { synthesizeStack } from "../../synth/synthesize";
import { IDENTITY_POOL_SETTINGS, COGNITO_ROLE_TRUST, PACK_NAME, policies } from "../policies";
import { TYPES } from "../policies/resources";
import { ARTICLE_TRUST } from "../test-support/fixtures";
import { stackResources } from "../test-support/from-synth";
import { urnOf, type TestResource } from "../test-support/validation-args";
import { buildPublishablePack, PACK_DIR } from "../publish/build";
import { startPluginProcess, type PluginProcess } from "../../component-package/smoke/plugin-process";

const LEVEL = ["advisory", "mandatory", "disabled", "remediate"] as const;
const BOOT_TIMEOUT_MS = 30_000;

interface Diag {
  policy: string;
  level: string;
  message: string;
  urn: string;
}

function startPack(dir: string): Promise<PluginProcess> {
  return startPluginProcess({ label: "policy pack", runner: "@pulumi/pulumi/cmd/run-policy-pack", args: ["127.0.0.1:0", "."], cwd: dir, bootTimeoutMs: BOOT_TIMEOUT_MS });
}

function struct(props: Record<string, unknown>): Struct {
  // JSON drops undefined values, as the engine's marshalling does.
  return Struct.fromJavaScript(JSON.parse(JSON.stringify(props)));
}

function options(): analyzer.AnalyzerResourceOptions {
  const o = new analyzer.AnalyzerResourceOptions();
  o.setProtect(false);
  return o;
}

function analyzeRequest(r: TestResource): analyzer.AnalyzeRequest {
  const req = new analyzer.AnalyzeRequest();
  req.setType(r.type);
  req.setName(r.name);
  req.setUrn(urnOf(r));
  req.setProperties(struct(r.inputs));
  req.setOptions(options());
  return req;
}

function analyzeStackRequest(resources: TestResource[]): analyzer.AnalyzeStackRequest {
  const req = new analyzer.AnalyzeStackRequest();
  req.setResourcesList(
    resources.map((r) => {
      const res = new analyzer.AnalyzerResource();
      res.setType(r.type);
      res.setName(r.name);
      res.setUrn(urnOf(r));
      res.setProperties(struct(r.outputs ?? r.inputs));
      res.setOptions(options());
      const deps = res.getPropertydependenciesMap();
      for (const [key, refs] of Object.entries(r.dependsOn ?? {})) {
        const d = new analyzer.AnalyzerPropertyDependencies();
        d.setUrnsList(refs.map((ref) => urnOf(resources.find((x) => x.urn === ref || x.name === ref)!)));
        deps.set(key, d);
      }
      res.setDependenciesList([...new Set(Object.values(r.dependsOn ?? {}).flat())].map((ref) => urnOf(resources.find((x) => x.urn === ref || x.name === ref)!)));
      return res;
    }),
  );
  return req;
}

const diags = (response: analyzer.AnalyzeResponse): Diag[] =>
  response.getDiagnosticsList().map((d) => ({ policy: d.getPolicyname(), level: LEVEL[d.getEnforcementlevel()] ?? "?", message: d.getMessage(), urn: d.getUrn() }));

function call<Req, Res>(method: (req: Req, cb: (e: grpc.ServiceError | null, r: Res) => void) => unknown, req: Req): Promise<Res> {
  return new Promise((resolve, reject) => method(req, (e, r) => (e ? reject(e) : resolve(r))));
}

export interface SmokeCheck {
  what: string;
  ok: boolean;
  detail?: string;
}

export interface SmokeResult {
  checks: SmokeCheck[];
  /** Seconds from spawning the runner to the pack serving. */
  bootSeconds: number;
  /** The pack process's stderr. */
  stderr: string;
}

/** Starts the pack in `dir` with the policy-pack runner and runs every check against it. */
export async function runSmoke(dir: string = PACK_DIR): Promise<SmokeResult> {
  const dev = await synthesizeStack({ stack: "dev" });
  const started = Date.now();
  const pack = await startPack(dir);
  const bootSeconds = (Date.now() - started) / 1000;
  const client = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${pack.port}`, grpc.credentials.createInsecure());
  const checks: SmokeCheck[] = [];
  const check = (what: string, ok: boolean, detail?: string) => checks.push({ what, ok, ...(detail ? { detail } : {}) });

  try {
    const info = await call<Empty, analyzer.AnalyzerInfo>(client.getAnalyzerInfo.bind(client), new Empty());
    const served = info.getPoliciesList().map((p) => p.getName());
    check(`serves pack ${PACK_NAME} with the ${policies.length} policies`, info.getName() === PACK_NAME && JSON.stringify(served) === JSON.stringify(policies.map((p) => p.name)), served.join(", "));
    check(
      "every policy is mandatory and declares its config schema",
      info.getPoliciesList().every((p) => LEVEL[p.getEnforcementlevel()] === "mandatory" && !!p.getConfigschema()?.getProperties()?.toJavaScript().exemptResources),
    );

    const judge = async (resources: TestResource[]) => {
      const perResource = await Promise.all(resources.map((r) => call<analyzer.AnalyzeRequest, analyzer.AnalyzeResponse>(client.analyze.bind(client), analyzeRequest(r))));
      const stack = await call<analyzer.AnalyzeStackRequest, analyzer.AnalyzeResponse>(client.analyzeStack.bind(client), analyzeStackRequest(resources));
      return [...perResource.flatMap(diags), ...diags(stack)];
    };

    const up = await judge(stackResources(dev, "up"));
    check("dev stack, every value known (pulumi up): no diagnostics", up.length === 0, up.map((d) => d.message).join(" | "));

    const preview = await judge(stackResources(dev, "first-preview"));
    const previewOk =
      preview.length > 0 &&
      preview.every((d) => d.level === "advisory" && /^can't run policy '[\w-]+' from policy pack 'identity-scoped-storage@v0\.1\.0' during preview: \d+ check\(s\) need values .* judged at `pulumi up`/.test(d.message));
    check("dev stack at first preview: only advisory 'judged at pulumi up' notes", previewOk, preview.map((d) => `${d.policy}: ${d.message.slice(0, 160)}`).join("\n      "));

    const broken = stackResources(dev, "up").map((r) =>
      r.type === TYPES.role && r.name.endsWith("-admin-role") ? { ...r, inputs: { ...r.inputs, assumeRolePolicy: JSON.stringify(ARTICLE_TRUST) } } : r,
    );
    const article = await judge(broken);
    check(
      "the article's trust on the admin role: one mandatory cognito-role-trust violation",
      article.length === 1 && article[0]!.policy === COGNITO_ROLE_TRUST && article[0]!.level === "mandatory" && article[0]!.message.includes("[trust-missing-aud]"),
      article.map((d) => d.message).join(" | "),
    );

    const classic = stackResources(dev, "up").map((r) => (r.type === TYPES.identityPool ? { ...r, inputs: { ...r.inputs, allowClassicFlow: true } } : r));
    const configure = new analyzer.ConfigureAnalyzerRequest();
    const advisory = new analyzer.PolicyConfig();
    advisory.setEnforcementlevel(analyzer.EnforcementLevel.ADVISORY);
    advisory.setProperties(struct({}));
    configure.getPolicyconfigMap().set(IDENTITY_POOL_SETTINGS, advisory);
    await call<analyzer.ConfigureAnalyzerRequest, Empty>(client.configure.bind(client), configure);
    const lowered = await judge(classic);
    check("classic flow with the policy configured advisory: one advisory violation", lowered.length === 1 && lowered[0]!.level === "advisory", lowered.map((d) => d.message).join(" | "));

    const optIn = new analyzer.PolicyConfig();
    optIn.setEnforcementlevel(analyzer.EnforcementLevel.MANDATORY);
    optIn.setProperties(struct({ allowClassicFlow: true }));
    configure.getPolicyconfigMap().set(IDENTITY_POOL_SETTINGS, optIn);
    await call<analyzer.ConfigureAnalyzerRequest, Empty>(client.configure.bind(client), configure);
    const allowed = await judge(classic);
    check("classic flow with allowClassicFlow: true in the config: no diagnostics", allowed.length === 0, allowed.map((d) => d.message).join(" | "));
  } finally {
    client.close();
    pack.child.kill();
  }
  return { checks, bootSeconds, stderr: pack.stderr() };
}

async function main(): Promise<number> {
  const dir = process.argv.includes("--bundle") ? (await buildPublishablePack()).outdir : PACK_DIR;
  const result = await runSmoke(dir);
  console.log(`pack served from ${path.relative(process.cwd(), dir) || "."} after ${result.bootSeconds.toFixed(1)} s`);
  for (const c of result.checks) console.log(`${c.ok ? "ok  " : "FAIL"} ${c.what}${c.detail && !c.ok ? `\n      ${c.detail}` : ""}`);
  const failed = result.checks.filter((c) => !c.ok).length;
  console.log(failed === 0 ? `all ${result.checks.length} checks held` : `${failed} of ${result.checks.length} checks failed`);
  if (failed > 0 && result.stderr) console.log(`pack stderr:\n${result.stderr}`);
  return failed === 0 ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
