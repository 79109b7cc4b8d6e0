/**
 * The choices a stage makes, as values (for validating config) and as the types the components
 * take, so that the two can never drift apart. Each is an `as const` object with a type of the
 * same name: the shape Pulumi's component analyzer turns into a schema enum, so other languages
 * get the same choices as TypeScript.
 */

/** Multi-factor authentication with TOTP. */
export const MfaMode = {
  /** No second factor. */
  OFF: "OFF",
  /** Users may add a TOTP authenticator. */
  OPTIONAL: "OPTIONAL",
  /** Every user must sign in with a TOTP code. */
  ON: "ON",
} as const;
export type MfaMode = (typeof MfaMode)[keyof typeof MfaMode];
export const MFA_MODES: readonly MfaMode[] = Object.values(MfaMode);

/** How the identity pool picks a role: `cognito:preferred_role` (Token) or exact group rules (Rules). */
export const RoleMappingType = {
  /** The role of the group with the lowest precedence (`cognito:preferred_role`). */
  Token: "Token",
  /** Exact `Equals` rules on `cognito:groups`, in precedence order. */
  Rules: "Rules",
} as const;
export type RoleMappingType = (typeof RoleMappingType)[keyof typeof RoleMappingType];
export const ROLE_MAPPING_TYPES: readonly RoleMappingType[] = Object.values(RoleMappingType);

/** Server-side encryption of the bucket: S3-managed keys or a customer-managed KMS key. */
export const BucketEncryption = {
  /** S3-managed keys (SSE-S3). */
  S3: "S3",
  /** A customer-managed KMS key made with the bucket (SSE-KMS), key grants confined to each folder. */
  KMS: "KMS",
} as const;
export type BucketEncryption = (typeof BucketEncryption)[keyof typeof BucketEncryption];
export const BUCKET_ENCRYPTIONS: readonly BucketEncryption[] = Object.values(BucketEncryption);

/** The user pool's feature plan. Password history (and managed login) need Essentials or Plus. */
export const UserPoolTier = {
  /** Managed login, password history, access-token customization. */
  ESSENTIALS: "ESSENTIALS",
  /** Essentials plus threat protection. */
  PLUS: "PLUS",
} as const;
export type UserPoolTier = (typeof UserPoolTier)[keyof typeof UserPoolTier];
export const USER_POOL_TIERS: readonly UserPoolTier[] = Object.values(UserPoolTier);

/** The sign-in pages the Cognito domain serves. */
export const LoginUi = {
  /** Managed login (the branding designer's pages), with Cognito's default style. */
  MANAGED: "MANAGED",
  /** The classic hosted UI. */
  CLASSIC: "CLASSIC",
} as const;
export type LoginUi = (typeof LoginUi)[keyof typeof LoginUi];
export const LOGIN_UIS: readonly LoginUi[] = Object.values(LoginUi);
