/**
 * Physical names AWS limits that a stage's resources take from the stage's own names. Pulumi
 * auto-names a resource `<logical name>-<7 hex>` and refuses, at preview, a logical name too long
 * for the physical name's limit; S3 bucket names take only a-z 0-9 . -. stack.ts names every
 * resource `iss-<stack>…`, so the longest logical names are (AWS limits from the API references):
 *
 *   the Files API function   iss-<stack>-files-api-function      Lambda function name: 64
 *   a group's role           iss-<stack>-<group>-role             IAM role name: 64
 *   the bucket               iss-<stack>-files                    S3 bucket name: 63, a-z 0-9 . -
 *
 * `stage-names.test.ts` synthesizes the longest names allowed here with a mock provider that
 * refuses over-long auto-names as Pulumi does, and one character more is refused here.
 */
import type { GroupConfig } from "./stage-config";

/** Pulumi's auto-name suffix: `-` and 7 random hex characters. */
const AUTO_NAME_SUFFIX = 8;
const LIMIT = { function: 64, role: 64 } as const;
/** Logical-name lengths around the stage and group names (`iss-` + … ). */
const AROUND = { function: "iss-".length + "-files-api-function".length, role: "iss-".length + "-".length + "-role".length } as const;

/** The longest stage (stack) name: its function's name must fit. */
export const MAX_STAGE_NAME_LENGTH = LIMIT.function - AUTO_NAME_SUFFIX - AROUND.function;
/** Stage and group name together: a group's role name must fit. */
export const MAX_STAGE_AND_GROUP_NAME_LENGTH = LIMIT.role - AUTO_NAME_SUFFIX - AROUND.role;

/** What is wrong with a stage name as a source of physical names, or undefined. */
export function stageNameProblem(stack: string): string | undefined {
  if (!/^[a-z0-9-]+$/.test(stack)) {
    return `${JSON.stringify(stack)} cannot name this stage's resources: the bucket's name is made from it, and S3 bucket names take only a-z 0-9 - (use a lower-case stack name)`;
  }
  if (stack.length > MAX_STAGE_NAME_LENGTH) {
    return `${JSON.stringify(stack)} has ${stack.length} characters; at most ${MAX_STAGE_NAME_LENGTH}, so the Files API function's auto-name (iss-<stack>-files-api-function-<7 hex>) fits Lambda's 64`;
  }
  return undefined;
}

/** Groups whose role name would not fit beside this stage name: `[index, message]`. */
export function groupNameProblems(stack: string, groups: readonly GroupConfig[]): [number, string][] {
  return groups.flatMap((g, i): [number, string][] =>
    stack.length + g.name.length > MAX_STAGE_AND_GROUP_NAME_LENGTH
      ? [[i, `${JSON.stringify(g.name)} is too long beside stack name ${JSON.stringify(stack)}: stack and group names may hold ${MAX_STAGE_AND_GROUP_NAME_LENGTH} characters together, so the role's auto-name (iss-<stack>-<group>-role-<7 hex>) fits IAM's 64`]]
      : [],
  );
}
