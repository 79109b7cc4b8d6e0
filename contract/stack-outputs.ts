/**
 * The stack's outputs, declared once as plain values: `pulumi stack output --json` prints this
 * shape, the offline synthesis resolves to it, the program exports it (as Outputs), the reviewer
 * reads deployed stacks through it and the Lambda's environment carries a part of it.
 */
export interface StackOutputValues {
  /** Region of the pools, the bucket and the API. */
  region: string;
  userPoolId: string;
  userPoolClientId: string;
  identityPoolId: string;
  bucketName: string;
  /** `<prefix>`: identity `<id>` owns `<prefix>/<id>/`. */
  storagePrefix: string;
  /** Role ARN per group name. */
  roleArns: Record<string, string>;
  /** Base URL of the Files API. */
  filesApiEndpoint: string;
}

/** Every output name, in the order the program exports them. */
export const STACK_OUTPUT_NAMES = [
  "region",
  "userPoolId",
  "userPoolClientId",
  "identityPoolId",
  "bucketName",
  "storagePrefix",
  "roleArns",
  "filesApiEndpoint",
] as const satisfies readonly (keyof StackOutputValues)[];
