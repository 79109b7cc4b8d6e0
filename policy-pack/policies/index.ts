/**
 * The pack's policies, in the order the README lists them. The entry file (../index.ts) serves
 * exactly this list; tests import it (and each policy's own module) without starting a server.
 */
import type { Policies } from "@pulumi/policy";
import { cognitoRoleTrust } from "./cognito-trust";
import { identityPoolSettings } from "./identity-pool";
import { identityPoolRoleMapping } from "./identity-pool-role-mapping";
import { identityStorageBucket } from "./storage-bucket";
import { identityStorageGrants } from "./storage-grants";

export const PACK_NAME = "identity-scoped-storage";

export const policies: Policies = [cognitoRoleTrust, identityPoolSettings, identityPoolRoleMapping, identityStorageGrants, identityStorageBucket];

export { COGNITO_ROLE_TRUST } from "./cognito-trust";
export { IDENTITY_POOL_SETTINGS } from "./identity-pool";
export { IDENTITY_POOL_ROLE_MAPPING } from "./identity-pool-role-mapping";
export { IDENTITY_STORAGE_BUCKET } from "./storage-bucket";
export { IDENTITY_STORAGE_GRANTS } from "./storage-grants";
