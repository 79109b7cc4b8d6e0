/**
 * Structural checks of an identity pool's role mapping rules, shared by the policy pack and the
 * reviewer: `Contains` on `cognito:groups` matches any user who is also in that group (and, as
 * Cognito evaluates it, a group whose name contains the value), so a member of several groups
 * gets whichever rule comes first.
 */

export interface MappingRule {
  claim: string;
  matchType: string;
  value: string;
  roleArn: string;
}

export interface MappingRuleIssue {
  rule: "mapping-rule-contains";
  /** Which rule: `Rules[<index>]`. */
  at: string;
  message: string;
}

export function inspectMappingRules(rules: MappingRule[]): MappingRuleIssue[] {
  return rules.flatMap((r, i): MappingRuleIssue[] =>
    r.matchType === "Contains" && r.claim === "cognito:groups"
      ? [{
          rule: "mapping-rule-contains",
          at: `Rules[${i}]`,
          message: `matches ${r.claim} with Contains ${JSON.stringify(r.value)}: a user in several groups (or in a group whose name contains it) gets this rule's role whatever their other groups; use Equals`,
        }]
      : [],
  );
}
