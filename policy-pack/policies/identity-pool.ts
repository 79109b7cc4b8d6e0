/**
 * Policy `identity-pool-settings`: an identity pool hands out credentials only to signed-in users
 * through the enhanced flow, and rejects tokens of signed-out or deleted users (ServerSideTokenCheck).
 * Each of the three can be opted out of in the pack's config, for a stack that needs it.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { exemptResourcesSchema, flag, optInSchema, type ExemptionConfig } from "./config";
import { beginResourceCheck } from "./resource-check";
import { TYPES } from "./resources";

export const IDENTITY_POOL_SETTINGS = "identity-pool-settings";

export interface IdentityPoolSettingsConfig extends ExemptionConfig {
  /** Let the pool give credentials to guests. @default false */
  allowUnauthenticatedIdentities?: boolean;
  /** Let the pool use the basic (classic) flow, which skips role mapping. @default false */
  allowClassicFlow?: boolean;
  /** Let a Cognito user-pool provider skip the server-side token check. @default false */
  allowMissingServerSideTokenCheck?: boolean;
}

export const identityPoolSettings: ResourceValidationPolicy = {
  name: IDENTITY_POOL_SETTINGS,
  description:
    "An identity pool must not allow unauthenticated identities or the classic (basic) flow, and every Cognito user-pool " +
    "provider needs serverSideTokenCheck, unless the pack's config opts in.",
  severity: "high",
  remediationSteps:
    "Set allowUnauthenticatedIdentities: false, allowClassicFlow: false and serverSideTokenCheck: true on each entry of " +
    "cognitoIdentityProviders (CognitoIdentity does all three), or opt in through this policy's config.",
  configSchema: {
    properties: {
      allowUnauthenticatedIdentities: optInSchema("Allow identity pools that give credentials to unauthenticated (guest) identities."),
      allowClassicFlow: optInSchema("Allow identity pools that enable the basic (classic) authflow, which bypasses role mapping rules."),
      allowMissingServerSideTokenCheck: optInSchema("Allow Cognito user-pool providers without serverSideTokenCheck."),
      exemptResources: exemptResourcesSchema,
    },
  },
  validateResource: (args, reportViolation) => {
    const { deferrals, subject: pool } = beginResourceCheck(args, IDENTITY_POOL_SETTINGS, TYPES.identityPool, "identity pool", "identityPoolName");
    const config = args.getConfig<IdentityPoolSettingsConfig>();
    const allow = {
      unauthenticated: flag(config, "allowUnauthenticatedIdentities", IDENTITY_POOL_SETTINGS),
      classic: flag(config, "allowClassicFlow", IDENTITY_POOL_SETTINGS),
      noTokenCheck: flag(config, "allowMissingServerSideTokenCheck", IDENTITY_POOL_SETTINGS),
    };

    const unauthenticated = deferrals.known(`allowUnauthenticatedIdentities of ${pool}`, () => args.props.allowUnauthenticatedIdentities);
    if (unauthenticated === true && !allow.unauthenticated) {
      reportViolation(`${pool}: allowUnauthenticatedIdentities is true: anyone, without signing in, can obtain credentials from it`);
    }
    const classic = deferrals.known(`allowClassicFlow of ${pool}`, () => args.props.allowClassicFlow);
    if (classic === true && !allow.classic) {
      reportViolation(`${pool}: allowClassicFlow is true: the basic flow lets a caller pick any role the pool may assign, ignoring role mapping`);
    }
    if (!allow.noTokenCheck) {
      const providers = deferrals.known(`cognitoIdentityProviders of ${pool}`, () => args.props.cognitoIdentityProviders as unknown);
      for (const { index: i, value } of deferrals.elements(`cognitoIdentityProviders of ${pool}`, providers)) {
        const provider = value as Record<string, unknown>;
        const read = deferrals.read(`cognitoIdentityProviders[${i}].serverSideTokenCheck of ${pool}`, () => provider.serverSideTokenCheck);
        if (!read.known || read.value === true) continue;
        const clientId = deferrals.quietly(() => provider.clientId);
        const which = typeof clientId === "string" ? `provider #${i} (client ${clientId})` : `provider #${i}`;
        reportViolation(
          `${pool}: cognitoIdentityProviders ${which} has serverSideTokenCheck ${read.value === undefined ? "unset" : JSON.stringify(read.value)}: ` +
            "tokens of signed-out or deleted users would still be exchanged for credentials",
        );
      }
    }
    deferrals.settle();
  },
};
