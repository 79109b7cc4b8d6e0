/**
 * Policy `identity-pool-role-mapping`: a user whom role mapping does not place must get no role
 * (`ambiguousRoleResolution: Deny`, which also covers Token mapping without a preferred role), and
 * no rule may match with `Contains`: on `cognito:groups` it matches any user who is also in that
 * group, so the first such rule hands a member of several groups whichever role comes first.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { exemptResourcesSchema } from "./config";
import { beginResourceCheck } from "./resource-check";
import { TYPES } from "./resources";

export const IDENTITY_POOL_ROLE_MAPPING = "identity-pool-role-mapping";

export const identityPoolRoleMapping: ResourceValidationPolicy = {
  name: IDENTITY_POOL_ROLE_MAPPING,
  description:
    "Every role mapping of an identity pool role attachment resolves ambiguous users with Deny, and no mapping rule uses Contains.",
  severity: "high",
  remediationSteps:
    "Set ambiguousRoleResolution: \"Deny\" on every roleMappings entry, and match groups with Equals in precedence order " +
    "(CognitoIdentity's roleMapping \"Rules\" does this).",
  configSchema: { properties: { exemptResources: exemptResourcesSchema } },
  validateResource: (args, reportViolation) => {
    const { deferrals, subject: attachment } = beginResourceCheck(args, IDENTITY_POOL_ROLE_MAPPING, TYPES.roleAttachment, "role attachment");
    const mappings = deferrals.known(`roleMappings of ${attachment}`, () => args.props.roleMappings as unknown);
    for (const { index: i, value } of deferrals.elements(`roleMappings of ${attachment}`, mappings)) {
      const mapping = value as Record<string, unknown>;
      const at = `roleMappings[${i}]`;
      const type = deferrals.quietly(() => mapping.type);
      const resolution = deferrals.read(`${at}.ambiguousRoleResolution of ${attachment}`, () => mapping.ambiguousRoleResolution);
      if (resolution.known && resolution.value !== "Deny") {
        reportViolation(
          `${attachment}: ${at}${typeof type === "string" ? ` (${type})` : ""} has ambiguousRoleResolution ` +
            `${resolution.value === undefined ? "unset" : JSON.stringify(resolution.value)}, not "Deny": a user the mapping does not ` +
            "place would get the pool's default authenticated role",
        );
      }
      const rules = deferrals.known(`${at}.mappingRules of ${attachment}`, () => mapping.mappingRules as unknown);
      for (const { index: j, value: ruleValue } of deferrals.elements(`${at}.mappingRules of ${attachment}`, rules)) {
        const rule = ruleValue as Record<string, unknown>;
        const matchType = deferrals.known(`${at}.mappingRules[${j}].matchType of ${attachment}`, () => rule.matchType);
        if (matchType !== "Contains") continue;
        const claim = deferrals.quietly(() => rule.claim);
        const claimValue = deferrals.quietly(() => rule.value);
        reportViolation(
          `${attachment}: ${at}.mappingRules[${j}] matches ${typeof claim === "string" ? claim : "its claim"} with Contains` +
            `${typeof claimValue === "string" ? ` ${JSON.stringify(claimValue)}` : ""}: a user in several groups matches the first such rule ` +
            "whatever their other groups; use Equals",
        );
      }
    }
    deferrals.settle();
  },
};
