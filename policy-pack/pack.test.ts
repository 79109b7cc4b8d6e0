/**
 * The whole pack over this project's stacks, synthesized offline under Pulumi's mock runtime (the
 * same synthesis the stack tests and the reviewer command read): the stacks pass, and with each
 * invariant broken in turn (by a component option through stack config, or by a hand-made or
 * changed resource) the matching policy, and only it, fires.
 */
import { lambdaTrustPolicy } from "../components/policy-documents";
import { synthesizeStack, type SynthesizedStack } from "../synth/synthesize";
import {
  COGNITO_ROLE_TRUST,
  IDENTITY_POOL_ROLE_MAPPING,
  IDENTITY_POOL_SETTINGS,
  IDENTITY_STORAGE_BUCKET,
  IDENTITY_STORAGE_GRANTS,
  policies,
} from "./policies";
import { TYPES } from "./policies/resources";
import { ARTICLE_LIST_STATEMENT, ARTICLE_OBJECT_STATEMENT, ARTICLE_TRUST, document, lambdaRoleWithBroadGrant, SUB, without, withInputs } from "./test-support/fixtures";
import { stackResources, type Phase } from "./test-support/from-synth";
import { runPack, type PackConfig, type TestResource } from "./test-support/validation-args";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let dev: SynthesizedStack;
let devRules: SynthesizedStack;
let devReadAll: SynthesizedStack;
let prod: SynthesizedStack;

const GROUPS_WITH_ADMIN_READ_ALL = [
  { name: "admin", precedence: 0, description: "Administrators", readAllFolders: true },
  { name: "user", precedence: 100, description: "Users" },
];

beforeAll(async () => {
  [dev, devRules, devReadAll, prod] = await Promise.all([
    synthesizeStack({ stack: "dev" }),
    synthesizeStack({ stack: "dev", overrides: { roleMapping: "Rules" } }),
    synthesizeStack({ stack: "dev", overrides: { groups: GROUPS_WITH_ADMIN_READ_ALL } }),
    synthesizeStack({ stack: "prod" }),
  ]);
});

/** The one resource of `type` whose logical name ends with `suffix`. */
function named(resources: TestResource[], type: string, suffix: string): TestResource {
  const found = resources.filter((r) => r.type === type && r.name.endsWith(suffix));
  if (found.length !== 1) throw new Error(`expected one ${type} named *${suffix}, found ${found.map((r) => r.name).join(", ") || "none"}`);
  return found[0]!;
}

const change = (resources: TestResource[], type: string, suffix: string, changes: Record<string, unknown>) =>
  withInputs(resources, named(resources, type, suffix).name, changes);

const json = (r: TestResource, key: string): Json => JSON.parse(r.inputs[key] as string);

describe("the synthesized stacks pass", () => {
  it.each([
    ["dev", () => dev],
    ["dev with Rules role mapping", () => devRules],
    ["prod (KMS-encrypted, with folder-confined key grants)", () => prod],
  ])("%s: no violation and nothing deferred once every value is known (pulumi up)", async (_label, stack) => {
    const outcome = await runPack(policies, stackResources(stack(), "up"));
    expect(outcome.violations).toEqual([]);
    expect(outcome.deferred).toEqual({});
    // Every policy found something to judge: none declared itself not applicable to the whole stack.
    expect(outcome.notApplicable[IDENTITY_STORAGE_GRANTS]).toBeUndefined();
    expect(outcome.notApplicable[IDENTITY_STORAGE_BUCKET]).toBeUndefined();
  });

  it("dev at its first preview: no violation, and each check that needs an id not yet created is named as judged at `up`", async () => {
    const outcome = await runPack(policies, stackResources(dev, "first-preview"));
    expect(outcome.violations).toEqual([]);
    expect(Object.keys(outcome.deferred).sort()).toEqual([COGNITO_ROLE_TRUST, IDENTITY_STORAGE_BUCKET, IDENTITY_STORAGE_GRANTS].sort());
    // The trust embeds the identity pool's id; the grants and the bucket policy embed the bucket's ARN.
    expect(outcome.deferred[COGNITO_ROLE_TRUST]).toMatch(/the trust policy of role iss-dev-admin-role: string value at \.assumeRolePolicy can't be known during preview/);
    expect(outcome.deferred[COGNITO_ROLE_TRUST]).toMatch(/the trust policy of role iss-dev-user-role:/);
    expect(outcome.deferred[IDENTITY_STORAGE_GRANTS]).toMatch(/the grants in role policy iss-dev-files-admin-grant .* of role iss-dev-admin-role/);
    expect(outcome.deferred[IDENTITY_STORAGE_GRANTS]).toMatch(/the grants in role policy iss-dev-files-user-grant .* of role iss-dev-user-role/);
    expect(outcome.deferred[IDENTITY_STORAGE_BUCKET]).toMatch(/the TLS-only statement of bucket iss-dev-files .*iss-dev-files-policy: string value at \.policy/);
    // The pool and role-mapping settings are plain values: judged in full at preview.
    expect(outcome.deferred[IDENTITY_POOL_SETTINGS]).toBeUndefined();
    expect(outcome.deferred[IDENTITY_POOL_ROLE_MAPPING]).toBeUndefined();
  });

  it("ignores roles not trusted by cognito-identity.amazonaws.com: the Files API's Lambda role, and a hand-made one with s3:* on the bucket", async () => {
    const resources = stackResources(dev, "up");
    const lambdaRoles = resources.filter((r) => r.type === TYPES.role && JSON.stringify(json(r, "assumeRolePolicy")) === JSON.stringify(lambdaTrustPolicy()));
    const bucket = named(resources, "aws:s3/bucket:Bucket", "-files").outputs!.arn as string;
    const handMade = lambdaRoleWithBroadGrant().map((r) =>
      r.type === TYPES.rolePolicy ? { ...r, inputs: { ...r.inputs, policy: document({ Effect: "Allow", Action: "s3:*", Resource: [bucket, `${bucket}/*`] }) } } : r,
    );
    const outcome = await runPack(policies, [...resources, ...handMade]);
    expect(outcome.violations).toEqual([]);
    for (const role of [...lambdaRoles, handMade[0]!]) {
      expect(outcome.notApplicable[COGNITO_ROLE_TRUST]).toContain(`role ${role.name} is not trusted by cognito-identity.amazonaws.com`);
    }
  });
});

interface BrokenCase {
  what: string;
  policy: string;
  /** The broken stack, from the synthesized one. */
  breakIt: () => TestResource[];
  /** Every violation's message must match one of these, and each must match at least one violation. */
  expect: RegExp[];
  phase?: Phase;
  config?: PackConfig;
}

const up = () => stackResources(dev, "up");
const preview = () => stackResources(dev, "first-preview");
const ROLE = "aws:iam/role:Role";
const GRANT = "aws:iam/rolePolicy:RolePolicy";

function withGrantStatements(resources: TestResource[], suffix: string, edit: (statements: Json[]) => Json[]): TestResource[] {
  const grant = named(resources, GRANT, suffix);
  const doc = json(grant, "policy");
  return change(resources, GRANT, suffix, { policy: JSON.stringify({ ...doc, Statement: edit(doc.Statement) }) });
}

/** The article's statements on this stack's bucket. */
function articleGrant(resources: TestResource[]): Json[] {
  const arn = named(resources, "aws:s3/bucket:Bucket", "-files").outputs!.arn as string;
  const swap = (s: Json) => JSON.parse(JSON.stringify(s).split("arn:aws:s3:::files-0a1b2c3").join(arn));
  return [swap(ARTICLE_OBJECT_STATEMENT), swap(ARTICLE_LIST_STATEMENT)];
}

const CASES: BrokenCase[] = [
  {
    what: "the article's trust (amr only, no aud) on the admin role",
    policy: COGNITO_ROLE_TRUST,
    breakIt: () => change(up(), ROLE, "-admin-role", { assumeRolePolicy: JSON.stringify(ARTICLE_TRUST) }),
    // Resource policies see inputs, where an auto-named role has no name yet: it is named by its logical name.
    expect: [/^role iss-dev-admin-role: trust statement #0: lacks StringEquals cognito-identity.amazonaws.com:aud.*\[trust-missing-aud\]$/],
  },
  {
    what: "the article's trust at the first preview (it embeds no unknown id, so preview catches it)",
    policy: COGNITO_ROLE_TRUST,
    phase: "first-preview",
    breakIt: () => change(preview(), ROLE, "-user-role", { assumeRolePolicy: JSON.stringify(ARTICLE_TRUST) }),
    expect: [/^role iss-dev-user-role: .*\[trust-missing-aud\]$/],
  },
  {
    what: "a trust without the amr condition",
    policy: COGNITO_ROLE_TRUST,
    breakIt: () => {
      const resources = up();
      const doc = json(named(resources, ROLE, "-user-role"), "assumeRolePolicy");
      delete doc.Statement[0].Condition["ForAnyValue:StringLike"];
      return change(resources, ROLE, "-user-role", { assumeRolePolicy: JSON.stringify(doc) });
    },
    expect: [/^role iss-dev-user-role: trust statement AssumeFromThisIdentityPoolAuthenticatedOnly: lacks ForAnyValue:StringLike .*\[trust-missing-amr\]$/],
  },
  {
    what: "an identity pool that allows unauthenticated identities",
    policy: IDENTITY_POOL_SETTINGS,
    breakIt: () => change(up(), TYPES.identityPool, "-identities", { allowUnauthenticatedIdentities: true }),
    expect: [/^identity pool iss-dev-identities \(iss_dev_identities\): allowUnauthenticatedIdentities is true/],
  },
  {
    what: "an identity pool with the classic flow, at the first preview",
    policy: IDENTITY_POOL_SETTINGS,
    phase: "first-preview",
    breakIt: () => change(preview(), TYPES.identityPool, "-identities", { allowClassicFlow: true }),
    expect: [/allowClassicFlow is true/],
  },
  {
    what: "an identity pool provider without the server-side token check",
    policy: IDENTITY_POOL_SETTINGS,
    breakIt: () => {
      const resources = up();
      const pool = named(resources, TYPES.identityPool, "-identities");
      const providers = (pool.inputs.cognitoIdentityProviders as Json[]).map((p) => ({ ...p, serverSideTokenCheck: false }));
      return change(resources, TYPES.identityPool, "-identities", { cognitoIdentityProviders: providers });
    },
    expect: [/cognitoIdentityProviders provider #0 \(client \w+\) has serverSideTokenCheck false/],
  },
  {
    what: "a role mapping whose ambiguous users get the default role",
    policy: IDENTITY_POOL_ROLE_MAPPING,
    breakIt: () => {
      const resources = up();
      const mappings = (named(resources, TYPES.roleAttachment, "-role-mapping").inputs.roleMappings as Json[]).map((m) => ({ ...m, ambiguousRoleResolution: "AuthenticatedRole" }));
      return change(resources, TYPES.roleAttachment, "-role-mapping", { roleMappings: mappings });
    },
    expect: [/^role attachment iss-dev-role-mapping: roleMappings\[0\] \(Token\) has ambiguousRoleResolution "AuthenticatedRole", not "Deny"/],
  },
  {
    what: "a Rules mapping that matches a group with Contains, at the first preview",
    policy: IDENTITY_POOL_ROLE_MAPPING,
    phase: "first-preview",
    breakIt: () => {
      const resources = stackResources(devRules, "first-preview");
      const [mapping] = named(resources, TYPES.roleAttachment, "-role-mapping").inputs.roleMappings as Json[];
      const rules = (mapping!.mappingRules as Json[]).map((r, i) => (i === 1 ? { ...r, matchType: "Contains" } : r));
      return change(resources, TYPES.roleAttachment, "-role-mapping", { roleMappings: [{ ...mapping, mappingRules: rules }] });
    },
    expect: [/roleMappings\[0\]\.mappingRules\[1\] matches cognito:groups with Contains "user"/],
  },
  {
    what: "group-wide read (groups config readAllFolders) without groupWideReadRoles",
    policy: IDENTITY_STORAGE_GRANTS,
    breakIt: () => stackResources(devReadAll, "up"),
    expect: [
      new RegExp(`^role policy iss-dev-files-admin-grant .*\\(granted to role iss-dev-admin-role .*\\): statement AllFoldersRead: object access on .*/private/\\* is not confined to private/\\$\\{cognito-identity.amazonaws.com:sub\\}/… \\[object-not-confined\\]$`),
      /statement AllFoldersList: s3:ListBucket is not confined .*\[list-not-confined\]$/,
    ],
  },
  {
    what: "an ACL action added to the user grant",
    policy: IDENTITY_STORAGE_GRANTS,
    breakIt: () => withGrantStatements(up(), "-user-grant", (s) => s.map((st) => (st.Sid === "OwnFolderObjects" ? { ...st, Action: [...st.Action, "s3:PutObjectAcl"] } : st))),
    expect: [/^role policy iss-dev-files-user-grant .*: statement OwnFolderObjects: grants the ACL action s3:PutObjectAcl \[acl-action\]$/],
  },
  {
    what: "version deletion added to the admin grant",
    policy: IDENTITY_STORAGE_GRANTS,
    breakIt: () => withGrantStatements(up(), "-admin-grant", (s) => s.map((st) => (st.Sid === "OwnFolderObjects" ? { ...st, Action: [...st.Action, "s3:DeleteObjectVersion"] } : st))),
    expect: [/statement OwnFolderObjects: grants s3:DeleteObjectVersion, which deletes history \[version-deletion-action\]$/],
  },
  {
    what: "the article's object and list statements as the user grant",
    policy: IDENTITY_STORAGE_GRANTS,
    breakIt: () => {
      const resources = up();
      return withGrantStatements(resources, "-user-grant", () => articleGrant(resources));
    },
    expect: [
      /statement #0: grants the wildcard action s3:\* \[wildcard-action\]$/,
      new RegExp(`statement #1: s3:ListBucket is not confined by s3:prefix to (cognito-test|private)/\\$\\{cognito-identity.amazonaws.com:sub\\}/… \\(allows \\["cognito-test"\\]\\).*\\[list-not-confined\\]$`),
    ],
  },
  {
    what: "a hand-made RolePolicy on the admin role reading every object",
    policy: IDENTITY_STORAGE_GRANTS,
    breakIt: () => {
      const resources = up();
      const role = named(resources, ROLE, "-admin-role");
      const bucket = named(resources, "aws:s3/bucket:Bucket", "-files").outputs!.arn as string;
      return [
        ...resources,
        { type: GRANT, name: "extra-read", inputs: { role: role.outputs!.name, policy: document({ Sid: "ReadEverything", Effect: "Allow", Action: "s3:GetObject", Resource: `${bucket}/*` }) } },
      ];
    },
    expect: [new RegExp(`^role policy extra-read \\(granted to role iss-dev-admin-role .*\\): statement ReadEverything: object access on arn:aws:s3:::iss-dev-files-\\w+/\\* is not confined to private/`)],
  },
  {
    what: "a public-access flag turned off, at the first preview (found through the recorded dependency)",
    policy: IDENTITY_STORAGE_BUCKET,
    phase: "first-preview",
    breakIt: () => change(preview(), TYPES.publicAccessBlock, "-public-access", { ignorePublicAcls: false }),
    expect: [/^bucket iss-dev-files \(iss-dev-files-\w+\): public access block iss-dev-files-public-access: ignorePublicAcls is false; all four must be true$/],
  },
  {
    what: "the public access block removed",
    policy: IDENTITY_STORAGE_BUCKET,
    breakIt: () => without(up(), named(up(), TYPES.publicAccessBlock, "-public-access").name),
    expect: [/has no BucketPublicAccessBlock/],
  },
  {
    what: "object ownership that keeps ACLs",
    policy: IDENTITY_STORAGE_BUCKET,
    breakIt: () => change(up(), TYPES.ownershipControls, "-ownership", { rule: { objectOwnership: "ObjectWriter" } }),
    expect: [/ownership controls iss-dev-files-ownership set objectOwnership "ObjectWriter", not BucketOwnerEnforced/],
  },
  {
    what: "a bucket policy without the TLS-only deny",
    policy: IDENTITY_STORAGE_BUCKET,
    breakIt: () => {
      const resources = up();
      const doc = json(named(resources, TYPES.bucketPolicy, "-files-policy"), "policy");
      doc.Statement[0].Condition = { Bool: { "aws:SecureTransport": "true" } };
      return change(resources, TYPES.bucketPolicy, "-files-policy", { policy: JSON.stringify(doc) });
    },
    expect: [/no statement denies s3:\* on arn:aws:s3:::iss-dev-files-\w+ and its objects when aws:SecureTransport is false \[bucket-missing-tls-deny\]$/],
  },
];

describe("each invariant broken in turn fires the matching policy, and only it", () => {
  it.each(CASES.map((c) => [c.what, c] as const))("%s", async (_what, c) => {
    const outcome = await runPack(policies, c.breakIt(), c.config);
    expect(outcome.violations.length).toBeGreaterThan(0);
    for (const v of outcome.violations) {
      expect(v.policy).toBe(c.policy);
      expect(v.enforcementLevel).toBe("mandatory");
      if (!c.expect.some((re) => re.test(v.message))) throw new Error(`unexpected violation: ${v.message}`);
    }
    for (const re of c.expect) expect(outcome.violations.map((v) => v.message)).toContainEqual(expect.stringMatching(re));
  });

  it("group-wide read passes once the admin role is named in groupWideReadRoles", async () => {
    const resources = stackResources(devReadAll, "up");
    const outcome = await runPack(policies, resources, { [IDENTITY_STORAGE_GRANTS]: { groupWideReadRoles: ["iss-dev-admin-role"] } });
    expect(outcome.violations).toEqual([]);
  });

  it("a policy's enforcement level and exemptions come from the pack's config", async () => {
    const broken = CASES.find((c) => c.policy === IDENTITY_POOL_SETTINGS)!.breakIt();
    const advisory = await runPack(policies, broken, { [IDENTITY_POOL_SETTINGS]: "advisory" });
    expect(advisory.violations.map((v) => v.enforcementLevel)).toEqual(["advisory"]);
    expect((await runPack(policies, broken, { [IDENTITY_POOL_SETTINGS]: { enforcementLevel: "disabled" } })).violations).toEqual([]);
    expect((await runPack(policies, broken, { [IDENTITY_POOL_SETTINGS]: { allowUnauthenticatedIdentities: true } })).violations).toEqual([]);
    expect((await runPack(policies, broken, { [IDENTITY_POOL_SETTINGS]: { exemptResources: ["iss-dev-identities"] } })).violations).toEqual([]);
  });

  it("a grant that uses the identity variable nowhere is judged against the folder root the other grants use", async () => {
    const resources = up();
    const grant = named(resources, GRANT, "-user-grant");
    const unconfined = change(resources, GRANT, "-user-grant", { policy: (grant.inputs.policy as string).split(`/${SUB}`).join("") });
    const outcome = await runPack(policies, unconfined);
    expect(outcome.violations.map((v) => v.message)).toEqual([
      expect.stringMatching(/iss-dev-files-user-grant .*statement OwnFolderObjects: object access on .*\/private\/\* is not confined to private\/\$\{cognito-identity.amazonaws.com:sub\}\/… \[object-not-confined\]$/),
      expect.stringMatching(/iss-dev-files-user-grant .*statement OwnFolderList: s3:ListBucket is not confined by s3:prefix to private\/.*\(allows \["private\/","private\/\*"\]\).*\[list-not-confined\]$/),
    ]);
  });
});
