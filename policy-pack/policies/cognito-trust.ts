/**
 * Policy `cognito-role-trust`: a role that identity-pool identities can assume must admit only one
 * identity pool's (`aud`) authenticated (`amr`) identities. The verdict is
 * iam/inspect.ts's `inspectTrustPolicy`, the same check the reviewer command runs.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { inspectTrustPolicy } from "../../iam/inspect";
import { exemptResourcesSchema } from "./config";
import { cognitoTrustStatements } from "../../iam/storage-layout";
import { mentionsCognitoIdentity, readDocument } from "./documents";
import { beginResourceCheck } from "./resource-check";
import { TYPES } from "./resources";

export const COGNITO_ROLE_TRUST = "cognito-role-trust";

export const cognitoRoleTrust: ResourceValidationPolicy = {
  name: COGNITO_ROLE_TRUST,
  description:
    "An IAM role trusted by cognito-identity.amazonaws.com needs StringEquals cognito-identity.amazonaws.com:aud on its " +
    "identity pool and ForAnyValue:StringLike cognito-identity.amazonaws.com:amr = authenticated.",
  severity: "critical",
  remediationSteps:
    "Build the trust with identityPoolTrustPolicy() from components/policy-documents.ts, or add both conditions to every " +
    "statement that allows sts:AssumeRoleWithWebIdentity from cognito-identity.amazonaws.com.",
  configSchema: { properties: { exemptResources: exemptResourcesSchema } },
  validateResource: (args, reportViolation) => {
    const { deferrals, subject: role } = beginResourceCheck(args, COGNITO_ROLE_TRUST, TYPES.role, "role");
    const trust = readDocument(() => args.props.assumeRolePolicy, "trust", `${role} trust policy`);
    switch (trust.kind) {
      case "absent":
        return args.notApplicable(`${role} has no trust policy`);
      case "unknown":
        // Typically built from the identity pool's id, which exists only once the pool is created.
        deferrals.defer(`the trust policy of ${role}: ${trust.error.message}`, trust.error);
        return deferrals.settle();
      case "invalid":
        if (!mentionsCognitoIdentity(trust.text)) return args.notApplicable(`${role}'s trust policy does not name cognito-identity.amazonaws.com`);
        reportViolation(`${role}: its trust policy names cognito-identity.amazonaws.com but cannot be read: ${trust.message}`);
        return;
      case "parsed": {
        if (cognitoTrustStatements(trust.doc).length === 0) {
          return args.notApplicable(`${role} is not trusted by cognito-identity.amazonaws.com`);
        }
        for (const issue of inspectTrustPolicy(trust.doc)) {
          const at = issue.statement ? `trust statement ${issue.statement}` : "trust policy";
          reportViolation(`${role}: ${at}: ${issue.message} [${issue.rule}]`);
        }
        return;
      }
    }
  },
};
