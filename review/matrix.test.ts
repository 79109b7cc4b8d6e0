/**
 * The matrix's own safeguard: a denial whose control fails is a finding, not a pass.
 */
import { synthesizeStack } from "../synth/synthesize";
import { createLocalEngine } from "./engines/local-engine";
import { runMatrix, type MatrixResult, type Row } from "./matrix";
import type { S3Scenario } from "./scenarios";
import { targetFromStack } from "./targets";

type S3Row = Row & { scenario: S3Scenario };

function find(r: MatrixResult, role: string, caller: string, action: string, resource: string): S3Row {
  const rows = r.rows.filter(
    (row): row is S3Row =>
      row.scenario.kind === "s3" && !row.scenario.foreign && row.scenario.role.group === role && row.scenario.caller === caller &&
      row.scenario.action === action && row.scenario.resource.label === resource && row.scenario.contextLabel === "",
  );
  if (rows.length !== 1) throw new Error(`expected one row for ${role}/${caller}/${action}/${resource}, found ${rows.length}`);
  return rows[0]!;
}

describe("a review that cannot be trusted fails", () => {
  it("an owner who lacks the access is a warning, and the denial beside it falls back to the reachability control", async () => {
    const target = targetFromStack(await synthesizeStack({ stack: "dev" }));
    // Strip the user role's object statement: the owner's control is refused now.
    const user = target.roles.find((role) => role.group === "user")!;
    user.identityPolicies = user.identityPolicies.map((p) => ({ ...p, document: { ...p.document, Statement: p.document.Statement.filter((s) => s.Sid !== "OwnFolderObjects") } }));
    const r = await runMatrix(target, { engine: createLocalEngine() });
    const attack = find(r, "user", "A", "s3:GetObject", "B's object");
    expect(attack.verdict.decision).toBe("ImplicitlyDenied");
    expect(attack.pass).toBe(true);
    expect(attack.control).toMatchObject({ kind: "reachability", allowed: true });
    expect(r.warnings.map((f) => f.category)).toContain("owner-lacks-access");
    expect(r.findings).toEqual([]);
  });

  it("fails a denial whose controls are not allowed (an evaluator that cannot evaluate the request)", async () => {
    const target = targetFromStack(await synthesizeStack({ stack: "dev" }));
    const user = target.roles.find((role) => role.group === "user")!;
    user.identityPolicies = user.identityPolicies.map((p) => ({ ...p, document: { ...p.document, Statement: p.document.Statement.filter((s) => s.Sid !== "OwnFolderObjects") } }));
    const local = createLocalEngine();
    // The control policy is refused too: nothing shows the request could be allowed at all.
    const refusing = { ...local, evaluateReachability: async (_t: unknown, requests: unknown[]) => requests.map(() => ({ decision: "ImplicitlyDenied" as const, decidedBy: [], problems: [] })) };
    const r = await runMatrix(target, { engine: refusing });
    const attack = find(r, "user", "A", "s3:GetObject", "B's object");
    expect(attack.pass).toBe(false);
    expect(attack.failure).toMatch(/denial may be vacuous/);
    expect(r.findings.map((f) => f.category)).toContain("unreliable-verdict");
  });
});
