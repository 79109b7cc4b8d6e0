/**
 * The names IAM gives a Cognito identity-pool identity, each defined once: the federated
 * principal its roles trust, the condition keys of its web-identity token, and its identity id
 * as a context key and as a policy variable.
 */

/** The federated principal of every identity-pool role. */
export const COGNITO_IDENTITY_PRINCIPAL = "cognito-identity.amazonaws.com";
/** The identity pool that issued the token (trust conditions). */
export const AUD_CONDITION_KEY = "cognito-identity.amazonaws.com:aud";
/** How the identity signed in: `authenticated` / `unauthenticated` and the provider (multi-valued). */
export const AMR_CONDITION_KEY = "cognito-identity.amazonaws.com:amr";
/** The identity pool's IdentityId (`<region>:<uuid>`), as a request-context key. */
export const IDENTITY_ID_KEY = "cognito-identity.amazonaws.com:sub";
/** The same, as an IAM policy variable. */
export const IDENTITY_ID_VARIABLE = `\${${IDENTITY_ID_KEY}}`;
