/**
 * Planning simulator calls: the policy text we send (one statement per line, so a matched
 * statement's position names it), and requests grouped into calls that share everything but
 * their action × resource grid.
 */
import type { ContextEntry } from "@aws-sdk/client-iam";
import type { IamDocument } from "../../../iam/document";
import type { S3Request } from "../engine";

/** A policy as sent: MatchedStatements point into `text` by line and column. */
export interface SentPolicy {
  name: string;
  document: IamDocument;
  text: string;
  /** 1-based line on which each statement starts. */
  statementLines: number[];
}

/**
 * Serializes a document with each statement on a line of its own (statement n on line n + 2),
 * so a MatchedStatements StartPosition.Line identifies the statement whatever base the column uses.
 */
export function serializePolicy(name: string, document: IamDocument): SentPolicy {
  const head = JSON.stringify({ ...(document.Version ? { Version: document.Version } : {}), ...(document.Id ? { Id: document.Id } : {}) });
  const open = `${head.slice(0, -1)}${head.length > 2 ? "," : ""}"Statement":[`;
  const lines = document.Statement.map((s, i) => JSON.stringify(s) + (i < document.Statement.length - 1 ? "," : ""));
  return { name, document, text: [open, ...lines, "]}"].join("\n"), statementLines: document.Statement.map((_, i) => i + 2) };
}



export interface PlannedCall {
  api: "SimulatePrincipalPolicy" | "SimulateCustomPolicy";
  /** SimulatePrincipalPolicy: the deployed role. */
  policySourceArn?: string;
  /** SimulateCustomPolicy: PolicyInputList, in order (`PolicyInputList.1` is the first). */
  policyInputs: SentPolicy[];
  /** Reachability: PolicyInputList is one `Allow` of exactly this call's actions on its resources. */
  permissiveControl?: boolean;
  resourcePolicy?: { policy: SentPolicy; owner: string; callerArn: string };
  contextEntries: ContextEntry[];
  actions: string[];
  resources: string[];
  /** pair key → indexes of the requests it answers. */
  pairs: Map<string, number[]>;
  /** Problems every verdict of this call carries. */
  problems: string[];
}

/** What MatchedStatements' SourcePolicyId values refer to in this call. */
export function sentPolicies(call: PlannedCall): Map<string, SentPolicy> {
  const sent = new Map<string, SentPolicy>(call.policyInputs.map((p, i) => [`PolicyInputList.${i + 1}`, p]));
  if (call.resourcePolicy) sent.set("ResourcePolicy", call.resourcePolicy.policy);
  return sent;
}

/** The permissive control policy for a reachability call. */
export function controlPolicy(actions: string[], resources: string[]): SentPolicy {
  return serializePolicy("control policy (Allow action on resource)", {
    Version: "2012-10-17",
    Statement: [{ Sid: "ReachabilityControl", Effect: "Allow", Action: actions.length === 1 ? actions[0]! : actions, Resource: resources.length === 1 ? resources[0]! : resources }],
  });
}

export const pairKey = (action: string, resource: string) => `${action.toLowerCase()}\u0000${resource}`;
export const describePair = (key: string) => key.replace("\u0000", " on ");

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

type CallShape = Omit<PlannedCall, "actions" | "resources" | "pairs">;

export interface CallGroup {
  /** Everything the calls of one group share, e.g. role, identity id, context and bucket policy. */
  key: string;
  /** Builds a fresh shape per call (calls must not share their problem lists). */
  shape: () => CallShape;
}

/**
 * Groups requests by everything a call shares (the call shape's key), then, inside a group,
 * gathers resources that ask for the same set of actions, so each call's action × resource grid
 * holds only pairs some request asked about.
 */
export function planCalls(
  requests: S3Request[],
  shapeOf: (r: S3Request) => CallGroup,
  limits: { maxActions: number; maxResources: number },
): PlannedCall[] {
  const groups = new Map<string, { shape: () => CallShape; byResource: Map<string, Map<string, number[]>> }>();
  requests.forEach((r, index) => {
    const { key, shape } = shapeOf(r);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { shape, byResource: new Map() }));
    let actions = group.byResource.get(r.resourceArn);
    if (!actions) group.byResource.set(r.resourceArn, (actions = new Map()));
    const action = r.action.toLowerCase();
    actions.set(action, [...(actions.get(action) ?? []), index]);
  });
  const calls: PlannedCall[] = [];
  for (const group of groups.values()) {
    const bySignature = new Map<string, string[]>();
    for (const [resource, actions] of group.byResource) {
      const signature = [...actions.keys()].sort().join(" ");
      bySignature.set(signature, [...(bySignature.get(signature) ?? []), resource]);
    }
    for (const [signature, resources] of bySignature) {
      for (const actionChunk of chunk(signature.split(" "), limits.maxActions)) {
        for (const resourceChunk of chunk(resources, limits.maxResources)) {
          const pairs = new Map<string, number[]>();
          // Send the action names as the requests spelled them.
          const spelled = actionChunk.map((a) => requests[group.byResource.get(resourceChunk[0]!)!.get(a)![0]!]!.action);
          for (const resource of resourceChunk) {
            for (const action of actionChunk) pairs.set(pairKey(action, resource), group.byResource.get(resource)!.get(action)!);
          }
          const shape = group.shape();
          const policyInputs = shape.permissiveControl ? [controlPolicy(spelled, resourceChunk)] : shape.policyInputs;
          calls.push({ ...shape, policyInputs, actions: spelled, resources: resourceChunk, pairs });
        }
      }
    }
  }
  return calls;
}
