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
  /** The app client's secret: a Pulumi secret (`pulumi stack output --show-secrets` prints it). */
  userPoolClientSecret: string;
  /** `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`: the OIDC issuer (NextAuth.js `issuer`). */
  issuerUrl: string;
  /** `https://<prefix>.auth.<region>.amazoncognito.com`, or `https://<custom domain>`: the sign-in domain. */
  signInBaseUrl: string;
  /** `<signInBaseUrl>/oauth2/authorize`. */
  authorizeEndpoint: string;
  /** `<signInBaseUrl>/oauth2/token`. */
  tokenEndpoint: string;
  /** `<signInBaseUrl>/logout` (takes `client_id` and `logout_uri`). */
  logoutEndpoint: string;
  /** With a custom domain only: the CloudFront name its DNS alias (A/AAAA or CNAME) must point at. */
  customDomainAliasTarget?: string;
  identityPoolId: string;
  bucketName: string;
  /** With `encryption: KMS` only: the bucket's customer-managed key. */
  kmsKeyArn?: string;
  /** `<prefix>`: identity `<id>` owns `<prefix>/<id>/`. */
  storagePrefix: string;
  /** Role ARN per group name. */
  roleArns: Record<string, string>;
  /** Base URL of the Files API. */
  filesApiEndpoint: string;
}

/** Every output name, in the order the program exports them (optional ones only when they apply). */
export const STACK_OUTPUT_NAMES = [
  "region",
  "userPoolId",
  "userPoolClientId",
  "userPoolClientSecret",
  "issuerUrl",
  "signInBaseUrl",
  "authorizeEndpoint",
  "tokenEndpoint",
  "logoutEndpoint",
  "customDomainAliasTarget",
  "identityPoolId",
  "bucketName",
  "kmsKeyArn",
  "storagePrefix",
  "roleArns",
  "filesApiEndpoint",
] as const satisfies readonly (keyof StackOutputValues)[];

/** The outputs that are Pulumi secrets: never printed in clear by this project's tools. */
export const SECRET_STACK_OUTPUTS = ["userPoolClientSecret"] as const satisfies readonly (keyof StackOutputValues)[];
