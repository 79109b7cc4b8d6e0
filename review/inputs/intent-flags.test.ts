/**
 * The intent flags apply to `--template` inputs as to policy files (review-interface.md):
 * `--shared-folder`, `--owner-actions`, `--read-all-folders` and `--prefix ""`. Each is shown to
 * change the verdict the way its words say, beside the same run without it. These runs use the
 * matrix alone (`--no-prove`); the proof of the declared Amplify layout runs in `npm run
 * test:deep` (REVIEW_LONG=1; review/adversarial.test.ts proves an Amplify-style layout in CI).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { cfnIdentityStack } from "../test-support/cfn-identity-stack";
import { runReviewCli as cli } from "../test-support/review-inputs";
import { templateCases } from "../test-support/template-cases";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "intent-flags-"));
const write = (name: string, text: string) => {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, text);
  return file;
};
type Report = { target: { ownerActions: string[]; sharedFolders: { keyPrefix: string }[]; prefix: string }; findings: { category: string; request: string }[]; warnings: { category: string }[] };
const json = async (...args: string[]) => {
  const r = await cli(...args, "--format", "json");
  expect(r.stderr).toBe("");
  return { code: r.code, report: JSON.parse(r.stdout) as Report };
};

/** Amplify Gen 1's layout, as its documentation describes the access levels. */
const AMPLIFY_LEVELS = ["--shared-folder", "public/=read,write,delete,list", "--shared-folder", "protected/{id}/=read,list", "--shared-folder", "uploads/=write"];
const amplify = templateCases().find((c) => c.name === "amplify-gen1-storage")!;

/** One identity role on a bucket; `grants` are its statements, YAML indented 14. */
const stack = (grants: string) => cfnIdentityStack({ bucketProperties: "      BucketName: flags-files", grants });
const grant = (actions: string, resource: string) => `              - Effect: Allow
                Action: [${actions}]
                Resource: !Sub '${resource}'`;
const OWN = (root: string) => grant("s3:GetObject, s3:PutObject", `\${Files.Arn}/${root}\${!cognito-identity.amazonaws.com:sub}/*`);

describe("intent flags with --template", () => {
  it("--shared-folder: Amplify Gen 1's storage stack passes once its levels are declared, and fails without them", async () => {
    const declared = await json(...amplify.template, ...AMPLIFY_LEVELS, "--no-prove");
    expect(declared.report.target.sharedFolders.map((f) => f.keyPrefix)).toEqual(["public/", "protected/{id}/", "uploads/"]);
    expect(declared.report.findings).toEqual([]);
    expect(declared.code).toBe(0);
    // Control: under the private-folder intent, public/ is written by every identity and read,
    // replaced and deleted by every other: other identities' objects.
    const undeclared = await json(...amplify.template, "--no-prove");
    expect(undeclared.code).toBe(1);
    expect(undeclared.report.findings.some((f) => f.category === "object-outside-folder" && f.request.includes("on key public/"))).toBe(true);
  });

  (process.env.REVIEW_LONG ? it : it.skip)("--shared-folder: the proof agrees on the declared Amplify layout (npm run test:deep)", async () => {
    expect((await cli(...amplify.template, ...AMPLIFY_LEVELS)).code).toBe(0);
  }, 300_000);

  it("--owner-actions: fewer intended actions make the rest excess (a warning, a finding with --strict)", async () => {
    const file = write("owner.yaml", stack(OWN("u/")));
    const intended = await json("--template", file, "--owner-actions", "s3:GetObject,s3:PutObject", "--no-prove");
    expect(intended.report.target.ownerActions).toEqual(["s3:GetObject", "s3:PutObject"]);
    expect(intended.report.warnings.filter((w) => w.category === "owner-lacks-access")).toEqual([]);
    // Control: by default the owner is meant to delete, list and abort uploads too.
    const byDefault = await json("--template", file, "--no-prove");
    expect(byDefault.report.warnings.some((w) => w.category === "owner-lacks-access")).toBe(true);
    expect([intended.code, byDefault.code]).toEqual([0, 0]);
    const narrower = await json("--template", file, "--owner-actions", "s3:GetObject", "--no-prove", "--strict");
    expect(narrower.code).toBe(1);
    expect(narrower.report.findings.some((f) => f.category === "excess" && f.request.includes("s3:PutObject on own object"))).toBe(true);
  });

  it("--read-all-folders: a role that reads every folder is intended only when declared", async () => {
    const file = write("read-all.yaml", stack(`${OWN("u/")}\n${grant("s3:GetObject", "${Files.Arn}/u/*")}`));
    expect((await json("--template", file, "--read-all-folders", "--no-prove")).code).toBe(0);
    const undeclared = await json("--template", file, "--no-prove");
    expect(undeclared.code).toBe(1);
    expect(undeclared.report.findings.some((f) => f.category === "object-outside-folder" && f.request.includes("GetObject on B's object"))).toBe(true);
  });

  it('--prefix "": folders at the bucket root, as the inputs say; a flag contradicting them is exit 2', async () => {
    const file = write("root.yaml", stack(OWN("")));
    const root = await json("--template", file, "--prefix", "", "--no-prove");
    expect(root.report.target.prefix).toBe("");
    expect(root.code).toBe(0);
    const other = await cli("--template", file, "--prefix", "u", "--no-prove");
    expect([other.code, other.stderr]).toEqual([2, expect.stringMatching(/^error: --prefix "u": the grants on flags-files use the folder root\(s\) ""\n$/)]);
  });
});
