/**
 * Case splits (shapes.ts) must lose no allowed request. Regression: `${sub}` without a default and
 * `${sub, ''}` once compared as the same head, so the first hid the second, and a caller without an
 * identity id (anonymous) then had no case at all — property 7 was PROVED for a bucket policy that
 * lets anyone list every identity's folder (`cognito-test/${sub, ''}*` is `cognito-test/*` for it).
 */
import { parseIamDocument } from "../../iam/document";
import { allS3Actions } from "../../iam/s3-actions";
import { filesTarget } from "../test-support/review-inputs";
import { proveTarget } from "./prove";
import { casesFor } from "./queries";

const SUB = "${cognito-identity.amazonaws.com:sub}";
const SUB_OR_EMPTY = "${cognito-identity.amazonaws.com:sub, ''}";

/** The files target with a bucket policy that lets anyone list under each s3:prefix pattern. */
function targetListing(patterns: string[]) {
  const target = filesTarget({});
  const statements = patterns.map((p, i) => ({ Sid: `List${i}`, Effect: "Allow", Principal: "*", Action: "s3:ListBucket", Resource: "arn:aws:s3:::files-bucket", Condition: { StringLike: { "s3:prefix": p } } }));
  const bucket = target.bucketPolicy!;
  const document = parseIamDocument({ ...bucket.document, Statement: [...bucket.document.Statement, ...statements] }, "resource", "listing.json");
  target.bucketPolicy = { name: "listing.json", document };
  return target;
}

const listBucket = async () => (await allS3Actions()).find((a) => a.name === "s3:ListBucket")!;

describe("list-prefix cases for a caller without an identity id", () => {
  it("keep the head whose `${sub, ''}` it matches beside an equal head without a default", async () => {
    const target = targetListing([`cognito-test/${SUB}*`, `cognito-test/${SUB_OR_EMPTY}*`]);
    expect(casesFor(target, undefined, await listBucket(), false)).toEqual([{ kind: "head", head: [{ kind: "literal", text: "cognito-test/" }, { kind: "identity", default: "" }] }]);
  });

  it("control: with no default, the caller without an id has no case (IAM: the pattern cannot match)", async () => {
    const target = targetListing([`cognito-test/${SUB}*`]);
    expect(casesFor(target, undefined, await listBucket(), false)).toEqual([]);
    // A caller with an id keeps it.
    expect(casesFor(target, undefined, await listBucket(), true)).toHaveLength(1);
  });

  it("the prover finds anonymous listing another identity's folder, and the simulator confirms it", async () => {
    const r = await proveTarget(targetListing([`cognito-test/${SUB}*`, `cognito-test/${SUB_OR_EMPTY}*`]));
    const v = r.verdicts.find((x) => x.property === 7)!;
    expect(v.status).toBe("VIOLATED");
    expect(v.counterexample!.confirmed).toBe(true);
    expect(v.counterexample!.simulator.decision).toBe("Allowed");
    expect(v.counterexample!.simulator.problems).toEqual([]);
  });
});
