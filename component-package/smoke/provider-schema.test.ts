/**
 * The component package, started as the Pulumi CLI starts it, serves a schema that other
 * languages' SDKs can be generated from: the three components under the package's name, every
 * documented input and output with its type and description, plain values only (no resource
 * objects, whose types another language could not name). The expected shape is written here,
 * from the components' documentation (components/README.md), not read from the code.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PLUGIN_DIR, schemaFromPlugin, type PackageSchema, type PropertySchema } from "./provider-schema";

const PKG = "identity-scoped-storage";
const ref = (name: string) => `ref:${name}`;
const S = "string";
const N = "number";
const B = "boolean";
const MAP = "map<string>";
const arr = (item: string) => `array<${item}>`;

/** Inputs (name → type; `!` marks required) and outputs (`?` marks optional) per component. */
const EXPECTED: Record<string, { inputs: Record<string, string>; outputs: Record<string, string> }> = {
  CognitoIdentity: {
    inputs: {
      "groups!": arr(ref("IdentityGroup")),
      allowSelfSignUp: B,
      mfa: ref("MfaMode"),
      deletionProtection: B,
      userPoolTier: ref("UserPoolTier"),
      "callbackUrls!": arr(S),
      "logoutUrls!": arr(S),
      domainPrefix: S,
      customDomain: ref("CustomSignInDomain"),
      loginUi: ref("LoginUi"),
      email: ref("SesEmailSender"),
      tokenValidity: ref("TokenValidity"),
      roleMapping: ref("RoleMappingType"),
      tags: MAP,
    },
    outputs: {
      userPoolId: S,
      userPoolArn: S,
      userPoolClientId: S,
      userPoolClientSecret: S,
      identityPoolId: S,
      providerName: S,
      issuerUrl: S,
      signInDomain: S,
      signInBaseUrl: S,
      authorizeEndpoint: S,
      tokenEndpoint: S,
      logoutEndpoint: S,
      signInDomainAliasTarget: S,
      roleArns: MAP,
      roleNames: MAP,
    },
  },
  IdentityScopedBucket: {
    inputs: {
      "prefix!": S,
      "identityRoles!": arr(ref("IdentityRoleGrant")),
      "region!": S,
      encryption: ref("BucketEncryption"),
      abortIncompleteUploadDays: N,
      noncurrentVersionExpirationDays: N,
      forceDestroy: B,
      corsOrigins: arr(S),
      allowWildcardCors: B,
      tags: MAP,
    },
    outputs: { bucketName: S, bucketArn: S, "kmsKeyArn?": S },
  },
  FilesApi: {
    inputs: {
      "code!": "Archive",
      "userPoolId!": S,
      "userPoolClientId!": S,
      "identityPoolId!": S,
      "issuerUrl!": S,
      "region!": S,
      "bucketName!": S,
      "prefix!": S,
      "maxUploadBytes!": N,
      "corsOrigins!": arr(S),
      allowWildcardCors: B,
      "throttle!": ref("FilesApiThrottle"),
      "logRetentionDays!": N,
      memorySizeMb: N,
      timeoutSeconds: N,
      presignedUrlMaxSeconds: N,
      credentialsCacheSeconds: N,
      functionName: S,
      tags: MAP,
    },
    outputs: { apiEndpoint: S, apiId: S, functionName: S, functionArn: S, roleArn: S, logGroupName: S, accessLogGroupName: S },
  },
};

const ENUMS: Record<string, string[]> = {
  MfaMode: ["OFF", "OPTIONAL", "ON"],
  RoleMappingType: ["Token", "Rules"],
  BucketEncryption: ["S3", "KMS"],
  UserPoolTier: ["ESSENTIALS", "PLUS"],
  LoginUi: ["MANAGED", "CLASSIC"],
};

/** A property's type in the notation above. */
function typeOf(p: PropertySchema): string {
  if (p.$ref === "pulumi.json#/Archive") return "Archive";
  if (p.$ref) return ref(p.$ref.replace(`#/types/${PKG}:index:`, ""));
  if (p.type === "array") return arr(typeOf(p.items!));
  if (p.type === "object" && p.additionalProperties) return `map<${typeOf(p.additionalProperties)}>`;
  return p.type ?? "?";
}

const marked = (props: Record<string, PropertySchema>, required: string[] | undefined, mark: "!" | "?") =>
  Object.fromEntries(Object.entries(props).map(([name, p]) => [(required ?? []).includes(name) === (mark === "!") ? `${name}${mark}` : name, typeOf(p)]));

let schema: PackageSchema;
let timing = "";
beforeAll(async () => {
  const served = await schemaFromPlugin();
  schema = served.schema;
  timing = `served after ${served.bootSeconds.toFixed(1)} s, schema ${served.schemaSeconds.toFixed(1)} s later`;
}, 120_000);

it("is the package the type tokens name, at the repository's version", () => {
  const root = JSON.parse(fs.readFileSync(path.join(PLUGIN_DIR, "package.json"), "utf8")) as { version: string };
  expect(schema.name).toBe(PKG);
  expect(schema.version).toBe(root.version);
  expect(Object.keys(schema.resources).sort()).toEqual(Object.keys(EXPECTED).map((c) => `${PKG}:index:${c}`).sort());
  console.log(`component provider: ${timing}`);
});

describe.each(Object.entries(EXPECTED))("%s", (component, expected) => {
  const resource = () => schema.resources[`${PKG}:index:${component}`]!;

  it("is a component with a description", () => {
    expect(resource().isComponent).toBe(true);
    expect(resource().description?.length).toBeGreaterThan(40);
  });

  it("takes every documented input, with its type, required where documented", () => {
    expect(marked(resource().inputProperties, resource().requiredInputs, "!")).toEqual(expected.inputs);
  });

  it("gives every documented output as a plain value, optional where documented", () => {
    expect(marked(resource().properties, resource().required, "?")).toEqual(expected.outputs);
  });

  it("carries the JSDoc of every input and output", () => {
    const undocumented = [...Object.entries(resource().inputProperties), ...Object.entries(resource().properties)].filter(([, p]) => !(p.description && p.description.length > 10)).map(([name]) => name);
    expect(undocumented).toEqual([]);
  });
});

it("types the choices as enums with exactly the documented values", () => {
  for (const [name, values] of Object.entries(ENUMS)) {
    expect({ name, values: schema.types[`${PKG}:index:${name}`]?.enum?.map((e) => e.value) }).toEqual({ name, values });
  }
});

it("documents every property of the argument types, and names no other package's resource", () => {
  const objects = Object.entries(schema.types).filter(([, t]) => t.type === "object");
  expect(objects.length).toBeGreaterThanOrEqual(6);
  for (const [name, t] of objects) for (const [prop, p] of Object.entries(t.properties ?? {})) expect({ name, prop, documented: !!p.description }).toEqual({ name, prop, documented: true });
  expect(JSON.stringify(schema)).not.toMatch(/schema\.json#\/resources/);
});

it("says where the JSDoc is (spot checks of the wording the components document)", () => {
  const cognito = schema.resources[`${PKG}:index:CognitoIdentity`]!;
  expect(cognito.properties.userPoolClientSecret!.description).toMatch(/Pulumi secret/);
  expect(cognito.inputProperties.domainPrefix!.description).toMatch(/unique per\s+region across all accounts/);
  expect(schema.resources[`${PKG}:index:FilesApi`]!.inputProperties.code!.description).toMatch(/bundle/);
});
