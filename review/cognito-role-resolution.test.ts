/**
 * resolveRole against Cognito's documented role-based access control: Token mapping uses
 * `cognito:preferred_role` (the role of the user's group with the lowest precedence; none when
 * the lowest precedence is shared by different roles); Rules are tried in order and the first
 * match wins; AmbiguousRoleResolution (Deny or AuthenticatedRole) decides when nothing matched.
 */
import type { RoleMappingUnderReview } from "./review-target";
import { resolveRole } from "./cognito-role-resolution";

const ROLE = (name: string) => `arn:aws:iam::123456789012:role/${name}`;
const DEFAULT_ROLE = ROLE("default-authenticated");
const GUEST_ROLE = ROLE("guest");

const token = (over: Partial<RoleMappingUnderReview> = {}): RoleMappingUnderReview => ({
  type: "Token",
  ambiguousRoleResolution: "Deny",
  rules: [],
  defaultAuthenticatedRoleArn: DEFAULT_ROLE,
  allowUnauthenticatedIdentities: false,
  groupRoles: { users: ROLE("users"), admin: ROLE("admin"), auditors: ROLE("auditors"), staff: ROLE("users") },
  groupPrecedence: { users: 10, admin: 1, auditors: 1, staff: 10 },
  ...over,
});

const rulesMapping = (rules: RoleMappingUnderReview["rules"], over: Partial<RoleMappingUnderReview> = {}): RoleMappingUnderReview => ({
  type: "Rules",
  ambiguousRoleResolution: "Deny",
  rules,
  defaultAuthenticatedRoleArn: DEFAULT_ROLE,
  allowUnauthenticatedIdentities: false,
  groupRoles: {},
  groupPrecedence: {},
  ...over,
});

const signedIn = (...groups: string[]) => ({ authenticated: true, groups });
const isDenied = (o: ReturnType<typeof resolveRole>) => "denied" in o;

describe("resolveRole with Token mapping", () => {
  it("gives a member of one group that group's role", () => {
    expect(resolveRole(token(), signedIn("users"))).toEqual({ role: ROLE("users") });
  });

  it("gives a member of two groups the role of the group with the lowest precedence", () => {
    expect(resolveRole(token(), signedIn("users", "admin"))).toEqual({ role: ROLE("admin") });
    expect(resolveRole(token(), signedIn("admin", "users"))).toEqual({ role: ROLE("admin") });
  });

  it("uses the shared role when the lowest precedence is tied between groups with the same role", () => {
    expect(resolveRole(token(), signedIn("users", "staff"))).toEqual({ role: ROLE("users") });
  });

  it("denies on a tie between different roles when AmbiguousRoleResolution is Deny (control: one of them alone gets its role)", () => {
    expect(resolveRole(token(), signedIn("admin"))).toEqual({ role: ROLE("admin") });
    expect(isDenied(resolveRole(token(), signedIn("admin", "auditors")))).toBe(true);
  });

  it("falls back to the default authenticated role on a tie when AmbiguousRoleResolution is AuthenticatedRole", () => {
    expect(resolveRole(token({ ambiguousRoleResolution: "AuthenticatedRole" }), signedIn("admin", "auditors"))).toEqual({ role: DEFAULT_ROLE });
  });

  it("denies a signed-in user in no group under Deny, and gives the default role under AuthenticatedRole", () => {
    expect(isDenied(resolveRole(token(), signedIn()))).toBe(true);
    expect(resolveRole(token({ ambiguousRoleResolution: "AuthenticatedRole" }), signedIn())).toEqual({ role: DEFAULT_ROLE });
  });

  it("ignores a group that carries no role", () => {
    expect(isDenied(resolveRole(token(), signedIn("no-such-group")))).toBe(true);
    expect(resolveRole(token(), signedIn("no-such-group", "users"))).toEqual({ role: ROLE("users") });
  });

  it("denies under AuthenticatedRole when no default role is attached", () => {
    expect(isDenied(resolveRole(token({ ambiguousRoleResolution: "AuthenticatedRole", defaultAuthenticatedRoleArn: undefined }), signedIn()))).toBe(true);
  });
});

describe("resolveRole for unauthenticated identities", () => {
  it("denies them when the pool allows no unauthenticated identities, even with a guest role attached", () => {
    expect(isDenied(resolveRole(token({ unauthenticatedRoleArn: GUEST_ROLE }), { authenticated: false, groups: [] }))).toBe(true);
  });

  it("gives them the unauthenticated role when the pool allows them (control for the denial above)", () => {
    expect(resolveRole(token({ allowUnauthenticatedIdentities: true, unauthenticatedRoleArn: GUEST_ROLE }), { authenticated: false, groups: [] })).toEqual({ role: GUEST_ROLE });
  });

  it("denies them when the pool allows them but attaches no unauthenticated role", () => {
    expect(isDenied(resolveRole(token({ allowUnauthenticatedIdentities: true }), { authenticated: false, groups: [] }))).toBe(true);
  });

  it("never gives them a group role, whatever groups are claimed", () => {
    expect(resolveRole(token({ allowUnauthenticatedIdentities: true, unauthenticatedRoleArn: GUEST_ROLE }), { authenticated: false, groups: ["admin"] })).toEqual({ role: GUEST_ROLE });
  });
});

describe("resolveRole with Rules mapping", () => {
  const G = "cognito:groups";

  it("takes the first matching rule in order, not the most specific one", () => {
    const mapping = rulesMapping([
      { claim: G, matchType: "Contains", value: "users", roleArn: ROLE("users") },
      { claim: G, matchType: "Contains", value: "admin", roleArn: ROLE("admin") },
    ]);
    expect(resolveRole(mapping, signedIn("admin", "users"))).toEqual({ role: ROLE("users") });
    expect(resolveRole(mapping, signedIn("admin"))).toEqual({ role: ROLE("admin") });
    const reversed = rulesMapping([...mapping.rules].reverse());
    expect(resolveRole(reversed, signedIn("admin", "users"))).toEqual({ role: ROLE("admin") });
  });

  it("Equals on cognito:groups matches only a user whose groups are exactly that one group", () => {
    const mapping = rulesMapping([{ claim: G, matchType: "Equals", value: "admin", roleArn: ROLE("admin") }]);
    expect(resolveRole(mapping, signedIn("admin"))).toEqual({ role: ROLE("admin") });
    expect(isDenied(resolveRole(mapping, signedIn("admin", "users")))).toBe(true);
    expect(isDenied(resolveRole(mapping, signedIn("users")))).toBe(true);
  });

  it("Contains on cognito:groups matches membership among several groups", () => {
    const mapping = rulesMapping([{ claim: G, matchType: "Contains", value: "admin", roleArn: ROLE("admin") }]);
    expect(resolveRole(mapping, signedIn("users", "admin", "auditors"))).toEqual({ role: ROLE("admin") });
    expect(isDenied(resolveRole(mapping, signedIn("users", "auditors")))).toBe(true);
  });

  it("denies when no rule matches under Deny, and gives the default role under AuthenticatedRole", () => {
    const rules = [{ claim: G, matchType: "Contains", value: "admin", roleArn: ROLE("admin") }];
    expect(isDenied(resolveRole(rulesMapping(rules), signedIn("users")))).toBe(true);
    expect(isDenied(resolveRole(rulesMapping(rules), signedIn()))).toBe(true);
    expect(resolveRole(rulesMapping(rules, { ambiguousRoleResolution: "AuthenticatedRole" }), signedIn("users"))).toEqual({ role: DEFAULT_ROLE });
  });

  it("ignores group roles and precedence (those are Token mapping's)", () => {
    const mapping = rulesMapping([{ claim: G, matchType: "Contains", value: "admin", roleArn: ROLE("admin") }], {
      groupRoles: { users: ROLE("users") },
      groupPrecedence: { users: 0 },
    });
    expect(isDenied(resolveRole(mapping, signedIn("users")))).toBe(true);
  });
});
