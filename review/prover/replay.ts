/**
 * A counterexample is only as good as its replay: the concrete request goes through the local
 * simulator engine (a different evaluator from the prover's encoding) and through the intent
 * model, and the report shows all three verdicts.
 */
import { isAllowed, type PolicyEngine } from "../engines/engine";
import { intendedDecision } from "../intent";
import type { ReviewTarget, RoleUnderReview } from "../review-target";
import type { ConcreteRequest } from "./queries";
import { TLS_KEY } from "./requests";
import { listedAs } from "./s3-listing";
import type { Counterexample, PropertyNumber } from "./verdicts";

const quote = (s: string) => JSON.stringify(s);

function contextWords(context: Record<string, string | string[]>, absent: string[]): string {
  const set = Object.entries(context).map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.map(quote).join(", ")}]` : quote(v)}`);
  return [...set, ...absent.map((k) => `${k} absent`)].join(", ");
}

/** A key in `folder` that the listing returns (as itself or as a common prefix inside the folder). */
function revealedKey(folder: string, listPrefix: string | undefined, delimiter: string | undefined) {
  const candidates = [...(listPrefix?.startsWith(folder) ? [`${listPrefix}report.pdf`, listPrefix] : []), `${folder}report.pdf`, folder];
  for (const key of candidates) {
    const listed = listedAs(key, listPrefix, delimiter);
    if (listed && listed.value.startsWith(folder)) return { key, ...listed };
  }
  return undefined;
}

export async function replay(engine: PolicyEngine, target: ReviewTarget, role: RoleUnderReview, property: PropertyNumber, request: ConcreteRequest): Promise<Counterexample> {
  const prover = property === 3 ? "denied" : "allowed";
  if (request.kind === "trust") {
    const [verdict] = engine.evaluateTrust ? await engine.evaluateTrust(target, [{ role, trustPolicy: role.trustPolicy!, context: request.context, deliberatelyAbsent: request.absent }]) : [];
    const simulator = verdict ? { decision: verdict.decision, decidedBy: verdict.decidedBy, problems: verdict.problems } : { decision: "ImplicitlyDenied" as const, decidedBy: [], problems: [`the ${engine.name} engine cannot evaluate trust policies`] };
    return {
      kind: "trust",
      request: `role ${role.group}: sts:AssumeRoleWithWebIdentity with ${contextWords(request.context, request.absent)}`,
      action: "sts:AssumeRoleWithWebIdentity",
      resourceArn: role.roleArn,
      context: request.context,
      absent: request.absent,
      prover,
      simulator,
      confirmed: simulator.problems.length === 0 && isAllowed(simulator.decision) === (prover === "allowed"),
    };
  }
  const [verdict] = await engine.evaluateS3(target, [{ role, identityId: request.callerId, action: request.action, resourceArn: request.resourceArn, context: request.context, deliberatelyAbsent: request.absent }]);
  const intent = intendedDecision(target.prefix, {
    action: request.action,
    target: request.key !== undefined ? { kind: "object", key: request.key } : { kind: "bucket" },
    callerId: request.callerId,
    readAllFolders: role.readAllFolders,
    secureTransport: request.context[TLS_KEY] === "true",
    ...(request.listPrefix !== undefined ? { listPrefix: request.listPrefix } : {}),
  });
  const revealed = property === 2 && request.otherId ? revealedKey(`${target.prefix}/${request.otherId}/`, request.listPrefix, request.delimiter) : undefined;
  const simulator = { decision: verdict!.decision, decidedBy: verdict!.decidedBy, problems: verdict!.problems };
  const intentAgrees = intent.allow === (property === 3);
  return {
    kind: "s3",
    request:
      `role ${role.group}, identity ${request.callerId}: ${request.action} on ${request.resourceArn} (${contextWords(request.context, request.absent)})` +
      (request.otherId ? `; other identity ${request.otherId}` : "") +
      (revealed ? `; returns ${revealed.as} ${quote(revealed.value)} from the other identity's folder` : ""),
    callerId: request.callerId,
    ...(request.otherId ? { otherId: request.otherId } : {}),
    action: request.action,
    resourceArn: request.resourceArn,
    ...(revealed ? { revealed } : {}),
    context: request.context,
    absent: request.absent,
    prover,
    simulator,
    intent,
    confirmed: simulator.problems.length === 0 && isAllowed(simulator.decision) === (prover === "allowed") && intentAgrees && (property !== 2 || revealed !== undefined),
  };
}
