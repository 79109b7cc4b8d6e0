import {
  ARTICLE_LIST_STATEMENT,
  ARTICLE_OBJECT_STATEMENT,
  BUCKET_ARN,
  document,
  grants,
  identityStack,
  lambdaRoleWithBroadGrant,
  ROLE_NAME,
  SUB,
  UNKNOWN,
  withInputs,
} from "../test-support/fixtures";
import { runStackPolicy, type TestResource } from "../test-support/validation-args";
import { parseIamDocument } from "../../iam/document";
import { folderRoots } from "../../iam/storage-layout";
import { identityStorageGrants } from "./storage-grants";

const judge = (resources: TestResource[], config: object = {}) => runStackPolicy(identityStorageGrants, resources, config);
const messages = async (resources: TestResource[], config: object = {}) => (await judge(resources, config)).violations.map((v) => v.message);
const withGrant = (policy: string) => withInputs(identityStack(), "reader-grant", { policy });
const OWN_OBJECTS = { Sid: "Own", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: `${BUCKET_ARN}/private/${SUB}/*` };
const OWN_LIST = { Sid: "List", Effect: "Allow", Action: "s3:ListBucket", Resource: BUCKET_ARN, Condition: { StringLike: { "s3:prefix": [`private/${SUB}/`, `private/${SUB}/*`] } } };
const GRANT = "role policy reader-grant (granted to role reader-role (reader-role-5d6e7f8))";

describe("identity-storage-grants", () => {
  it("passes the project's grants (own folder objects, folder-confined list)", async () => {
    const outcome = await judge(identityStack());
    expect(outcome).toEqual({ violations: [] });
  });

  it("fails the article's list statement: s3:prefix 'cognito-test' lists every identity's keys", async () => {
    const outcome = await judge(withGrant(document({ ...OWN_OBJECTS, Resource: `${BUCKET_ARN}/cognito-test/${SUB}/*` }, ARTICLE_LIST_STATEMENT)));
    expect(outcome.violations).toEqual([
      {
        policy: "identity-storage-grants",
        enforcementLevel: "mandatory",
        urn: "urn:pulumi:dev::identity-scoped-storage::aws:iam/rolePolicy:RolePolicy::reader-grant",
        message: `${GRANT}: statement #1: s3:ListBucket is not confined by s3:prefix to cognito-test/${SUB}/… (allows ["cognito-test"]): it can reveal other identities' key names [list-not-confined]`,
      },
    ]);
  });

  it("fails the article's object statement for its wildcard action, though its resource is confined", async () => {
    expect(await messages(withGrant(document(ARTICLE_OBJECT_STATEMENT, { ...OWN_LIST, Condition: { StringLike: { "s3:prefix": [`cognito-test/${SUB}/*`] } } })))).toEqual([
      `${GRANT}: statement #0: grants the wildcard action s3:* [wildcard-action]`,
    ]);
  });

  it.each([
    ["an ACL action", "s3:PutObjectAcl", "acl-action"],
    ["version deletion", "s3:DeleteObjectVersion", "version-deletion-action"],
    ["a wildcard action", "s3:Get*", "wildcard-action"],
  ])("fails %s on the identity's own folder", async (_what, action, rule) => {
    const found = await messages(withGrant(document({ ...OWN_OBJECTS, Action: [...OWN_OBJECTS.Action, action] }, OWN_LIST)));
    expect(found).toEqual([expect.stringMatching(new RegExp(`^${GRANT.replace(/[()]/g, "\\$&")}: statement Own: .*${action.replace("*", "\\*")}.*\\[${rule}\\]$`))]);
  });

  it("fails object access that is not confined to the identity variable", async () => {
    expect(await messages(withGrant(document({ ...OWN_OBJECTS, Resource: `${BUCKET_ARN}/private/*` }, OWN_LIST)))).toEqual([
      `${GRANT}: statement Own: object access on ${BUCKET_ARN}/private/* is not confined to private/${SUB}/… [object-not-confined]`,
    ]);
  });

  it("fails grants that never use the identity variable, naming the missing folder root", async () => {
    const found = await messages(withGrant(document({ Sid: "All", Effect: "Allow", Action: ["s3:GetObject", "s3:ListBucket"], Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`] })));
    expect(found).toEqual([
      `${GRANT}: statement All: object access on ${BUCKET_ARN}/* is not confined to <folder root>/${SUB}/… [object-not-confined]`,
      expect.stringMatching(/statement All: s3:ListBucket is not confined by s3:prefix .*\(no s3:prefix condition\).*\[list-not-confined\]$/),
    ]);
  });

  it("fails Allow with NotAction or NotResource, which grants everything not listed", async () => {
    const found = await messages(withGrant(document(OWN_OBJECTS, OWN_LIST, { Sid: "Rest", Effect: "Allow", NotAction: "iam:*", NotResource: "arn:aws:iam::*:*" })));
    expect(found).toEqual([expect.stringMatching(/statement Rest: Allow with NotAction\/NotResource grants everything not listed \[not-action-or-resource\]$/)]);
    const alone = await messages(withGrant(document({ Sid: "Rest", Effect: "Allow", NotAction: "iam:*", NotResource: "arn:aws:iam::*:*" })));
    expect(alone).toEqual([expect.stringContaining("[not-action-or-resource]")]);
  });

  it("judges bucket wildcards against the stack's storage bucket, as the shared inspection reads them", async () => {
    // Still one folder per identity in every bucket the pattern matches: isolation holds.
    const confined = await messages(withGrant(document({ ...OWN_OBJECTS, Resource: `arn:aws:s3:::files-*/private/${SUB}/*` }, OWN_LIST)));
    expect(confined).toEqual([]);
    const everyObject = await messages(withGrant(document(OWN_OBJECTS, OWN_LIST, { Sid: "Any", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::files-*/*" })));
    expect(everyObject).toEqual([expect.stringMatching(/statement Any: object access on arn:aws:s3:::files-\*\/\* is not confined to private\/.*\[object-not-confined\]$/)]);
    const listAny = await messages(withGrant(document(OWN_OBJECTS, OWN_LIST, { Sid: "ListAny", Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::*" })));
    expect(listAny).toEqual([expect.stringMatching(/statement ListAny: s3:ListBucket is not confined .*\(no s3:prefix condition\).*\[list-not-confined\]$/)]);
  });

  it("fails a ListBucket without any s3:prefix condition", async () => {
    expect(await messages(withGrant(document(OWN_OBJECTS, { ...OWN_LIST, Condition: undefined })))).toEqual([expect.stringContaining("statement List: s3:ListBucket is not confined")]);
  });

  it("fails group-wide read unless the role is configured for it, and never allows group-wide writes", async () => {
    const readAll = withGrant(grants({ readAllFolders: true }));
    expect(await messages(readAll)).toEqual([
      expect.stringMatching(/statement AllFoldersRead: object access on .*\/private\/\* is not confined.*\[object-not-confined\]/),
      expect.stringMatching(/statement AllFoldersList: s3:ListBucket is not confined .*\[list-not-confined\]/),
    ]);
    expect(await messages(readAll, { groupWideReadRoles: [ROLE_NAME] })).toEqual([]);
    expect(await messages(readAll, { groupWideReadRoles: ["reader-*"] })).toEqual([]);
    expect(await messages(readAll, { groupWideReadRoles: ["writer-role"] })).toHaveLength(2);

    const readWriteAll = withGrant(document(OWN_OBJECTS, OWN_LIST, { Sid: "AllWrite", Effect: "Allow", Action: "s3:PutObject", Resource: `${BUCKET_ARN}/private/*` }));
    expect(await messages(readWriteAll, { groupWideReadRoles: [ROLE_NAME] })).toEqual([expect.stringContaining("statement AllWrite: object access")]);
  });

  it("ignores roles not trusted by cognito-identity.amazonaws.com (a Lambda role with s3:*)", async () => {
    const outcome = await judge([...identityStack(), ...lambdaRoleWithBroadGrant()]);
    expect(outcome.violations).toEqual([]);
    const lambdaOnly = await judge(lambdaRoleWithBroadGrant());
    expect(lambdaOnly.notApplicable).toBe("no IAM role in this stack is trusted by cognito-identity.amazonaws.com");
  });

  it("judges a hand-made grant added to an identity role, found by the role's name", async () => {
    const extra: TestResource = {
      type: "aws:iam/rolePolicy:RolePolicy",
      name: "extra-grant",
      inputs: { role: ROLE_NAME, policy: document({ Effect: "Allow", Action: "s3:GetObject", Resource: `${BUCKET_ARN}/*` }) },
    };
    expect(await messages([...identityStack(), extra])).toEqual([
      expect.stringMatching(/^role policy extra-grant \(granted to role reader-role .*\): statement #0: object access on .*\/\* is not confined to private\//),
    ]);
  });

  it("judges inline policies and managed policies attached to an identity role", async () => {
    const bad = document({ Effect: "Allow", Action: "s3:*", Resource: "*" });
    const inline = withInputs(identityStack(), "reader-role", { inlinePolicies: [{ name: "legacy", policy: bad }] });
    expect(await messages(inline)).toEqual(expect.arrayContaining([expect.stringMatching(/^inline policy legacy of role reader-role .*\[wildcard-action\]$/)]));

    const managed: TestResource[] = [
      { type: "aws:iam/policy:Policy", name: "shared", inputs: { policy: bad }, outputs: { policy: bad, arn: "arn:aws:iam::123456789012:policy/shared" } },
      { type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment", name: "attach", inputs: { role: ROLE_NAME, policyArn: "arn:aws:iam::123456789012:policy/shared" } },
    ];
    const found = await messages([...identityStack(), ...managed]);
    expect(found).toEqual(expect.arrayContaining([expect.stringMatching(/^managed policy shared \(granted to role reader-role .*\[wildcard-action\]$/)]));
  });

  it("finds a managed policy attached with PolicyAttachment's roles list, even beside a role name unknown at preview", async () => {
    const attach: TestResource = {
      type: "aws:iam/policyAttachment:PolicyAttachment",
      name: "s3-for-everyone",
      inputs: { roles: [UNKNOWN, ROLE_NAME], policyArn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" },
    };
    expect(await messages([...identityStack(), attach])).toEqual([expect.stringMatching(/AmazonS3ReadOnlyAccess attached \(through s3-for-everyone\).*\[unreadable-policy\]$/)]);
    expect(await messages([...identityStack(), { ...attach, inputs: { ...attach.inputs, roles: ["someone-else"] } }])).toEqual([]);
  });

  it("reports an attached policy the stack does not define, since its grants cannot be read", async () => {
    const attach: TestResource = {
      type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
      name: "s3-full",
      inputs: { role: ROLE_NAME, policyArn: "arn:aws:iam::aws:policy/AmazonS3FullAccess" },
    };
    expect(await messages([...identityStack(), attach])).toEqual([expect.stringMatching(/AmazonS3FullAccess attached \(through s3-full\).*\[unreadable-policy\]$/)]);
    expect(await messages([...identityStack(), attach], { exemptResources: ["arn:aws:iam::aws:policy/AmazonS3FullAccess"] })).toEqual([]);
  });

  it("at preview: judges a known grant of a role whose trust is built from an identity pool", async () => {
    const preview = withInputs(withGrant(document(ARTICLE_OBJECT_STATEMENT)), "reader-role", { assumeRolePolicy: UNKNOWN, name: UNKNOWN, id: UNKNOWN });
    const outcome = await judge(preview);
    // The grant names the role by a value now unknown; the engine's recorded dependency links them.
    expect(outcome.violations.map((v) => v.message)).toEqual([expect.stringMatching(/role reader-role\).*\[wildcard-action\]$/)]);
  });

  it("at preview: defers grants whose text is unknown, and roles whose trust is unknown and not built from a pool", async () => {
    const unknownGrant = withInputs(identityStack(), "reader-grant", { policy: UNKNOWN });
    const outcome = await judge(unknownGrant);
    expect(outcome.violations).toEqual([]);
    expect(outcome.deferred).toMatch(/judged at `pulumi up`: the grants in role policy reader-grant of role reader-role .*string value at \.policy can't be known during preview/);

    const orphan: TestResource = { type: "aws:iam/role:Role", name: "mystery-role", inputs: { assumeRolePolicy: UNKNOWN } };
    const deferredOnly = await judge([orphan]);
    expect(deferredOnly.notApplicable).toBeUndefined();
    expect(deferredOnly.deferred).toMatch(/whether role mystery-role is trusted by cognito-identity.amazonaws.com, and so its grants/);
  });

  it("judges each grant against every folder root in use on the bucket", async () => {
    const second: TestResource[] = [
      { type: "aws:iam/role:Role", name: "team-role", inputs: { name: "team-role", assumeRolePolicy: JSON.stringify(JSON.parse(identityStack()[1]!.inputs.assumeRolePolicy as string)) } },
      { type: "aws:iam/rolePolicy:RolePolicy", name: "team-grant", inputs: { role: "team-role", policy: grants({ prefix: "team/shared" }) } },
    ];
    expect(await messages([...identityStack(), ...second])).toEqual([]);
  });

  it("reports folders at the bucket root as not judgeable instead of passing or misjudging them", async () => {
    const root = withGrant(document({ Effect: "Allow", Action: "s3:GetObject", Resource: `${BUCKET_ARN}/${SUB}/*` }));
    expect(await messages(root)).toEqual([expect.stringMatching(/identity folders at the root of arn:aws:s3:::files-0a1b2c3 .*cannot be judged/)]);
  });

  it("reports an unreadable grant document", async () => {
    expect(await messages(withGrant('{"Statement": {"Effect": "Allow", "Action": "s3:GetObject"}}'))).toEqual([
      expect.stringMatching(/^role policy reader-grant \(granted to role reader-role .*\) cannot be read: .*needs Resource or NotResource$/),
    ]);
  });

  it("honours exemptResources by grant or role", async () => {
    const bad = withGrant(document(ARTICLE_OBJECT_STATEMENT));
    expect(await messages(bad, { exemptResources: ["reader-grant"] })).toEqual([]);
    expect(await messages(bad, { exemptResources: [ROLE_NAME] })).toEqual([]);
    expect(await messages(bad, { exemptResources: ["someone-else"] })).toHaveLength(1);
  });
});

describe("folderRoots", () => {
  const docs = (...statements: object[]) => [parseIamDocument(document(...statements), "identity", "t")];
  it("reads the folder root from object resources and s3:prefix values that use the identity variable", () => {
    expect(folderRoots(docs(OWN_OBJECTS), BUCKET_ARN)).toEqual(["private"]);
    expect(folderRoots(docs({ ...OWN_LIST, Condition: { StringLike: { "s3:prefix": [`a/b/${SUB}/`] } } }), BUCKET_ARN)).toEqual(["a/b"]);
    expect(folderRoots(docs({ ...OWN_OBJECTS, Resource: `${BUCKET_ARN}/${SUB}/*` }), BUCKET_ARN)).toEqual([""]);
  });
  it("ignores other buckets, keys without the variable, and the variable inside a segment", () => {
    expect(folderRoots(docs({ ...OWN_OBJECTS, Resource: `arn:aws:s3:::other/private/${SUB}/*` }), BUCKET_ARN)).toEqual([]);
    expect(folderRoots(docs({ ...OWN_OBJECTS, Resource: `${BUCKET_ARN}/private/*` }), BUCKET_ARN)).toEqual([]);
    expect(folderRoots(docs({ ...OWN_OBJECTS, Resource: `${BUCKET_ARN}/user-${SUB}/*` }), BUCKET_ARN)).toEqual([]);
  });
});
