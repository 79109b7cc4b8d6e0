/**
 * Which role Cognito hands a signed-in user, modelled from the Cognito documentation: with Token
 * mapping, `cognito:preferred_role` is the role of the user's group with the lowest precedence
 * (no preferred role when the lowest precedence is shared by different roles); with Rules, the
 * first rule whose claim matches wins (Equals on the multi-valued `cognito:groups` claim is taken
 * to match only a user whose groups are exactly that one group). Without a match,
 * AmbiguousRoleResolution decides: Deny, or the pool's default authenticated role.
 */
import type { RoleMappingUnderReview } from "./review-target";

export type RoleOutcome = { role: string } | { denied: string };

export function resolveRole(mapping: RoleMappingUnderReview, user: { authenticated: boolean; groups: string[] }): RoleOutcome {
  if (!user.authenticated) {
    if (!mapping.allowUnauthenticatedIdentities) return { denied: "the identity pool allows no unauthenticated identities" };
    return mapping.unauthenticatedRoleArn ? { role: mapping.unauthenticatedRoleArn } : { denied: "no unauthenticated role" };
  }
  let matched: string | undefined;
  if (mapping.type === "Token") {
    const known = user.groups.filter((g) => mapping.groupRoles[g] !== undefined && mapping.groupPrecedence[g] !== undefined);
    if (known.length > 0) {
      const lowest = Math.min(...known.map((g) => mapping.groupPrecedence[g]!));
      const roles = new Set(known.filter((g) => mapping.groupPrecedence[g] === lowest).map((g) => mapping.groupRoles[g]!));
      if (roles.size === 1) matched = [...roles][0];
    }
  } else {
    for (const rule of mapping.rules) {
      const claim = rule.claim === "cognito:groups" ? user.groups : [];
      const hit =
        rule.matchType === "Equals" ? claim.length === 1 && claim[0] === rule.value
        : rule.matchType === "Contains" ? claim.includes(rule.value)
        : rule.matchType === "StartsWith" ? claim.some((c) => c.startsWith(rule.value))
        : rule.matchType === "NotEqual" ? !(claim.length === 1 && claim[0] === rule.value)
        : false;
      if (hit) {
        matched = rule.roleArn;
        break;
      }
    }
  }
  if (matched) return { role: matched };
  if (mapping.ambiguousRoleResolution === "Deny") return { denied: "no role matched and ambiguous resolution is Deny" };
  return mapping.defaultAuthenticatedRoleArn ? { role: mapping.defaultAuthenticatedRoleArn } : { denied: "no role matched and no default role" };
}
