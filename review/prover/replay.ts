/**
 * A counterexample is only as good as its replay: the concrete request goes through the local
 * simulator engine (a different evaluator from the prover's encoding) and through the intent
 * model, and the report shows all three verdicts.
 */
import { isAllowed, type PolicyEngine } from "../engines/engine";
import { intendedDecision } from "../intent";
import type { ReviewTarget } from "../review-target";
import type { ConcreteRequest } from "./s3-setup";
import { TLS_KEY } from "./requests";
import { listedAs } from "./s3-listing";
import type { Counterexample, PropertyNumber } from "./verdicts";

const quote = (s: string) => JSON.stringify(s);

function contextWords(context: Record<string, string | string[]>, absent: string[]): string {
  const set = Object.entries(context).map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.map(quote).join(", ")}]` : quote(v)}`);
  return [...set, ...absent.map((k) => `${k} absent`)].join(", ");
}

/** A key under `area` that the listing returns (as itself or as a common prefix inside the area). */
export function revealedKey(area: string, listPrefix: string | undefined, delimiter: string | undefined) {
  const candidates = [...(listPrefix?.startsWith(area) ? [`${listPrefix}report.pdf`, listPrefix] : []), `${area}report.pdf`, area];
  for (const key of candidates) {
    const listed = listedAs(key, listPrefix, delimiter);
    if (listed && listed.value.startsWith(area)) return { key, ...listed };
  }
  return undefined;
}

/** The areas of `otherId` (and shared folders) a listing by this request may reveal. */
function areasOf(target: ReviewTarget, otherId: string | undefined): string[] {
  const p = target.intent.prefix;
  const own = otherId !== undefined ? [p === "" ? `${otherId}/` : `${p}/${otherId}/`] : [];
  return [...own, ...target.intent.sharedFolders.map((f) => (f.perIdentity ? `${f.perIdentity.before}${otherId ?? ""}${f.perIdentity.after}` : f.keyPrefix))];
}

export async function replay(engine: PolicyEngine, target: ReviewTarget, subject: string, property: PropertyNumber, request: ConcreteRequest): Promise<Counterexample> {
  const prover = property === 3 ? "denied" : "allowed";
  const role = target.roles.find((r) => r.group === subject) ?? target.roles[0]!;
  if (request.kind === "trust") {
    const cognito = request.action === "sts:AssumeRoleWithWebIdentity" && request.asker === undefined;
    const [verdict] = cognito && engine.evaluateTrust ? await engine.evaluateTrust(target, [{ role, trustPolicy: role.trustPolicy!, context: request.context, deliberatelyAbsent: request.absent }]) : [];
    const simulator = verdict
      ? { decision: verdict.decision, decidedBy: verdict.decidedBy, problems: verdict.problems }
      : { decision: "ImplicitlyDenied" as const, decidedBy: [], problems: [cognito ? `the ${engine.name} engine cannot evaluate trust policies` : `the ${engine.name} engine does not replay ${request.action} by ${request.asker}`] };
    return {
      kind: "trust",
      request: `role ${role.group}: ${request.action}${request.asker ? ` as ${request.asker}` : ""} with ${contextWords(request.context, request.absent)}`,
      ...(request.asker ? { principal: request.asker } : {}),
      action: request.action,
      resourceArn: role.roleArn,
      context: request.context,
      absent: request.absent,
      prover,
      simulator,
      confirmed: simulator.problems.length === 0 && isAllowed(simulator.decision) === (prover === "allowed"),
    };
  }
  const [verdict] = await engine.evaluateS3(target, [
    { role, ...(request.callerId !== undefined ? { identityId: request.callerId } : {}), ...(request.foreign ? { foreign: request.foreign } : {}), action: request.action, resourceArn: request.resourceArn, context: request.context, deliberatelyAbsent: request.absent },
  ]);
  const intent = intendedDecision(target.intent, {
    action: request.action,
    target: request.key !== undefined ? { kind: "object", key: request.key } : { kind: "bucket" },
    callerId: request.callerId ?? "",
    readAllFolders: role.readAllFolders,
    secureTransport: request.context[TLS_KEY] === "true",
    ...(request.listPrefix !== undefined ? { listPrefix: request.listPrefix } : {}),
    ...(request.foreign ? { foreign: true } : {}),
  });
  const lists = (property === 2 || property === 7) && request.key === undefined;
  const revealed = lists ? areasOf(target, request.otherId).map((a) => revealedKey(a, request.listPrefix, request.delimiter)).find((r) => r !== undefined) : undefined;
  const simulator = { decision: verdict!.decision, decidedBy: verdict!.decidedBy, problems: verdict!.problems };
  const intentAgrees = intent.allow === (property === 3);
  const who = request.foreign ? request.foreign.label + (request.callerId ? ` (Cognito identity ${request.callerId} of another pool)` : "") : `identity ${request.callerId}`;
  return {
    kind: "s3",
    request:
      `${request.foreign ? "" : `role ${role.group}, `}${who}: ${request.action} on ${request.resourceArn} (${contextWords(request.context, request.absent)})` +
      (request.otherId ? `; other identity ${request.otherId}` : "") +
      (revealed ? `; returns ${revealed.as} ${quote(revealed.value)} from ${revealed.value.startsWith(areasOf(target, request.otherId)[0] ?? "\u0000") ? "the other identity's folder" : "a folder it must not list"}` : ""),
    ...(request.callerId !== undefined ? { callerId: request.callerId } : {}),
    ...(request.foreign ? { principal: request.foreign.label } : {}),
    ...(request.otherId ? { otherId: request.otherId } : {}),
    action: request.action,
    resourceArn: request.resourceArn,
    ...(revealed ? { revealed } : {}),
    context: request.context,
    absent: request.absent,
    prover,
    simulator,
    intent,
    confirmed: simulator.problems.length === 0 && isAllowed(simulator.decision) === (prover === "allowed") && intentAgrees && (!lists || revealed !== undefined),
  };
}
