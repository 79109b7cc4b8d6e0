import { flag, matchesAny, stringList } from "./config";

describe("pack config", () => {
  const role = { urn: "urn:pulumi:dev::proj::aws:iam/role:Role::iss-dev-admin-role", name: "iss-dev-admin-role", physicalName: "iss-dev-admin-role-7ced7df" };

  it("matches a resource by URN, logical name or physical name, with * as the only wildcard", () => {
    expect(matchesAny(["iss-dev-admin-role"], role)).toBe(true);
    expect(matchesAny(["iss-dev-admin-role-7ced7df"], role)).toBe(true);
    expect(matchesAny(["urn:pulumi:dev::*::iss-dev-admin-*"], role)).toBe(true);
    expect(matchesAny(["*-admin-role"], role)).toBe(true);
    expect(matchesAny(["iss-dev-admin"], role)).toBe(false); // whole names only
    expect(matchesAny(["iss.dev.admin.role"], role)).toBe(false); // '.' is not a wildcard
    expect(matchesAny(["iss-dev-admin-role?"], role)).toBe(false);
    expect(matchesAny([], role)).toBe(false);
    expect(matchesAny(undefined, role)).toBe(false);
  });

  it("reads lists and booleans strictly, naming the policy and key when they are wrong", () => {
    expect(stringList({}, "exemptResources", "p")).toEqual([]);
    expect(stringList({ exemptResources: ["a"] }, "exemptResources", "p")).toEqual(["a"]);
    expect(() => stringList({ exemptResources: [1] }, "exemptResources", "p")).toThrow("policy p: config exemptResources must be a list of strings, got [1]");
    expect(flag({}, "allowClassicFlow", "p")).toBe(false);
    expect(flag({ allowClassicFlow: true }, "allowClassicFlow", "p")).toBe(true);
    expect(() => flag({ allowClassicFlow: "true" }, "allowClassicFlow", "p")).toThrow('policy p: config allowClassicFlow must be true or false, got "true"');
  });
});
