/**
 * The prover on policies reviewers will hand it: the deliberately broken policy files (each
 * VIOLATED on exactly the properties its flaw breaks, with a counterexample the simulator
 * confirms) and constructs it does not encode (UNKNOWN, never a pass).
 */
import { parseIamDocument } from "../../iam/document";
import { filesTarget } from "../test-support/review-inputs";
import { proveTarget } from "./prove";
import type { ProofResult, PropertyNumber } from "./verdicts";

const statusOf = (r: ProofResult, role: string, n: PropertyNumber) => r.verdicts.find((v) => v.role === role && v.property === n)?.status;
const notProved = (r: ProofResult) => r.verdicts.filter((v) => v.status !== "PROVED").map((v) => `${v.property}:${v.status}`);

describe("broken policies: each is VIOLATED with a counterexample the simulator confirms", () => {
  it.each([
    // [file, document, properties the flaw breaks]
    ["article-list.json", "identity", [2, 3, 5]],
    ["object-whole-prefix.json", "identity", [1, 5]],
    // With Cognito's fixed-length ids, `<prefix>/<id>*` cannot reach another folder; it still
    // lists outside the caller's own (`<prefix>/<id>-anything`), which intent forbids.
    ["list-without-slash.json", "identity", [5]],
    ["list-if-exists.json", "identity", [2, 5]],
    // s3:* includes ACL writes (6) besides other excess (5).
    ["wildcard-actions.json", "identity", [5, 6]],
    ["version-deletion.json", "identity", [5]],
    ["acl-action.json", "identity", [6]],
    ["not-resource.json", "identity", [1, 5]],
    ["trust-without-aud.json", "trust", [4]],
    ["trust-without-amr.json", "trust", [4]],
    ["bucket-without-tls-deny.json", "bucket", [5]],
  ] as const)("%s", async (name, doc, broken) => {
    const r = await proveTarget(filesTarget({ [doc]: name }));
    expect(r.verdicts.filter((v) => v.status !== "PROVED").map((v) => v.property)).toEqual([...broken]);
    for (const v of r.verdicts.filter((x) => x.status !== "PROVED")) {
      expect(v.status).toBe("VIOLATED");
      const c = v.counterexample!;
      expect(c.confirmed).toBe(true);
      expect(c.simulator.problems).toEqual([]);
      // Property 3 finds a refused owner request; the others an allowed forbidden one.
      expect(c.simulator.decision).toBe(v.property === 3 ? "ImplicitlyDenied" : "Allowed");
      if (v.property !== 4) expect(c.intent?.allow).toBe(v.property === 3);
    }
  });

  it("control: the correct set is PROVED", async () => {
    expect(notProved(await proveTarget(filesTarget({})))).toEqual([]);
  });

  it("article list: the counterexample lists the bare prefix and names a key in the other folder", async () => {
    const v = (await proveTarget(filesTarget({ identity: "article-list.json" }))).verdicts.find((x) => x.property === 2)!;
    const c = v.counterexample!;
    expect(c.action).toBe("s3:ListBucket");
    expect(c.context["s3:prefix"]).toBe("cognito-test");
    expect(c.revealed?.key.startsWith(`cognito-test/${c.otherId}/`)).toBe(true);
    expect(c.otherId).not.toBe(c.callerId);
    expect(c.callerId).toMatch(/^ap-northeast-1:[0-9a-f-]{36}$/);
  });
});

describe("what the prover does not encode is UNKNOWN, never a pass", () => {
  it("an unresolvable policy variable names the variable and the statement", async () => {
    const r = await proveTarget(filesTarget({ identity: "unresolved-variable.json" }));
    const v = r.verdicts.find((x) => x.property === 1)!;
    expect(v.status).toBe("UNKNOWN");
    expect(v.reason).toMatch(/policy variable \$\{aws:username\} in .*unresolved-variable\.json › ByUserName/);
    expect(r.proved).toBe(false);
  });

  it("an unsupported condition operator names the operator and the statement", async () => {
    const target = filesTarget({});
    const numeric = parseIamDocument(
      { Version: "2012-10-17", Statement: [{ Sid: "Big", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::files-bucket/*", Condition: { NumericLessThan: { "s3:max-keys": "10" } } }] },
      "identity",
      "numeric.json",
    );
    target.roles[0]!.identityPolicies.push({ name: "numeric.json", document: numeric });
    const v = (await proveTarget(target)).verdicts.find((x) => x.property === 1)!;
    expect(v.status).toBe("UNKNOWN");
    expect(v.reason).toMatch(/condition operator NumericLessThan in numeric\.json › Big/);
  });

  it("without a trust policy, trust is outside the proof (no verdict), the rest is proved", async () => {
    const target = filesTarget({});
    delete target.roles[0]!.trustPolicy;
    const r = await proveTarget(target);
    expect(statusOf(r, "reviewed-role", 4)).toBeUndefined();
    expect(statusOf(r, "reviewed-role", 1)).toBe("PROVED");
  });
});

describe("any budget --solver-rlimit accepts gives verdicts, not a crash", () => {
  // The attempts get shares of the budget, and Z3 refuses a fractional rlimit: 100,000 / 1,600 was 62.5.
  it("100,000 units (not a multiple of the shares' denominators): the correct set is PROVED, as at the default", async () => {
    expect(notProved(await proveTarget(filesTarget({}), { rlimit: 100_000 }))).toEqual([]);
  });

  it("1,000 units (shares under one unit): a violated property is UNKNOWN or VIOLATED, never PROVED", async () => {
    const r = await proveTarget(filesTarget({ identity: "article-list.json" }), { rlimit: 1_000 });
    // Control: at the default budget the same property is VIOLATED (the first describe block).
    expect(statusOf(r, r.verdicts[0]!.role, 2)).not.toBe("PROVED");
    for (const v of r.verdicts.filter((x) => x.status === "UNKNOWN")) expect(v.reason).toMatch(/resource limit of \d+ reached|not encoded/);
  });
});
