/**
 * The reusable pieces, for stacks of other teams: the three components and the pure policy
 * documents they attach (also usable on their own, e.g. in a CDK or Terraform app's tests).
 */
export * from "./cognito-identity";
export * from "./files-api";
export * from "./identity-scoped-bucket";
export * from "./policy-documents";
export { PREFIX_RULES, assertStoragePrefix, storagePrefixProblems } from "../contract/storage-prefix";
