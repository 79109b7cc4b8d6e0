/**
 * Handing the evaluator validated policies changes nothing it answers: on every document of the
 * real-world, adversarial and broken-policy corpora (written by others, or by hand against IAM's
 * grammar), each in the slot it is reviewed in, the same simulations give the same response —
 * decision, statements, ignored keys, and for a document IAM would refuse, the same errors — as
 * with the plain documents. And each document is validated once per slot.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import type { IamDocument } from "../../iam/document";
import { validated, type PolicySlot } from "./validated-policies";

const FIXTURES = path.join(__dirname, "..", "fixtures");
const ACCOUNT = "123456789012";
const ID = "ap-northeast-1:aaaa0001-aaaa-4aaa-8aaa-aaaaaaaaaaaa";

/** Every JSON policy document of the corpora, with the slot its name says it is reviewed in. */
function corpus(): { file: string; document: IamDocument; slot: PolicySlot }[] {
  const found: { file: string; document: IamDocument; slot: PolicySlot }[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith(".json") && entry.name !== "case.json") {
        let document: unknown;
        try {
          document = JSON.parse(fs.readFileSync(file, "utf8"));
        } catch {
          continue; // not JSON: the reader's own error, not the evaluator's
        }
        if (!document || typeof document !== "object" || !("Statement" in document)) continue;
        found.push({ file: path.relative(FIXTURES, file), document: document as IamDocument, slot: /bucket|trust/i.test(entry.name) ? "resource" : "identity" });
      }
    }
  };
  for (const dir of ["real-world", "adversarial", "broken-policies"]) walk(path.join(FIXTURES, dir));
  return found;
}

/** Documents IAM refuses, by hand: the evaluator must refuse them with the same errors either way. */
const REFUSED: { file: string; document: IamDocument; slot: PolicySlot }[] = [
  { file: "(hand-made) identity policy naming a Principal", slot: "identity", document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::files-bucket/*" }] } },
  { file: "(hand-made) both Action and NotAction", slot: "resource", document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", NotAction: "s3:PutObject", Resource: "arn:aws:s3:::files-bucket/*" }] } },
  { file: "(hand-made) Effect in lower case", slot: "identity", document: { Version: "2012-10-17", Statement: [{ Effect: "allow" as "Allow", Action: "s3:GetObject", Resource: "*" }] } },
];
const DOCUMENTS = [...corpus(), ...REFUSED];
const REQUESTS: { action: string; resource: string; context: Record<string, string | string[]> }[] = [
  { action: "s3:GetObject", resource: `arn:aws:s3:::files-bucket/private/${ID}/a.txt`, context: { "aws:SecureTransport": "true" } },
  { action: "s3:PutObject", resource: `arn:aws:s3:::files-bucket/cognito-test/${ID}/a.txt`, context: { "aws:SecureTransport": "false" } },
  { action: "s3:ListBucket", resource: "arn:aws:s3:::files-bucket", context: { "aws:SecureTransport": "true", "s3:prefix": `private/${ID}/` } },
  { action: "sts:AssumeRoleWithWebIdentity", resource: `arn:aws:iam::${ACCOUNT}:role/users`, context: { "cognito-identity.amazonaws.com:aud": "ap-northeast-1:11111111-2222-4333-8444-555555555555", "cognito-identity.amazonaws.com:amr": ["authenticated"] } },
];

function simulation(policy: unknown, slot: PolicySlot, r: (typeof REQUESTS)[number]): Simulation {
  return {
    identityPolicies: slot === "identity" ? [{ name: "p", policy }] : [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(slot === "resource" ? { resourcePolicy: policy } : {}),
    request: {
      principal: r.action.startsWith("sts:") ? "cognito-identity.amazonaws.com" : `arn:aws:sts::${ACCOUNT}:assumed-role/users/s`,
      action: r.action,
      resource: { resource: r.resource, accountId: ACCOUNT },
      contextVariables: r.context,
    },
  } as Simulation;
}

type StatementObject = { sid(): string | undefined; index(): number };
const isStatement = (v: unknown): v is StatementObject => !!v && typeof v === "object" && typeof (v as Partial<StatementObject>).sid === "function";
/** A response as plain data: statements by Sid and index (iam-policy's objects are rebuilt per run). */
const plain = (response: unknown) => JSON.parse(JSON.stringify(response, (_k, v: unknown) => (isStatement(v) ? `statement ${v.sid()} #${v.index()}` : v)));

it("reads a corpus of documents in both slots, and the evaluator refuses the hand-made ones (the controls for the comparison)", async () => {
  expect(DOCUMENTS.length).toBeGreaterThan(40);
  expect(new Set(DOCUMENTS.map((d) => d.slot))).toEqual(new Set(["identity", "resource"]));
  const refused = await Promise.all(DOCUMENTS.map(async ({ document, slot }) => (await runSimulation(simulation(document, slot, REQUESTS[0]!), {})).resultType === "error"));
  expect(DOCUMENTS.filter((_d, i) => refused[i]).map((d) => d.file)).toEqual(REFUSED.map((d) => d.file));
});

it.each(DOCUMENTS.map((d) => [d.file, d] as const))("%s: the same response validated once as validated on every run", async (_file, { document, slot }) => {
  for (const r of REQUESTS) {
    const raw = await runSimulation(simulation(document, slot, r), {});
    const once = await runSimulation(simulation(validated(document, slot), slot, r), {});
    expect(plain(once)).toEqual(plain(raw));
  }
});

it("validates a document once per slot, and each slot with its own rules", () => {
  const withPrincipal: IamDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }] };
  expect(validated(withPrincipal, "identity")).toBe(validated(withPrincipal, "identity"));
  const asIdentity = validated(withPrincipal, "identity") as { errors: unknown[] };
  const asResource = validated(withPrincipal, "resource") as { errors: unknown[] };
  // An identity policy may not name a Principal; a resource policy may.
  expect(asIdentity.errors.length).toBeGreaterThan(0);
  expect(asResource.errors).toEqual([]);
});
