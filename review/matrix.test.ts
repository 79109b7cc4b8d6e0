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
      row.scenario.kind === "s3" && row.scenario.role.group === role && row.scenario.caller === caller &&
      row.scenario.action === action && row.scenario.resource.label === resource && row.scenario.contextLabel === "",
  );
  if (rows.length !== 1) throw new Error(`expected one row for ${role}/${caller}/${action}/${resource}, found ${rows.length}`);
  return rows[0]!;
}

describe("a review that cannot be trusted fails", () => {
  it("fails a denial whose control is not allowed (here: the owner lacks the access too)", async () => {
    const target = targetFromStack(await synthesizeStack({ stack: "dev" }));
    // Strip the user role's object statement: A's denial on B's object now has no allowed control.
    const user = target.roles.find((role) => role.group === "user")!;
    user.identityPolicies = user.identityPolicies.map((p) => ({ ...p, document: { ...p.document, Statement: p.document.Statement.filter((s) => s.Sid !== "OwnFolderObjects") } }));
    const r = await runMatrix(target, { engine: createLocalEngine() });
    const attack = find(r, "user", "A", "s3:GetObject", "B's object");
    expect(attack.verdict.decision).toBe("ImplicitlyDenied");
    expect(attack.pass).toBe(false);
    expect(attack.failure).toMatch(/denial may be vacuous/);
    expect(r.findings.map((f) => f.category)).toEqual(expect.arrayContaining(["owner-lacks-access", "unreliable-verdict"]));
  });
});
