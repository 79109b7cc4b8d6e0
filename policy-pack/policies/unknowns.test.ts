import { isUnknownValueError, PreviewDeferrals, UNKNOWN_STRING, unknownCheckingProxy } from "./unknowns";

describe("preview unknowns", () => {
  const props = () => unknownCheckingProxy({ known: "x", pending: UNKNOWN_STRING, nested: { arn: UNKNOWN_STRING } } as Record<string, unknown>);

  it("uses the SDK's own sentinel: its proxy throws UnknownValueError on reading it, with the property path", () => {
    const p = props();
    expect(p.known).toBe("x");
    let caught: unknown;
    try {
      void (p.nested as Record<string, unknown>).arn;
    } catch (e) {
      caught = e;
    }
    expect(isUnknownValueError(caught)).toBe(true);
    expect((caught as Error).message).toBe("string value at .nested.arn can't be known during preview");
  });

  it("keeps judging after an unknown, then rethrows one UnknownValueError listing what waited", () => {
    const p = props();
    const deferrals = new PreviewDeferrals();
    expect(deferrals.known("the known value", () => p.known)).toBe("x");
    expect(deferrals.known("the trust policy of role r", () => p.pending)).toBeUndefined();
    expect(deferrals.read("the bucket ARN", () => (p.nested as Record<string, unknown>).arn)).toEqual({ known: false });
    expect(deferrals.quietly(() => p.pending)).toBeUndefined(); // a fallback read records nothing
    expect(deferrals.pending).toHaveLength(2);

    let settled: unknown;
    try {
      deferrals.settle();
    } catch (e) {
      settled = e;
    }
    expect(isUnknownValueError(settled)).toBe(true);
    expect((settled as Error).message).toBe(
      "2 check(s) need values that exist only once resources are created; they are judged at `pulumi up`: " +
        "the trust policy of role r (string value at .pending can't be known during preview); " +
        "the bucket ARN (string value at .nested.arn can't be known during preview)",
    );
  });

  it("settles quietly when everything was known, and lets other errors through", () => {
    const deferrals = new PreviewDeferrals();
    expect(deferrals.read("absent", () => undefined)).toEqual({ known: true, value: undefined });
    expect(() => deferrals.settle()).not.toThrow();
    expect(() => deferrals.known("boom", () => {
      throw new TypeError("boom");
    })).toThrow(TypeError);
  });
});
