/**
 * How identity storage is laid out, read from the documents themselves: which statements let
 * identity-pool identities assume a role, which buckets a document names, and which folder root
 * (`<root>/${cognito-identity.amazonaws.com:sub}/`) its grants use. The policy pack and the
 * reviewer's template readers both find identity storage this way.
 */
import { COGNITO_IDENTITY_PRINCIPAL, IDENTITY_ID_VARIABLE } from "./cognito";
import { canonicalIdentityVariable } from "./conditions";
import { listOf, type IamDocument } from "./document";

/** Statements (by index) that allow `cognito-identity.amazonaws.com` as a federated principal. */
export function cognitoTrustStatements(doc: IamDocument): number[] {
  return doc.Statement.flatMap((s, i) =>
    s.Effect === "Allow" && s.Principal && s.Principal !== "*" && listOf(s.Principal.Federated).includes(COGNITO_IDENTITY_PRINCIPAL) ? [i] : [],
  );
}

/** A trust policy that lets identity-pool identities assume the role. */
export const trustsCognitoIdentity = (doc: IamDocument) => cognitoTrustStatements(doc).length > 0;

const S3_ARN = /^(arn:aws[a-z-]*:s3:::)([^/]+)/;

/** The bucket name of an S3 ARN (bucket or object; wildcards kept), or undefined. */
export const bucketNameOfArn = (arn: string): string | undefined => S3_ARN.exec(arn)?.[2];

/** `arn:…:s3:::<bucket>` for every S3 resource a document names (bucket or object, wildcards kept). */
export function bucketArnsIn(doc: IamDocument): string[] {
  const arns = new Set<string>();
  for (const s of doc.Statement) {
    for (const r of listOf(s.Resource)) {
      const m = S3_ARN.exec(r);
      if (m) arns.add(`${m[1]}${m[2]}`);
    }
  }
  return [...arns];
}

/**
 * Folder roots that grants on `bucketArn` use: `private` for `…:::b/private/${sub}/*` and for an
 * `s3:prefix` of `private/${sub}/`. An empty string is a folder at the bucket root.
 */
export function folderRoots(docs: IamDocument[], bucketArn: string): string[] {
  const roots = new Set<string>();
  const rootOf = (written: string) => {
    const key = canonicalIdentityVariable(written);
    const at = key.indexOf(IDENTITY_ID_VARIABLE);
    if (at < 0) return;
    const before = key.slice(0, at);
    if (before === "") roots.add("");
    else if (before.endsWith("/")) roots.add(before.slice(0, -1));
  };
  for (const doc of docs) {
    for (const s of doc.Statement) {
      const resources = listOf(s.Resource);
      for (const r of resources) if (r.startsWith(`${bucketArn}/`)) rootOf(r.slice(bucketArn.length + 1));
      if (resources.includes(bucketArn)) {
        for (const values of Object.values(s.Condition ?? {})) {
          for (const [key, v] of Object.entries(values)) if (key.toLowerCase() === "s3:prefix") listOf(v).forEach(rootOf);
        }
      }
    }
  }
  return [...roots].sort();
}
