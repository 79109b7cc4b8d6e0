/**
 * The template readers on small inputs written for each rule: CloudFormation's intrinsics resolved
 * as CloudFormation resolves them (checked against documents written out by hand), both branches
 * of an undetermined condition reviewed, absent documents making the verdict UNKNOWN until given,
 * and malformed input refused with one line and exit 2, quickly.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { cfnIdentityStack } from "../test-support/cfn-identity-stack";
import { runReviewCli as cli } from "../test-support/review-inputs";
import { targetsFromTemplates } from "./read-inputs";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "templates-"));
const write = (name: string, text: string) => {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, text);
  return file;
};
const read = (file: string, extra: Partial<Parameters<typeof targetsFromTemplates>[0]> = {}) => targetsFromTemplates({ templates: [file], parameters: {}, supplied: [], ...extra });
const SUB = "${cognito-identity.amazonaws.com:sub}";

/** One role, one bucket; `grant` is the YAML of the role's policy statements (indented 14). */
const template = (grant: string, extra = "") =>
  cfnIdentityStack({
    head: "AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  Stage: { Type: String }\nConditions:\n  IsProd: !Equals [!Ref Stage, prod]\n",
    bucketProperties: "      BucketName: !Join ['-', [files, !Select [1, !Split [':', 'a:store:b']]]]",
    grants: grant,
    extra,
  });

const OWN = `              - Sid: Own
                Effect: Allow
                Action: s3:GetObject
                Resource: !Sub '\${Files.Arn}/u/\${!cognito-identity.amazonaws.com:sub}/*'`;

describe("CloudFormation intrinsics, resolved as CloudFormation does", () => {
  it("Ref, Fn::GetAtt Arn, Fn::Join, Fn::Select/Fn::Split and Fn::Sub with its ${!Literal} escape", () => {
    const [t] = read(write("intrinsics.yaml", template(OWN)));
    expect(t!.bucketName).toBe("files-store");
    expect(t!.prefix).toBe("u");
    expect(t!.roles[0]!.identityPolicies[0]!.document.Statement[0]).toEqual({ Sid: "Own", Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::files-store/u/${SUB}/*` });
    // The trust's aud is the pool the template creates: the same placeholder id on both sides.
    expect(t!.roles[0]!.trustPolicy!.document.Statement[0]!.Condition!.StringEquals!["cognito-identity.amazonaws.com:aud"]).toBe(t!.identityPoolId);
    expect(t!.inputs!.provenance.identityPool.from).toBe("placeholder");
    expect(t!.inputs!.provenance.bucket).toMatchObject({ from: "file" });
  });

  it("Fn::If over an undetermined condition: both branches are reviewed, each labelled", () => {
    const grant = `              - !If
                - IsProd
                - { Sid: Own2, Effect: Allow, Action: s3:GetObject, Resource: !Sub '\${Files.Arn}/u/\${!cognito-identity.amazonaws.com:sub}/*' }
                - { Effect: Allow, Action: s3:GetObject, Resource: !Sub '\${Files.Arn}/u/*' }`;
    const targets = read(write("if.yaml", template(OWN + "\n" + grant)));
    expect(targets.map((t) => t.inputs!.variant)).toEqual(["IsProd=true", "IsProd=false"]);
    const resources = targets.map((t) => t.roles[0]!.identityPolicies[0]!.document.Statement.map((s) => s.Resource));
    expect(resources[0]).toEqual([`arn:aws:s3:::files-store/u/${SUB}/*`, `arn:aws:s3:::files-store/u/${SUB}/*`]);
    expect(resources[1]).toEqual([`arn:aws:s3:::files-store/u/${SUB}/*`, "arn:aws:s3:::files-store/u/*"]);
    // A given parameter decides the condition: one review.
    expect(read(write("if2.yaml", template(OWN + "\n" + grant)), { parameters: { Stage: "prod" } }).map((t) => t.inputs!.variant)).toEqual([undefined]);
  });

  it("the worse branch decides the exit code (the IsProd=false branch reads every folder)", async () => {
    const grant = `              - !If [IsProd, !Ref AWS::NoValue, { Effect: Allow, Action: s3:GetObject, Resource: !Sub '\${Files.Arn}/u/*' }]`;
    const file = write("worse.yaml", template(OWN + "\n" + grant));
    const r = await cli("--template", file, "--format", "json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    // IsProd=true keeps only the confined GetObject: the owner is narrower than intended and no
    // bucket policy denies plain HTTP, which are warnings (issue 11), so that branch passes.
    // IsProd=false adds GetObject on u/*, every identity's folder: a finding, and the run fails.
    const report = JSON.parse(r.stdout) as { reviews: { target: { label: string }; pass: boolean }[]; findings: { category: string; review: string }[] };
    expect(report.reviews.map((x) => [x.target.label.replace(/^.* \[/, "["), x.pass])).toEqual([["[IsProd=true]", true], ["[IsProd=false]", false]]);
    expect(report.findings.some((f) => f.category === "object-outside-folder" && f.review.endsWith("[IsProd=false]"))).toBe(true);
    expect(report.findings.filter((f) => f.review.endsWith("[IsProd=true]"))).toEqual([]);
    // Control: with the condition decided true, only the confined grant remains: one review, exit 0.
    const decided = await cli("--template", file, "--parameter", "Stage=prod", "--format", "json");
    expect(decided.code).toBe(0);
    expect((JSON.parse(decided.stdout) as { findings: unknown[] }).findings).toEqual([]);
  });

  it("Fn::ImportValue in ManagedPolicyArns is another stack's policy: named, UNKNOWN, and supplied with --identity-policy", async () => {
    const file = write("import.yaml", template(OWN).replace("      Policies:", "      ManagedPolicyArns: [!ImportValue shared-storage-policy]\n      Policies:"));
    const r = await cli("--template", file, "--format", "json");
    expect(r.code).toBe(1);
    const findings = (JSON.parse(r.stdout) as { findings: { category: string; request: string; sources: { file: string; line: number }[] }[] }).findings;
    const absent = findings.filter((f) => f.category === "absent-policy");
    expect(absent).toHaveLength(1);
    expect(absent[0]!.request).toContain("another stack's export shared-storage-policy");
    expect(absent[0]!.sources[0]).toMatchObject({ file, line: expect.any(Number) });
    const given = write("shared.json", JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::files-store/u/${SUB}/*` }] }));
    const supplied = await cli("--template", file, "--identity-policy", `shared-storage-policy=${given}`, "--format", "json");
    // Supplied, the policy is confined to the own folder: nothing is UNKNOWN any more and the review passes.
    expect(supplied.code).toBe(0);
    expect((JSON.parse(supplied.stdout) as { findings: { category: string }[] }).findings.filter((f) => f.category === "absent-policy")).toEqual([]);
  });
});

describe("role mapping read from the inputs", () => {
  /** The role carried by a `users` group and handed out by a Rules mapping that matches cognito:groups with `matchType`. */
  const mapped = (matchType: string) => `  Users:
    Type: AWS::Cognito::UserPoolGroup
    Properties: { GroupName: users, UserPoolId: pool-1, RoleArn: !GetAtt Role.Arn }
  Attachment:
    Type: AWS::Cognito::IdentityPoolRoleAttachment
    Properties:
      IdentityPoolId: !Ref Pool
      RoleMappings:
        idp:
          Type: Rules
          AmbiguousRoleResolution: Deny
          IdentityProvider: cognito-idp.us-east-1.amazonaws.com/us-east-1_x:client
          RulesConfiguration:
            Rules: [{ Claim: 'cognito:groups', MatchType: ${matchType}, Value: users, RoleARN: !GetAtt Role.Arn }]
`;
  // Contains matches a user in users and any other group (and groups whose name contains "users"):
  // the rule hands them this role whatever else they are, a finding by its shape.
  it("a Contains rule on cognito:groups is a finding (exit 1); the same rule with Equals is not (control)", async () => {
    const run = async (matchType: string) => {
      const r = await cli("--template", write(`mapping-${matchType}.yaml`, template(OWN, mapped(matchType))), "--no-prove", "--format", "json");
      return { code: r.code, categories: (JSON.parse(r.stdout) as { findings: { category: string }[] }).findings.map((f) => f.category) };
    };
    expect(await run("Contains")).toEqual({ code: 1, categories: ["role-mapping-rule"] });
    expect(await run("Equals")).toEqual({ code: 0, categories: [] });
  });
});

describe("malformed inputs: one line on stderr, exit 2, within seconds", () => {
  const big = () => {
    const file = path.join(tmp, "big.json");
    fs.writeFileSync(file, JSON.stringify({ Resources: {}, padding: "x".repeat(10 * 1024 * 1024) }));
    return file;
  };
  it.each([
    ["not a template", () => write("not.json", '{"hello": "world"}'), /not a CloudFormation template, Terraform plan/],
    ["invalid JSON", () => write("bad.json", '{"Resources": '), /not valid JSON/],
    ["an unknown intrinsic", () => write("fn.yaml", template(OWN.replace(/Resource: .*/, "Resource: { 'Fn::Frobnicate': [x] }"))), /unknown or unsupported intrinsic function Fn::Frobnicate/],
    ["a circular Ref", () => write("loop.json", JSON.stringify({ Resources: { A: { Type: "AWS::S3::Bucket", Properties: { BucketName: { "Fn::Join": ["-", [{ Ref: "B" }]] } } }, B: { Type: "AWS::S3::Bucket", Properties: { BucketName: { Ref: "A" } } }, P: { Type: "AWS::S3::BucketPolicy", Properties: { Bucket: { Ref: "A" }, PolicyDocument: {} } } } })), /circular reference: A → B → A/],
    ["YAML with a custom tag it does not know", () => write("tag.yaml", "Resources:\n  A:\n    Type: !Frobnicate AWS::S3::Bucket\n"), /not valid YAML at line 3: unknown tag/],
    ["a 10 MB file", big, /10\.0 MB; inputs over 5 MB are refused/],
    ["a missing file", () => path.join(tmp, "nope.json"), /nope\.json: no such file/],
    ["a Sub with an unescaped policy variable", () => write("sub.yaml", template(OWN.replace("${!cognito", "${cognito"))), /is written \$\{!cognito-identity\.amazonaws\.com:sub\} inside Fn::Sub/],
    ["actions from a parameter without a value", () => write("param.yaml", template(OWN.replace("Action: s3:GetObject", "Action: !Split [',', !Ref Stage]"))), /its actions come from parameter Stage/],
    ["--prefix contradicting the grants", () => write("prefix.yaml", template(OWN)), /--prefix "v": the grants on files-store use the folder root\(s\) "u"/, ["--prefix", "v"]],
  ] as [string, () => string, RegExp, string[]?][])("%s", async (_what, make, message, extra = []) => {
    const file = make();
    const started = Date.now();
    const r = await cli("--template", file, ...extra);
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 2, stdout: "" });
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
