import { lambdaTrustPolicy } from "../../components/policy-documents";
import { ARTICLE_TRUST, POOL_ID, trust, UNKNOWN } from "../test-support/fixtures";
import { runResourcePolicy, type TestResource } from "../test-support/validation-args";
import { cognitoRoleTrust } from "./cognito-trust";

const role = (assumeRolePolicy: unknown, name = "app-role"): TestResource => ({ type: "aws:iam/role:Role", name, inputs: { assumeRolePolicy } });
const judge = (r: TestResource, config: object = {}) => runResourcePolicy(cognitoRoleTrust, r, config);
const statement = (condition: object) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Sid: "Web", Effect: "Allow", Principal: { Federated: "cognito-identity.amazonaws.com" }, Action: "sts:AssumeRoleWithWebIdentity", Condition: condition }],
  });

describe("cognito-role-trust", () => {
  it("passes the project's trust (aud on the pool, amr authenticated) and fails the article's (amr only)", async () => {
    expect((await judge(role(trust()))).violations).toEqual([]);

    const article = await judge(role(JSON.stringify(ARTICLE_TRUST)));
    expect(article.violations).toHaveLength(1);
    expect(article.violations[0]!.message).toMatch(/^role app-role: trust statement #0: lacks StringEquals cognito-identity.amazonaws.com:aud.*\[trust-missing-aud\]$/);
    expect(article.violations[0]!.urn).toBeUndefined(); // a resource policy reports on the resource itself
  });

  it("fails a trust without the amr condition, naming the statement by Sid", async () => {
    const outcome = await judge(role(statement({ StringEquals: { "cognito-identity.amazonaws.com:aud": POOL_ID } })));
    expect(outcome.violations.map((v) => v.message)).toEqual([expect.stringMatching(/^role app-role: trust statement Web: lacks ForAnyValue:StringLike .*amr.*\[trust-missing-amr\]$/)]);
  });

  it("fails an aud that is a pattern rather than one identity pool", async () => {
    const outcome = await judge(
      role(statement({ StringEquals: { "cognito-identity.amazonaws.com:aud": "ap-northeast-1:*" }, "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "authenticated" } })),
    );
    expect(outcome.violations.map((v) => v.message)).toEqual([expect.stringContaining("[trust-wrong-aud]")]);
  });

  it("fails amr = unauthenticated as well as a missing amr", async () => {
    const outcome = await judge(
      role(statement({ StringEquals: { "cognito-identity.amazonaws.com:aud": POOL_ID }, "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "unauthenticated" } })),
    );
    expect(outcome.violations.map((v) => v.message)).toEqual([expect.stringContaining("[trust-missing-amr]")]);
  });

  it("judges a trust given as an object as well as JSON text", async () => {
    expect((await judge(role(ARTICLE_TRUST))).violations).toHaveLength(1);
    expect((await judge(role(JSON.parse(trust())))).violations).toEqual([]);
  });

  it("is not applicable to roles that Cognito identities cannot assume (a Lambda execution role)", async () => {
    const outcome = await judge(role(JSON.stringify(lambdaTrustPolicy())));
    expect(outcome.violations).toEqual([]);
    expect(outcome.notApplicable).toBe("role app-role is not trusted by cognito-identity.amazonaws.com");
  });

  it("also reports another principal trusted next to the Cognito one", async () => {
    const doc = JSON.parse(trust());
    doc.Statement.push({ Sid: "Also", Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "sts:AssumeRole" });
    const outcome = await judge(role(JSON.stringify(doc)));
    expect(outcome.violations.map((v) => v.message)).toEqual([expect.stringMatching(/trust statement Also: trusts a principal other than .*\[trust-wrong-principal\]/)]);
  });

  it("defers a trust that is unknown during preview to `up`, reporting no violation", async () => {
    const outcome = await judge(role(UNKNOWN));
    expect(outcome.violations).toEqual([]);
    expect(outcome.deferred).toMatch(/judged at `pulumi up`: the trust policy of role app-role: string value at \.assumeRolePolicy can't be known during preview/);
  });

  it("defers a trust object with an unknown aud value (a pool id not yet created)", async () => {
    const doc = JSON.parse(trust());
    doc.Statement[0].Condition.StringEquals["cognito-identity.amazonaws.com:aud"] = UNKNOWN;
    const outcome = await judge(role(doc));
    expect(outcome.violations).toEqual([]);
    expect(outcome.deferred).toContain("cognito-identity.amazonaws.com:aud");
  });

  it("reports an unreadable trust that names the Cognito principal, and ignores other unreadable ones", async () => {
    const bad = await judge(role('{"Statement": [{"Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"}}]}'));
    expect(bad.violations.map((v) => v.message)).toEqual([expect.stringMatching(/names cognito-identity.amazonaws.com but cannot be read: .*needs exactly one of Action or NotAction/)]);
    expect((await judge(role("not json"))).notApplicable).toMatch(/does not name cognito-identity/);
  });

  it("honours exemptResources by logical name or URN pattern", async () => {
    const article = role(JSON.stringify(ARTICLE_TRUST), "legacy-role");
    expect((await judge(article, { exemptResources: ["legacy-role"] })).notApplicable).toMatch(/exempted/);
    expect((await judge(article, { exemptResources: ["urn:pulumi:dev::*::aws:iam/role:Role::legacy-*"] })).violations).toEqual([]);
    expect((await judge(article, { exemptResources: ["other-role"] })).violations).toHaveLength(1);
  });

  it("rejects a malformed exemptResources config instead of ignoring it", async () => {
    await expect(judge(role(trust()), { exemptResources: "legacy-role" })).rejects.toThrow(/exemptResources must be a list of strings/);
  });

  it("is not applicable to other resource types", async () => {
    const outcome = await runResourcePolicy(cognitoRoleTrust, { type: "aws:s3/bucket:Bucket", name: "b", inputs: {} });
    expect(outcome.notApplicable).toBe("applies to aws:iam/role:Role only");
  });
});
