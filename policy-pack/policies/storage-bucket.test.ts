import { BUCKET, BUCKET_ARN, document, identityStack, lambdaRoleWithBroadGrant, UNKNOWN, without, withInputs } from "../test-support/fixtures";
import { runStackPolicy, type TestResource } from "../test-support/validation-args";
import { identityStorageBucket } from "./storage-bucket";

const judge = (resources: TestResource[], config: object = {}) => runStackPolicy(identityStorageBucket, resources, config);
const messages = async (resources: TestResource[], config: object = {}) => (await judge(resources, config)).violations.map((v) => v.message);
const LABEL = `bucket files (${BUCKET})`;
const urn = (type: string, name: string) => `urn:pulumi:dev::identity-scoped-storage::${type}::${name}`;

describe("identity-storage-bucket", () => {
  it("passes a bucket with all four public-access blocks, owner-enforced ownership and the TLS-only deny", async () => {
    expect(await judge(identityStack())).toEqual({ violations: [] });
  });

  it.each(["blockPublicAcls", "ignorePublicAcls", "blockPublicPolicy", "restrictPublicBuckets"])("fails when %s is off, on the public access block", async (flag) => {
    const outcome = await judge(withInputs(identityStack(), "files-public-access", { [flag]: false }));
    expect(outcome.violations).toEqual([
      expect.objectContaining({
        message: `${LABEL}: public access block files-public-access: ${flag} is false; all four must be true`,
        urn: urn("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "files-public-access"),
      }),
    ]);
  });

  it("fails an unset flag and a missing public access block", async () => {
    expect(await messages(withInputs(identityStack(), "files-public-access", { restrictPublicBuckets: undefined }))).toEqual([expect.stringContaining("restrictPublicBuckets is unset")]);
    expect(await messages(without(identityStack(), "files-public-access"))).toEqual([`${LABEL} has no BucketPublicAccessBlock: nothing stops a public ACL or bucket policy from exposing identities' folders`]);
  });

  it("fails ownership other than BucketOwnerEnforced, and missing ownership controls", async () => {
    expect(await messages(withInputs(identityStack(), "files-ownership", { rule: { objectOwnership: "ObjectWriter" } }))).toEqual([
      `${LABEL}: ownership controls files-ownership set objectOwnership "ObjectWriter", not BucketOwnerEnforced: object ACLs still grant access`,
    ]);
    expect(await messages(without(identityStack(), "files-ownership"))).toEqual([expect.stringMatching(/has no BucketOwnershipControls/)]);
  });

  it("fails a bucket policy without the TLS-only deny, and a bucket without a policy", async () => {
    const allowOnly = document({ Sid: "ReadLogs", Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "s3:GetObject", Resource: `${BUCKET_ARN}/logs/*` });
    const outcome = await judge(withInputs(identityStack(), "files-policy", { policy: allowOnly }));
    expect(outcome.violations).toEqual([
      expect.objectContaining({
        message: `${LABEL}: no statement denies s3:* on ${BUCKET_ARN} and its objects when aws:SecureTransport is false [bucket-missing-tls-deny]`,
        urn: urn("aws:s3/bucketPolicy:BucketPolicy", "files-policy"),
      }),
    ]);
    expect(await messages(without(identityStack(), "files-policy"))).toEqual([expect.stringContaining("[bucket-missing-tls-deny]")]);
  });

  describe("principals other than the stack's identity roles (the reviewer's property 7)", () => {
    const tlsDeny = { Sid: "TlsOnly", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } };
    const withGrant = (grant: object) => withInputs(identityStack(), "files-policy", { policy: document(tlsDeny, grant) });
    const partnerReads = { Sid: "PartnerReads", Effect: "Allow", Principal: { AWS: "arn:aws:iam::444455556666:root" }, Action: ["s3:GetObject", "s3:ListBucket"], Resource: [BUCKET_ARN, `${BUCKET_ARN}/private/*`] };

    it("fails a cross-account grant that reaches the folders (the public access block does not stop it)", async () => {
      expect(await messages(withGrant(partnerReads))).toEqual([expect.stringMatching(/statement PartnerReads lets 444455556666 reach the identity folders \(private\/\).*\[foreign-principal\]/)]);
    });

    it.each([
      ["anyone", { Sid: "Public", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `${BUCKET_ARN}/*` }, /lets \* reach/],
      ["a service", { Sid: "Cdn", Effect: "Allow", Principal: { Service: "cloudfront.amazonaws.com" }, Action: "s3:GetObject", Resource: `${BUCKET_ARN}/private/*` }, /lets cloudfront\.amazonaws\.com reach/],
      ["a listing by another account", { Sid: "Lists", Effect: "Allow", Principal: { AWS: "444455556666" }, Action: "s3:ListBucket", Resource: BUCKET_ARN }, /lets 444455556666 reach/],
    ])("fails %s", async (_label, grant, message) => {
      expect(await messages(withGrant(grant))).toEqual([expect.stringMatching(message)]);
    });

    it("control: the partner allow-listed in trustedPrincipals, a grant outside the folders, and a service limited to logs pass", async () => {
      expect(await messages(withGrant(partnerReads), { trustedPrincipals: ["arn:aws:iam::444455556666:*"] })).toEqual([]);
      expect(await messages(withGrant({ ...partnerReads, Action: "s3:GetObject", Resource: `${BUCKET_ARN}/public/*` }))).toEqual([]);
      expect(await messages(withGrant({ Sid: "Logs", Effect: "Allow", Principal: { Service: "logging.s3.amazonaws.com" }, Action: "s3:PutObject", Resource: `${BUCKET_ARN}/logs/*` }))).toEqual([]);
    });
  });

  it("accepts the TLS-only deny in the bucket's deprecated inline policy", async () => {
    const policy = identityStack().find((r) => r.name === "files-policy")!.inputs.policy;
    expect(await messages(withInputs(without(identityStack(), "files-policy"), "files", { policy }))).toEqual([]);
    expect(await messages(withInputs(without(identityStack(), "files-policy"), "files", { policy: document({ Effect: "Deny", Principal: "*", Action: "s3:DeleteBucket", Resource: BUCKET_ARN }) }))).toEqual([
      expect.stringContaining("[bucket-missing-tls-deny]"),
    ]);
  });

  it("judges only buckets that identity roles' grants reach", async () => {
    const logs: TestResource[] = [{ type: "aws:s3/bucket:Bucket", name: "logs", inputs: {}, outputs: { bucket: "logs-1234567", id: "logs-1234567", arn: "arn:aws:s3:::logs-1234567" } }];
    expect(await messages([...identityStack(), ...logs])).toEqual([]);
    // A Lambda role's grant does not make a bucket identity storage either.
    const onlyLambda = [...without(without(identityStack(), "reader-grant"), "files-public-access"), ...lambdaRoleWithBroadGrant()];
    const outcome = await judge(onlyLambda);
    expect(outcome.violations).toEqual([]);
    expect(outcome.notApplicable).toMatch(/no bucket in this stack is reached/);
  });

  it("at preview: finds the bucket through the grant's recorded dependency, judges the flags, and defers the policy text", async () => {
    let preview = withInputs(identityStack(), "reader-grant", { policy: UNKNOWN, role: UNKNOWN });
    preview = withInputs(preview, "files-policy", { bucket: UNKNOWN, policy: UNKNOWN });
    preview = withInputs(preview, "files-public-access", { bucket: UNKNOWN, blockPublicPolicy: false });
    preview = withInputs(preview, "files-ownership", { bucket: UNKNOWN });
    preview = withInputs(preview, "files", { arn: UNKNOWN, id: UNKNOWN });
    const outcome = await judge(preview);
    expect(outcome.violations.map((v) => v.message)).toEqual([`${LABEL}: public access block files-public-access: blockPublicPolicy is false; all four must be true`]);
    expect(outcome.deferred).toMatch(/judged at `pulumi up`: the TLS-only statement of bucket files \(files-0a1b2c3\) \(files-policy: string value at \.policy can't be known during preview\)/);
  });

  it("honours exemptResources by bucket name", async () => {
    const bare = without(without(identityStack(), "files-policy"), "files-ownership");
    expect(await messages(bare)).toHaveLength(2);
    expect(await messages(bare, { exemptResources: [BUCKET] })).toEqual([]);
  });
});
