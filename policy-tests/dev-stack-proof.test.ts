/**
 * The isolation proof of this project's own stack: the dev stack as synthesized (group-wide read
 * off and on) is PROVED for every property and role, and the same stack broken in one place is
 * VIOLATED exactly there, with a counterexample the simulator confirms.
 */
import type { IamDocument } from "../iam/document";
import { proveTarget } from "../review/prover/prove";
import type { ProofResult, PropertyNumber } from "../review/prover/verdicts";
import type { ReviewTarget } from "../review/review-target";
import { targetFromStack } from "../review/targets";
import { ADMIN_READS_ALL } from "../review/test-support/review-inputs";
import { synthesizeStack, type SynthesizedStack } from "../synth/synthesize";

/** The dev stack with `overrides`, synthesized once per file: the proofs read a stack, never change it. */
const synthesized = new Map<string, Promise<SynthesizedStack>>();
function devStack(overrides: Record<string, unknown>): Promise<SynthesizedStack> {
  const key = JSON.stringify(overrides);
  if (!synthesized.has(key)) synthesized.set(key, synthesizeStack({ stack: "dev", overrides }));
  return synthesized.get(key)!;
}

const statusOf = (r: ProofResult, role: string, n: PropertyNumber) => r.verdicts.find((v) => v.role === role && v.property === n)?.status;
const notProved = (r: ProofResult) => r.verdicts.filter((v) => v.status !== "PROVED").map((v) => `${v.property}:${v.status}`);

describe.each([
  ["group-wide read off", {}],
  ["group-wide read on for admin", ADMIN_READS_ALL],
])("dev stack, %s", (label, overrides) => {
  let r: ProofResult;
  beforeAll(async () => {
    r = await proveTarget(targetFromStack(await devStack(overrides)));
  });

  it("proves every property for both roles, and property 7 for the other principals", () => {
    expect(r.verdicts).toHaveLength(13);
    expect(notProved(r)).toEqual([]);
    expect(r.proved).toBe(true);
  });

  it("reports the admin's group-wide read as intended (and only the admin's)", () => {
    const intended = (role: string) => r.verdicts.filter((v) => v.role === role).flatMap((v) => v.intended);
    expect(intended("user")).toEqual([]);
    if (label.endsWith("admin")) {
      expect(intended("admin").some((n) => /^s3:GetObject in another identity's folder .*allowed as intended/.test(n))).toBe(true);
      expect(intended("admin").some((n) => /^s3:ListBucket of another identity's folder .*allowed as intended/.test(n))).toBe(true);
    } else {
      expect(intended("admin")).toEqual([]);
    }
  });
});

describe("the synthesized dev stack, broken in one place", () => {
  let base: ReviewTarget;
  beforeAll(async () => {
    base = targetFromStack(await devStack(ADMIN_READS_ALL));
  });
  /** A deep copy whose `group` role's documents pass through `edit` (as JSON text). */
  const broken = (group: string, edit: (json: string) => string): ReviewTarget => {
    const copy = structuredClone(base);
    const role = copy.roles.find((r) => r.group === group)!;
    role.identityPolicies = role.identityPolicies.map((p) => ({ ...p, document: JSON.parse(edit(JSON.stringify(p.document))) }));
    return copy;
  };

  it("user's listing widened to the whole prefix: property 2 VIOLATED for user only", async () => {
    const r = await proveTarget(broken("user", (json) => json.replace(/private\/\$\{cognito-identity\.amazonaws\.com:sub\}\/\*/g, "private/*")));
    expect(statusOf(r, "user", 2)).toBe("VIOLATED");
    expect(statusOf(r, "admin", 2)).toBe("PROVED");
    expect(r.verdicts.find((v) => v.role === "user" && v.property === 2)!.counterexample!.confirmed).toBe(true);
  });

  it("admin's group-wide read turned into write: property 1 VIOLATED for admin, the user untouched", async () => {
    const r = await proveTarget(
      broken("admin", (json) => {
        const doc = JSON.parse(json) as IamDocument;
        const read = doc.Statement.find((st) => st.Sid === "AllFoldersRead")!;
        read.Action = ["s3:GetObject", "s3:PutObject"];
        return JSON.stringify(doc);
      }),
    );
    const v = r.verdicts.find((x) => x.role === "admin" && x.property === 1)!;
    expect(v.status).toBe("VIOLATED");
    expect(v.counterexample).toMatchObject({ action: "s3:PutObject", confirmed: true });
    expect(r.verdicts.filter((x) => x.role === "user").every((x) => x.status === "PROVED")).toBe(true);
  });
});
