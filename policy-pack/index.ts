/**
 * The policy pack's entry point: what `pulumi preview --policy-pack policy-pack` runs. It only
 * serves the policies (constructing a PolicyPack starts the analyzer's gRPC server), so tests never
 * import this file; they import ./policies.
 */
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, policies } from "./policies";

new PolicyPack(PACK_NAME, {
  policies,
  // Every invariant blocks by default; lower or disable one per stack through the pack's config.
  enforcementLevel: "mandatory",
  description: "Each Cognito identity gets a private S3 folder: trust, identity pool, role mapping, grants and bucket settings that keep it private.",
});
