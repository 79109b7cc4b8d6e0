/**
 * The choices a stage makes, as values (for validating config) and as the types the components
 * take, so that the two can never drift apart.
 */

/** Multi-factor authentication (TOTP). */
export const MFA_MODES = ["OFF", "OPTIONAL", "ON"] as const;
export type MfaMode = (typeof MFA_MODES)[number];

/** How the identity pool picks a role: `cognito:preferred_role` (Token) or exact group rules (Rules). */
export const ROLE_MAPPING_TYPES = ["Token", "Rules"] as const;
export type RoleMappingType = (typeof ROLE_MAPPING_TYPES)[number];

/** Server-side encryption of the bucket: S3-managed keys or a customer-managed KMS key. */
export const BUCKET_ENCRYPTIONS = ["S3", "KMS"] as const;
export type BucketEncryption = (typeof BUCKET_ENCRYPTIONS)[number];
