/**
 * Whether the inputs prove ACLs disabled: object ownership BucketOwnerEnforced, read from
 * CloudFormation's `OwnershipControls`, Terraform's `aws_s3_bucket_ownership_controls` and
 * Pulumi's `BucketOwnershipControls`. With ACLs disabled an ACL write grants nothing (S3 rejects
 * ACLs other than bucket-owner-full-control), so granting it is excess on the owner's own data, a
 * warning; otherwise the owner could hand its objects to anyone outside IAM's view, a finding.
 * Each positive stands beside its control: the same input without the setting, or with another.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { cfnIdentityStack } from "../test-support/cfn-identity-stack";
import { runReviewCli as cli } from "../test-support/review-inputs";
import { TEMPLATES_DIR } from "../test-support/template-cases";
import { targetsFromTemplates } from "./read-inputs";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "acls-"));
const write = (name: string, text: string) => {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, text);
  return file;
};
const aclsDisabled = (file: string) => targetsFromTemplates({ templates: [file], parameters: {}, supplied: [] }).map((t) => t.aclsDisabled);

/** A CloudFormation stack whose role may also set its own objects' ACLs; `ownership` is the bucket's OwnershipControls, if any. */
const stack = (ownership?: string) =>
  cfnIdentityStack({
    bucketProperties: `      BucketName: acl-files${ownership ? `\n      OwnershipControls:\n        Rules:\n          - ObjectOwnership: ${ownership}` : ""}`,
    grants: `              - Effect: Allow
                Action: [s3:GetObject, s3:PutObject, s3:PutObjectAcl]
                Resource: !Sub '\${Files.Arn}/u/\${!cognito-identity.amazonaws.com:sub}/*'`,
  });

describe("ACLs disabled, read from the inputs", () => {
  it("CloudFormation: OwnershipControls BucketOwnerEnforced; not ObjectWriter, not BucketOwnerPreferred, not absent", () => {
    expect(aclsDisabled(write("enforced.yaml", stack("BucketOwnerEnforced")))).toEqual([true]);
    expect(aclsDisabled(write("writer.yaml", stack("ObjectWriter")))).toEqual([false]);
    expect(aclsDisabled(write("preferred.yaml", stack("BucketOwnerPreferred")))).toEqual([false]);
    expect(aclsDisabled(write("absent.yaml", stack()))).toEqual([false]);
  });

  it("decides whether an ACL write is a finding: exit 0 with an excess warning when enforced, exit 1 otherwise", async () => {
    const run = async (file: string) => {
      const r = await cli("--template", file, "--no-prove", "--format", "json");
      const report = JSON.parse(r.stdout) as { findings: { category: string; request: string }[]; warnings: { category: string; request: string }[] };
      const acl = (list: { category: string; request: string }[]) => list.filter((f) => f.request.includes("s3:PutObjectAcl on own object")).map((f) => f.category);
      return { code: r.code, findings: acl(report.findings), warnings: acl(report.warnings) };
    };
    expect(await run(write("enforced-run.yaml", stack("BucketOwnerEnforced")))).toEqual({ code: 0, findings: [], warnings: ["excess"] });
    expect(await run(write("writer-run.yaml", stack("ObjectWriter")))).toEqual({ code: 1, findings: ["access-control-write"], warnings: [] });
  });

  it("Terraform: aws_s3_bucket_ownership_controls, its bucket known or a reference unknown until apply", () => {
    const plan = JSON.parse(fs.readFileSync(path.join(TEMPLATES_DIR, "terraform-isolated", "plan.json"), "utf8")) as {
      planned_values: { root_module: { resources: unknown[] } };
      resource_changes: unknown[];
      configuration: { root_module: { resources: unknown[] } };
    };
    const address = "aws_s3_bucket_ownership_controls.photos";
    const withControls = (objectOwnership: string, bucketUnknown: boolean) => {
      const copy = structuredClone(plan);
      copy.planned_values.root_module.resources.push({ address, mode: "managed", type: "aws_s3_bucket_ownership_controls", name: "photos", values: { ...(bucketUnknown ? {} : { bucket: "signed-cookie-photos" }), rule: [{ object_ownership: objectOwnership }] } });
      copy.resource_changes.push({ address, mode: "managed", type: "aws_s3_bucket_ownership_controls", name: "photos", change: { actions: ["create"], after_unknown: bucketUnknown ? { bucket: true } : {} } });
      copy.configuration.root_module.resources.push({ address, mode: "managed", type: "aws_s3_bucket_ownership_controls", name: "photos", expressions: { bucket: { references: ["aws_s3_bucket.photo_bucket.id", "aws_s3_bucket.photo_bucket"] } } });
      return write(`plan-${objectOwnership}-${bucketUnknown}.json`, JSON.stringify(copy));
    };
    expect(aclsDisabled(withControls("BucketOwnerEnforced", false))).toEqual([true]);
    expect(aclsDisabled(withControls("BucketOwnerEnforced", true))).toEqual([true]);
    expect(aclsDisabled(withControls("ObjectWriter", false))).toEqual([false]);
    expect(aclsDisabled(path.join(TEMPLATES_DIR, "terraform-isolated", "plan.json"))).toEqual([false]);
  });

  it("Pulumi: BucketOwnershipControls in a stack export (this project's dev stack), and the same export set to ObjectWriter", () => {
    const file = path.join(TEMPLATES_DIR, "pulumi-dev", "stack-export.json");
    expect(aclsDisabled(file)).toEqual([true]);
    const text = fs.readFileSync(file, "utf8");
    expect(text.match(/"objectOwnership": "BucketOwnerEnforced"/g)).toHaveLength(2);
    expect(aclsDisabled(write("writer-export.json", text.replace(/"objectOwnership": "BucketOwnerEnforced"/g, '"objectOwnership": "ObjectWriter"')))).toEqual([false]);
  });
});
