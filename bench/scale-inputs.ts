/**
 * Inputs for the scale curve's statement axis: a sound identity policy of N statements (the
 * own-folder grants, then narrower grants, denials and conditions inside the own folder, as
 * real policies accumulate them), kept within IAM's 10,240-character limit for a role's inline
 * policies, reviewed with the broken-policies fixtures' trust and bucket policies.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { IamDocument, PolicyStatement } from "../iam/document";
import { INLINE_POLICIES_PER_ROLE_LIMIT, policySize } from "../iam/size-limits";
import type { ReviewTarget } from "../review/review-target";
import { brokenPolicy, FILES_REVIEW } from "../review/test-support/review-inputs";
import { targetFromFiles } from "../review/targets";

const OWN = `arn:aws:s3:::${FILES_REVIEW.bucket}/${FILES_REVIEW.prefix}/\${cognito-identity.amazonaws.com:sub}`;

/** The i-th extra statement: a grant, a denial or a conditioned grant in a subfolder of the own folder. */
function extra(i: number): PolicyStatement {
  switch (i % 3) {
    case 0:
      return { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: `${OWN}/d${i}/*` };
    case 1:
      return { Effect: "Deny", Action: "s3:DeleteObject", Resource: `${OWN}/keep${i}/*` };
    default:
      return { Effect: "Allow", Action: "s3:PutObject", Resource: `${OWN}/t${i}/*`, Condition: { StringEquals: { "s3:x-amz-server-side-encryption": "AES256" } } };
  }
}

export function statementsPolicy(n: number): IamDocument {
  const good = JSON.parse(fs.readFileSync(brokenPolicy("good-identity.json"), "utf8")) as IamDocument;
  const statements = [...good.Statement, ...Array.from({ length: Math.max(0, n - good.Statement.length) }, (_, i) => extra(i))];
  const document: IamDocument = { Version: "2012-10-17", Statement: statements };
  const size = policySize(document);
  if (size > INLINE_POLICIES_PER_ROLE_LIMIT) throw new Error(`${n} statements take ${size} characters, over IAM's ${INLINE_POLICIES_PER_ROLE_LIMIT}`);
  return document;
}

/** A one-role file review whose identity policy has `n` statements. */
export function statementsTarget(n: number): ReviewTarget {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scale-"));
  const file = path.join(dir, `identity-${n}.json`);
  fs.writeFileSync(file, JSON.stringify(statementsPolicy(n)));
  try {
    return targetFromFiles({ identityPolicies: [file], trustPolicy: brokenPolicy("good-trust.json"), bucketPolicy: brokenPolicy("good-bucket.json"), ...FILES_REVIEW });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
