/**
 * When two requests are one simulation. The evaluator's answer depends only on what it is given:
 * the identity policies and the resource policy (after the identity id is substituted: their
 * text), the principal, the action, the resource, the context and which keys are absent on purpose.
 * Requests equal in all of these get the same verdict, so the local engine simulates each once
 * and shares the answer — the same request made with 25 roles whose policies say the same thing is
 * one simulation, not 25.
 *
 * Two details make that sound. Names: a verdict names the policy that decided; the evaluator is
 * given placeholder names (the policy's position), which each request maps back to its own. The
 * principal: a role's session differs from role to role, and the evaluator reads it only through a
 * resource policy's Principal/NotPrincipal (it derives no context key from it; both sessions are in
 * the bucket's account). So it is left out of the key only when every Principal and NotPrincipal
 * of the resource policy is `*` (or `{"AWS": "*"}`), which no session can tell apart; otherwise
 * the session ARN is part of the key.
 */
import type { IamDocument } from "../../iam/document";
import type { StatementRef, Verdict } from "./engine";

const everyone = (p: unknown) => p === "*" || (typeof p === "object" && p !== null && Object.keys(p).length === 1 && ([] as unknown[]).concat((p as Record<string, unknown>).AWS).every((v) => v === "*"));

const principalBlind = new WeakMap<IamDocument, boolean>();

/** The resource policy cannot tell one session of the account from another. */
export function blindToSessions(resourcePolicy: IamDocument | undefined): boolean {
  if (!resourcePolicy) return true;
  let blind = principalBlind.get(resourcePolicy);
  if (blind === undefined) {
    blind = resourcePolicy.Statement.every((s) => (s.Principal === undefined || everyone(s.Principal)) && (s.NotPrincipal === undefined || everyone(s.NotPrincipal)));
    principalBlind.set(resourcePolicy, blind);
  }
  return blind;
}

/** The placeholder the evaluator sees for the i-th identity policy, and for the resource policy. */
export const placeholder = (i: number) => `\u0000policy ${i}\u0000`;
export const RESOURCE_PLACEHOLDER = "\u0000resource policy\u0000";

/** The verdict with each placeholder replaced by the request's own policy names. */
export function renamed(verdict: Verdict, names: string[], resourcePolicyName: string): Verdict {
  // Nothing named (most denials): the shared verdict itself, which no one changes.
  if (verdict.decidedBy.length === 0 && verdict.problems.length === 0) return verdict;
  // NUL delimits the placeholders: no policy name contains it.
  // eslint-disable-next-line no-control-regex
  const name = (text: string) => text.replace(/\u0000policy (\d+)\u0000/g, (_, i: string) => names[Number(i)] ?? text).split(RESOURCE_PLACEHOLDER).join(resourcePolicyName);
  return {
    decision: verdict.decision,
    decidedBy: verdict.decidedBy.map((r): StatementRef => ({ ...r, policy: name(r.policy) })),
    problems: verdict.problems.map(name),
  };
}

/** One simulation per key, for as long as the store lives (one per process by default: local-engine.ts). */
export class SharedSimulations {
  /** By who asks with which documents (the key's first part), then by the request's own text. */
  private readonly verdicts = new Map<string, Map<string, Promise<Verdict>>>();
  private readonly ids = new WeakMap<IamDocument, number>();
  private readonly idsByText = new Map<string, number>();

  /**
   * A number per distinct document text: equal texts, equal numbers. Worked out once per document
   * object (the substitution cache hands out one object per document and identity id).
   */
  documentId(document: IamDocument): number {
    let id = this.ids.get(document);
    if (id === undefined) {
      const text = JSON.stringify(document);
      id = this.idsByText.get(text);
      if (id === undefined) this.idsByText.set(text, (id = this.idsByText.size));
      this.ids.set(document, id);
    }
    return id;
  }
  /** Distinct simulations run (the rest were shared). */
  runs = 0;

  /**
   * The verdict for the key `asker` + `request`, run once. Two maps rather than one joined key:
   * both texts are made once and reused across requests (scenarios.ts, the engine's per-pair
   * preparation), so their hashes are computed once too.
   */
  get(asker: string, request: string, run: () => Promise<Verdict>): Promise<Verdict> {
    let byRequest = this.verdicts.get(asker);
    if (!byRequest) this.verdicts.set(asker, (byRequest = new Map()));
    let verdict = byRequest.get(request);
    if (!verdict) {
      this.runs += 1;
      byRequest.set(request, (verdict = run()));
    }
    return verdict;
  }
}
