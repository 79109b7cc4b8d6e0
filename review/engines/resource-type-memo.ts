/**
 * iam-simulate's validated mode works out the resource type of every request twice (once to
 * validate the request, once for the context keys it accepts): iam-utils intersects the resource
 * string with every resource-type pattern of the action, character by character, which was 85 %
 * of a simulation's time (about 0.5 ms a call). The answer is a pure function of the service, the
 * action and the resource string over iam-data's static reference data, so it is memoised here
 * by exactly those three arguments: no answer changes, each distinct (action, resource) is
 * worked out once.
 *
 * The function is internal to iam-simulate (0.1.173, pinned exactly): the memo wraps the export
 * its other modules call through, and if a release moves it the memo is simply not installed
 * (`installed` is false, which a test checks, so the slowdown is noticed). Upstream, the engine
 * could memoise it itself or accept a precomputed resource type; see review/engines/README.md.
 */
import * as path from "node:path";

type ResourceTypesFn = (service: string, action: string, resource: string) => Promise<unknown[]>;

/** Distinct (service, action, resource) answers kept at most; the memo starts over beyond it. */
const MAX_ENTRIES = 20_000;
const memo = new Map<string, Promise<unknown[]>>();
export const memoStats = { hits: 0, misses: 0, installed: false };

function install(): void {
  let internal: { getResourceTypesForAction?: ResourceTypesFn };
  try {
    const entry = require.resolve("@cloud-copilot/iam-simulate");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    internal = require(path.join(path.dirname(entry), "simulation_engine", "resourceTypes.js")) as typeof internal;
  } catch {
    return;
  }
  const original = internal.getResourceTypesForAction;
  if (typeof original !== "function" || (original as { memoised?: boolean }).memoised) {
    memoStats.installed = typeof original === "function";
    return;
  }
  const memoised: ResourceTypesFn & { memoised?: boolean } = (service, action, resource) => {
    const key = `${service}\u0000${action}\u0000${resource}`;
    let hit = memo.get(key);
    if (hit) {
      memoStats.hits += 1;
      return hit;
    }
    memoStats.misses += 1;
    if (memo.size >= MAX_ENTRIES) memo.clear();
    hit = original(service, action, resource);
    // A failed lookup is not kept: the next call fails (or succeeds) on its own.
    hit.catch(() => memo.delete(key));
    memo.set(key, hit);
    return hit;
  };
  memoised.memoised = true;
  try {
    internal.getResourceTypesForAction = memoised;
    memoStats.installed = internal.getResourceTypesForAction === memoised;
  } catch {
    memoStats.installed = false;
  }
}

install();
