/**
 * Stages coexist: two engineers' `dev` stacks (same project, same stage name, separate state) and
 * another team's copy of the project deploy side by side in one account and region. Every physical
 * name a resource gets is compared across the syntheses; the table below says, per resource type,
 * which names AWS requires to be unique and where (written from the AWS API references, not from
 * the program). Auto-named inputs get the mock's per-deployment suffix, as Pulumi's would differ.
 */
import { synthesizeStack, type SynthesizedResource, type SynthesizedStack } from "./synth/synthesize";

/**
 * Where a name must be unique. `account`: in the account and region (or globally), including the
 * inputs that name another resource; `parent`: within another resource (an id field: one per parent).
 */
interface Names {
  account?: string[];
  parent?: string[];
  /** Names AWS does not require to be unique (labels in the console). */
  display?: string[];
}

const NAMES: Record<string, Names> = {
  "random:index/randomId:RandomId": {},
  "aws:cognito/userPool:UserPool": { display: ["name"] },
  "aws:cognito/userPoolDomain:UserPoolDomain": { account: ["domain"] }, // unique per region across all accounts
  "aws:cognito/userPoolClient:UserPoolClient": { display: ["name"] },
  "aws:cognito/managedLoginBranding:ManagedLoginBranding": { parent: ["clientId"] }, // one style per app client
  "aws:cognito/identityPool:IdentityPool": { display: ["identityPoolName"] },
  "aws:cognito/userGroup:UserGroup": { parent: ["name"] },
  "aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment": { parent: ["identityPoolId"] }, // one per pool
  "aws:iam/role:Role": { account: ["name"] },
  "aws:iam/rolePolicy:RolePolicy": { parent: ["name"] },
  "aws:s3/bucket:Bucket": { account: ["bucket"] }, // global
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": {},
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": {},
  "aws:s3/bucketVersioning:BucketVersioning": {},
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": {},
  "aws:s3/bucketPolicy:BucketPolicy": {},
  "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration": {},
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": {},
  "aws:kms/key:Key": {},
  "aws:cloudwatch/logGroup:LogGroup": { account: ["name"] },
  "aws:lambda/function:Function": { account: ["name", "loggingConfig.logGroup"] },
  "aws:lambda/permission:Permission": { account: ["function"], parent: ["statementId"] },
  "aws:apigatewayv2/api:Api": { display: ["name"] },
  "aws:apigatewayv2/authorizer:Authorizer": { parent: ["name"] },
  "aws:apigatewayv2/integration:Integration": {},
  "aws:apigatewayv2/route:Route": { parent: ["routeKey"] },
  "aws:apigatewayv2/stage:Stage": { parent: ["name"] },
};

/** The name a resource ends up with: what the program set, else what the (mock) provider made. */
function nameOf(r: SynthesizedResource, field: string): unknown {
  const get = (o: Record<string, unknown>) => field.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], o);
  return get(r.inputs) ?? get(r.state);
}

/** Every account-wide name the two stacks share: `<type> <logical name>.<field> = <value>`. */
function sharedNames(a: SynthesizedStack, b: SynthesizedStack): string[] {
  const shared: string[] = [];
  for (const r of a.resources.filter((x) => x.custom)) {
    const twin = b.resources.find((x) => x.type === r.type && x.name === r.name);
    for (const field of NAMES[r.type]?.account ?? []) {
      const value = nameOf(r, field);
      if (value !== undefined && twin && nameOf(twin, field) === value) shared.push(`${r.type} ${r.name}.${field} = ${String(value)}`);
    }
  }
  return shared;
}

let alice: SynthesizedStack;
let bob: SynthesizedStack;
let otherTeam: SynthesizedStack;
beforeAll(async () => {
  alice = await synthesizeStack({ stack: "dev", deployment: "alice" });
  bob = await synthesizeStack({ stack: "dev", deployment: "bob" });
  otherTeam = await synthesizeStack({ stack: "dev", project: "team-b-files", deployment: "team-b" });
});

it("knows every resource type the stages create (a new type must say where its names are unique)", async () => {
  // dev makes every type but the KMS key, which prod adds.
  const variants = [alice, await synthesizeStack({ stack: "prod" })];
  const types = new Set(variants.flatMap((s) => s.resources.filter((r) => r.custom).map((r) => r.type)));
  expect([...types].filter((t) => !(t in NAMES))).toEqual([]);
});

it("two engineers' dev stacks (same project, same stage name) share no account-wide name", () => {
  expect(sharedNames(alice, bob)).toEqual([]);
});

it("another project's dev stack shares no account-wide name either", () => {
  expect(sharedNames(alice, otherTeam)).toEqual([]);
});

it("control: one deployment compared with itself shares every account-wide name (the comparison is not vacuous)", async () => {
  const again = await synthesizeStack({ stack: "dev", deployment: "alice" });
  const fields = alice.resources.flatMap((r) => (NAMES[r.type]?.account ?? []).filter((f) => nameOf(r, f) !== undefined).map((f) => `${r.name}.${f}`));
  expect(fields.length).toBeGreaterThanOrEqual(10);
  expect(sharedNames(alice, again)).toHaveLength(fields.length);
});

it("sets no account-wide name itself where Pulumi's auto-naming serves (the function, its log groups, roles, bucket)", () => {
  const fixed = alice.resources.flatMap((r) => (NAMES[r.type]?.account ?? []).filter((f) => !f.includes(".") && f !== "function" && r.inputs[f] !== undefined).map((f) => `${r.type}.${f}`));
  // The domain's prefix is a name the program sets: derived from project, stack and the random id.
  expect(fixed).toEqual(["aws:cognito/userPoolDomain:UserPoolDomain.domain"]);
  expect(alice.one("aws:cognito/userPoolDomain:UserPoolDomain").inputs.domain).not.toBe(bob.one("aws:cognito/userPoolDomain:UserPoolDomain").inputs.domain);
});

it("an account-wide name the program fixes is freed before a replacement claims it again", () => {
  // A name unique within a parent needs nothing: its resource is replaced only with a new parent.
  for (const s of [alice, otherTeam]) {
    const fixed = s.resources.filter((r) => (NAMES[r.type]?.account ?? []).some((f) => !f.includes(".") && f !== "function" && r.inputs[f] !== undefined));
    expect(fixed.map((r) => r.type)).toEqual(["aws:cognito/userPoolDomain:UserPoolDomain"]);
    expect(fixed.filter((r) => !r.deleteBeforeReplace).map((r) => r.name)).toEqual([]);
  }
});
