import { UNKNOWN } from "../test-support/fixtures";
import { runResourcePolicy, type TestResource } from "../test-support/validation-args";
import { identityPoolRoleMapping } from "./identity-pool-role-mapping";

const ADMIN = "arn:aws:iam::123456789012:role/admin";
const USER = "arn:aws:iam::123456789012:role/user";
const attachment = (roleMappings: unknown): TestResource => ({
  type: "aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment",
  name: "app-roles",
  inputs: { identityPoolId: "ap-northeast-1:x", roles: { authenticated: USER }, roleMappings },
});
const token = (ambiguousRoleResolution?: string) => ({ identityProvider: "cognito-idp…:client", type: "Token", ...(ambiguousRoleResolution ? { ambiguousRoleResolution } : {}) });
const rules = (matchType: string) => ({
  identityProvider: "cognito-idp…:client",
  type: "Rules",
  ambiguousRoleResolution: "Deny",
  mappingRules: [
    { claim: "cognito:groups", matchType: "Equals", value: "admin", roleArn: ADMIN },
    { claim: "cognito:groups", matchType, value: "user", roleArn: USER },
  ],
});
const messages = async (r: TestResource) => (await runResourcePolicy(identityPoolRoleMapping, r)).violations.map((v) => v.message);

describe("identity-pool-role-mapping", () => {
  it("passes Token mapping that denies ambiguous users, and Rules that match with Equals", async () => {
    expect(await messages(attachment([token("Deny")]))).toEqual([]);
    expect(await messages(attachment([rules("Equals")]))).toEqual([]);
  });

  it("fails an ambiguous resolution that hands out the default role, or none set", async () => {
    expect(await messages(attachment([token("AuthenticatedRole")]))).toEqual([
      expect.stringMatching(/^role attachment app-roles: roleMappings\[0\] \(Token\) has ambiguousRoleResolution "AuthenticatedRole", not "Deny"/),
    ]);
    expect(await messages(attachment([token("Deny"), token()]))).toEqual([expect.stringMatching(/roleMappings\[1\] \(Token\) has ambiguousRoleResolution unset/)]);
  });

  it("fails a rule that matches with Contains, naming the rule, its claim and value", async () => {
    expect(await messages(attachment([rules("Contains")]))).toEqual([
      expect.stringMatching(/roleMappings\[0\]\.mappingRules\[1\] matches cognito:groups with Contains "user": .*use Equals/),
    ]);
  });

  it("judges match types and resolution at preview, when provider names and role ARNs are unknown", async () => {
    const preview = { ...rules("Contains"), identityProvider: UNKNOWN };
    preview.mappingRules = preview.mappingRules.map((r) => ({ ...r, roleArn: UNKNOWN }));
    const outcome = await runResourcePolicy(identityPoolRoleMapping, attachment([preview]));
    expect(outcome.violations).toHaveLength(1);
    expect(outcome.deferred).toBeUndefined();
  });

  it("defers mappings that are unknown as a whole", async () => {
    const outcome = await runResourcePolicy(identityPoolRoleMapping, attachment(UNKNOWN));
    expect(outcome.violations).toEqual([]);
    expect(outcome.deferred).toMatch(/roleMappings of role attachment app-roles/);
  });

  it("judges the known mappings and rules when others are unknown as a whole", async () => {
    const partial = { ...rules("Contains"), mappingRules: [UNKNOWN, ...rules("Contains").mappingRules] };
    const outcome = await runResourcePolicy(identityPoolRoleMapping, attachment([UNKNOWN, partial]));
    expect(outcome.violations.map((v) => v.message)).toEqual([expect.stringContaining("roleMappings[1].mappingRules[2] matches cognito:groups with Contains")]);
    expect(outcome.deferred).toMatch(/element 0 of roleMappings of role attachment app-roles .*; element 0 of roleMappings\[1\]\.mappingRules of role attachment app-roles /);
  });

  it("passes an attachment without role mappings (no rules, nothing ambiguous to resolve)", async () => {
    expect(await messages(attachment(undefined))).toEqual([]);
  });
});
