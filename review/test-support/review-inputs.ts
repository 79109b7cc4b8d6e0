/**
 * What the reviewer-command and prover tests share: the broken-policy files, the review facts
 * they are written for (bucket, prefix, identity pool), the dev stack with an admin group that
 * reads every folder, and a way to run the command and capture what it prints.
 */
import * as path from "node:path";
import { runCli } from "../cli";
import type { ReviewTarget } from "../review-target";
import { targetFromFiles } from "../targets";

export const BROKEN_POLICIES_DIR = path.join(__dirname, "..", "fixtures", "broken-policies");
export const brokenPolicy = (name: string) => path.join(BROKEN_POLICIES_DIR, name);

/** The bucket, folder root and identity pool the files in broken-policies/ are written for. */
export const FILES_REVIEW = { bucket: "files-bucket", prefix: "cognito-test", identityPoolId: "ap-northeast-1:11111111-2222-4333-8444-555555555555" };
/** The same, as `npm run review` flags. */
export const FILES_ARGS = ["--bucket", FILES_REVIEW.bucket, "--prefix", FILES_REVIEW.prefix, "--identity-pool-id", FILES_REVIEW.identityPoolId];

/** The dev stack's groups with `admin` reading every folder (a synthesizeStack override). */
export const ADMIN_READS_ALL = { groups: [{ name: "admin", precedence: 0, readAllFolders: true }, { name: "user", precedence: 100 }] };

/** A review of broken-policies/ files: the correct one for each document not named. */
export function filesTarget(files: { identity?: string; trust?: string; bucket?: string }): ReviewTarget {
  return targetFromFiles({
    identityPolicies: [brokenPolicy(files.identity ?? "good-identity.json")],
    trustPolicy: brokenPolicy(files.trust ?? "good-trust.json"),
    bucketPolicy: brokenPolicy(files.bucket ?? "good-bucket.json"),
    ...FILES_REVIEW,
  });
}

/** Runs the reviewer command in-process, capturing its output. */
export async function runReviewCli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), interactive: false });
  return { code, stdout, stderr };
}
