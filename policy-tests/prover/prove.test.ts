/**
 * The prover on what reviewers will give it: the dev stack as synthesized (group-wide read off
 * and on), the deliberately broken policies of the policy-tests suite, and constructs it does
 * not encode. Expected verdicts are written here from the mission and from each file's flaw,
 * and every counterexample must be confirmed by the simulator replay.
 */
import { synthesizeStack } from "../../synth/synthesize";
import { parseIamDocument, type IamDocument } from "../iam-document";
import type { ReviewTarget } from "../review-target";
import { targetFromStack } from "../targets";
import { ADMIN_READS_ALL, filesTarget } from "../test-support/review-inputs";
import { proveTarget } from "./prove";
import type { ProofResult, PropertyNumber } from "./verdicts";

const statusOf = (r: ProofResult, role: string, n: PropertyNumber) => r.verdicts.find((v) => v.role === role && v.property === n)?.status;
const notProved = (r: ProofResult) => r.verdicts.filter((v) => v.status !== "PROVED").map((v) => `${v.property}:${v.status}`);

describe.each([
  ["group-wide read off", {}],
  ["group-wide read on for admin", ADMIN_READS_ALL],
])("dev stack, %s", (label, overrides) => {
  let r: ProofResult;
  beforeAll(async () => {
    r = await proveTarget(targetFromStack(await synthesizeStack({ stack: "dev", overrides })));
  });

  it("proves all five properties for both roles", () => {
    expect(r.verdicts).toHaveLength(10);
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
    base = targetFromStack(await synthesizeStack({ stack: "dev", overrides: ADMIN_READS_ALL }));
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

describe("broken policies: each is VIOLATED with a counterexample the simulator confirms", () => {
  it.each([
    // [file, document, properties the flaw breaks]
    ["article-list.json", "identity", [2, 3, 5]],
    ["object-whole-prefix.json", "identity", [1, 5]],
    // With Cognito's fixed-length ids, `<prefix>/<id>*` cannot reach another folder; it still
    // lists outside the caller's own (`<prefix>/<id>-anything`), which intent forbids.
    ["list-without-slash.json", "identity", [5]],
    ["list-if-exists.json", "identity", [2, 5]],
    ["wildcard-actions.json", "identity", [5]],
    ["version-deletion.json", "identity", [5]],
    ["acl-action.json", "identity", [5]],
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

  it("without a trust policy, the trust property is not proved", async () => {
    const target = filesTarget({});
    delete target.roles[0]!.trustPolicy;
    const r = await proveTarget(target);
    expect(statusOf(r, "reviewed-role", 4)).toBe("UNKNOWN");
    expect(statusOf(r, "reviewed-role", 1)).toBe("PROVED");
  });
});
