/**
 * Values that are unknown during `pulumi preview`. The policy SDK hands every policy its props
 * through a proxy that throws `UnknownValueError` when a policy reads a value the engine does not
 * know yet (an identity pool id, a bucket ARN, a document built from them). Left alone, that one
 * throw ends the whole policy for this run: the SDK turns it into an advisory "can't run policy …
 * during preview" note and every other check of that policy is skipped.
 *
 * `PreviewDeferrals` keeps judging: each read that hits an unknown is recorded and skipped, every
 * check that can be judged from known values still runs (and still blocks at preview), and at the
 * end `settle()` rethrows one UnknownValueError naming everything that waited. The SDK reports it
 * through the same channel, as an advisory note (never a mandatory violation), so the preview
 * output says what will be judged at `pulumi up`, where every value is known.
 */
import * as policySdk from "@pulumi/policy";
import * as policyProxy from "@pulumi/policy/proxy";

interface UnknownValueErrorLike extends Error {
  /** The SDK's sentinel for the kind of value (string, array, object…) that was unknown. */
  unknownTypeSentinel: unknown;
  /** Property path, from the resource's props. */
  props: PropertyKey[];
}

type UnknownValueErrorClass = new (sentinel: unknown, props: PropertyKey[]) => UnknownValueErrorLike;

// @pulumi/policy 1.21 exports UnknownValueError and unknownCheckingProxy from its index at run time,
// but its proxy.d.ts declares nothing, so TypeScript sees them untyped: give them their real shape.
const sdk = policySdk as unknown as {
  UnknownValueError: UnknownValueErrorClass;
  unknownCheckingProxy: <T extends object>(props: T) => T;
};

/**
 * The engine's marker for a string that is unknown during preview: the SDK deserializes an unknown
 * as this string, and its proxy throws when a policy reads it. Tests use it to build preview props.
 */
export const UNKNOWN_STRING = (policyProxy as unknown as { unknownStringValue: string }).unknownStringValue;

export const UnknownValueError: UnknownValueErrorClass = sdk.UnknownValueError;
/** Wraps props the way the SDK's analyzer server does before it calls a policy. */
export const unknownCheckingProxy = sdk.unknownCheckingProxy;

export function isUnknownValueError(e: unknown): e is UnknownValueErrorLike {
  return e instanceof UnknownValueError;
}

export class PreviewDeferrals {
  private readonly notes: string[] = [];
  private sentinel: unknown;

  /**
   * Runs `read`. If it touches a value that is unknown during preview, records `what` (a phrase
   * naming the check and the resource) and returns undefined; any other error propagates.
   */
  known<T>(what: string, read: () => T): T | undefined {
    const result = this.read(what, read);
    return result.known ? result.value : undefined;
  }

  /** Like `known`, but tells an unknown value apart from an absent one. */
  read<T>(what: string, read: () => T): { known: true; value: T } | { known: false } {
    try {
      return { known: true, value: read() };
    } catch (e) {
      if (!isUnknownValueError(e)) throw e;
      this.sentinel = e.unknownTypeSentinel;
      this.notes.push(`${what} (${e.message})`);
      return { known: false };
    }
  }

  /**
   * The known elements of a list, each with its index. Elements are read one by one: iterating a
   * proxied list with its own methods would throw at the first unknown element and lose the rest.
   * Unknown elements are recorded as `element <i> of <what>`.
   */
  elements(what: string, list: unknown): { index: number; value: unknown }[] {
    if (!Array.isArray(list)) return [];
    const out: { index: number; value: unknown }[] = [];
    for (let i = 0; i < list.length; i++) {
      const element = this.read(`element ${i} of ${what}`, () => list[i] as unknown);
      if (element.known) out.push({ index: i, value: element.value });
    }
    return out;
  }

  /** Like `known`, but records nothing: for reads that have a fallback (e.g. a dependency link). */
  quietly<T>(read: () => T): T | undefined {
    try {
      return read();
    } catch (e) {
      if (!isUnknownValueError(e)) throw e;
      return undefined;
    }
  }

  /** Records a check that could not be judged now for a reason the caller phrases itself. */
  defer(what: string, sentinelFrom?: unknown): void {
    if (isUnknownValueError(sentinelFrom)) this.sentinel = sentinelFrom.unknownTypeSentinel;
    this.notes.push(what);
  }

  get pending(): readonly string[] {
    return this.notes;
  }

  /**
   * Call last. If anything was deferred, throws an UnknownValueError whose message lists it; the
   * SDK reports that as an advisory "can't run policy … during preview: …" note. Violations already
   * reported stay reported.
   */
  settle(): void {
    if (this.notes.length === 0) return;
    // The constructor needs one of the SDK's sentinels; every deferral came from a proxy read or
    // was recorded after one (a policy defers only what the proxy refused to give it).
    const error = new UnknownValueError(this.sentinel ?? UNKNOWN_STRING, []);
    error.message =
      `${this.notes.length} check(s) need values that exist only once resources are created; ` +
      `they are judged at \`pulumi up\`: ${this.notes.join("; ")}`;
    throw error;
  }
}
