/** The reusable pieces, for stacks of other teams. */
export * from "./cognito-identity";
export * from "./identity-scoped-bucket";
export * from "./policy-documents";
export * from "./storage-prefix";
