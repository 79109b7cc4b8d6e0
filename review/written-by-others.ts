/**
 * Keys outside every identity folder that another identity can write. Whatever lies at such a key
 * may be that identity's object: an allowed request the intent refuses there (reading, replacing
 * or deleting it, or writing what the other can read or delete) reaches another identity's data,
 * and so does a listing that returns such a key. Amplify Gen 1's `public/` (every identity reads,
 * writes and deletes) is the example: a finding under a private-folder intent, and intended once
 * declared with `--shared-folder`, when no row fails in the first place. A key nobody else can
 * write (a read-only `assets/`, the caller's own `protected/<id>/`) stays excess: a warning.
 */
import { isAllowed, type PolicyEngine, type S3Request } from "./engines/engine";
import type { ScenarioIdentities } from "./identities";
import { isOneOf, LISTING_ACTIONS, SHARED_ACCESS_ACTIONS } from "./intent";
import type { Row } from "./matrix";
import { listedAs } from "./prover/s3-listing";
import { bucketArnOf, type ReviewTarget } from "./review-target";
import { derivedSamples } from "./samples";
import type { S3Scenario } from "./scenarios";

/** Derived keys of the other identity tried per listing (beside a key right under the prefix). */
const LISTED_CANDIDATES = 6;
const WRITE_ACTIONS = [...SHARED_ACCESS_ACTIONS.write, "s3:DeleteObject"];

interface Probe {
  row: Row;
  requests: S3Request[];
  why: string;
}

/**
 * Upgrades the failing warning rows (excess, or a listing revealing no folder) whose key another
 * identity can write to findings, after asking the engine; returns how many simulations it ran.
 */
export async function judgeKeysWrittenByOthers(target: ReviewTarget, rows: Row[], ids: ScenarioIdentities, engine: PolicyEngine): Promise<number> {
  const arn = bucketArnOf(target);
  const documents = [...target.roles.flatMap((r) => r.identityPolicies), ...(target.bucketPolicy ? [target.bucketPolicy] : [])].map((p) => p.document);
  const ask = (otherId: string, action: string, key: string): S3Request[] =>
    target.roles.map((role) => ({ role, identityId: otherId, action, resourceArn: `${arn}/${key}`, context: { "aws:SecureTransport": "true" }, deliberatelyAbsent: [] }));
  const probes: Probe[] = [];
  const derived = new Map<string, string[]>();
  const keysOf = (otherId: string, callerId: string) => {
    if (!derived.has(otherId)) derived.set(otherId, derivedSamples(documents, target.bucketName, target.intent, otherId, callerId, false, 40).keys);
    return derived.get(otherId)!;
  };
  for (const row of rows) {
    if (row.pass || row.severity !== "warning" || (row.category !== "excess" && row.category !== "list-reveals-names") || row.scenario.kind !== "s3") continue;
    const s: S3Scenario = row.scenario;
    if (s.foreign || !isAllowed(row.verdict.decision)) continue;
    const other = s.caller === "A" ? "B" : s.caller === "B" ? "A" : "B";
    const otherId = ids[other];
    if (s.resource.target.kind === "object") {
      const key = s.resource.target.key;
      probes.push({ row, requests: ask(otherId, "s3:PutObject", key), why: `identity ${other} can write ${key} too, so it may hold ${other}'s object` });
      // What the caller writes there, the other may read or delete: the other reaches the caller's object.
      if (isOneOf(s.action, WRITE_ACTIONS)) {
        probes.push({ row, requests: [...ask(otherId, "s3:GetObject", key), ...ask(otherId, "s3:DeleteObject", key)], why: `identity ${other} can read or delete ${key}, so it reaches what ${s.caller} writes there` });
      }
    } else if (isOneOf(s.action, LISTING_ACTIONS) && s.resource.target.kind === "bucket") {
      const prefix = typeof s.context["s3:prefix"] === "string" ? s.context["s3:prefix"] : undefined;
      const delimiter = typeof s.context["s3:delimiter"] === "string" ? s.context["s3:delimiter"] : undefined;
      const theirs = keysOf(otherId, ids[s.caller]);
      const candidates = [`${prefix ?? ""}report.pdf`, ...theirs].filter((k) => listedAs(k, prefix, delimiter)?.as === "key").slice(0, LISTED_CANDIDATES + 1);
      probes.push({ row, requests: candidates.flatMap((k) => ask(otherId, "s3:PutObject", k)), why: `it returns keys identity ${other} can write, which may be ${other}'s objects` });
    }
  }
  const verdicts = await engine.evaluateS3(target, probes.flatMap((p) => p.requests));
  let at = 0;
  for (const p of probes) {
    const mine = verdicts.slice(at, at + p.requests.length);
    at += p.requests.length;
    if (p.row.severity === "finding" || !mine.some((v) => isAllowed(v.decision) && v.problems.length === 0)) continue;
    p.row.severity = "finding";
    if (p.row.category === "excess") p.row.category = "object-outside-folder";
    p.row.failure = `${p.row.failure}; ${p.why}`;
  }
  return verdicts.length;
}
