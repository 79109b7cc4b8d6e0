/**
 * How a query ends when it cannot be decided: the resource limit (work counted by Z3) and the
 * wall-clock safety net (a timer that interrupts the check) each give `unknown` with their own
 * reason — never a hang, never a pass — and the context answers the next query as before.
 */
import * as v8 from "node:v8";
import * as vm from "node:vm";
import { MAIN_THREAD_RLIMIT, setSafetyTimeout, solve, withContext, SAFETY_TIMEOUT_MS, type Z3 } from "./solver";

/** x³ + y³ = w³ over positive integers: no solution (Fermat, n = 3), which Z3's arithmetic does not find out. */
const fermatCubes = (z: Z3) => {
  const [x, y, w] = [z.Int.const("x"), z.Int.const("y"), z.Int.const("w")];
  return [x.gt(0), y.gt(0), w.gt(0), x.mul(x).mul(x).add(y.mul(y).mul(y)).eq(w.mul(w).mul(w))];
};
/** The control: the same shape of query with a solution (1³ + 2³ = 9). */
const solvable = (z: Z3) => {
  const [x, y] = [z.Int.const("x"), z.Int.const("y")];
  return [x.gt(0), y.gt(0), x.mul(x).mul(x).add(y.mul(y).mul(y)).eq(z.Int.val(9))];
};

afterEach(() => setSafetyTimeout(SAFETY_TIMEOUT_MS));

it("the wall-clock safety net interrupts a check that would run on, and the context answers the next query", async () => {
  setSafetyTimeout(300);
  await withContext(async (z) => {
    const started = performance.now();
    const stopped = await solve(z, fermatCubes(z), 1_000_000_000);
    expect(stopped).toEqual({ status: "unknown", reason: "wall-clock safety net of 300 ms reached" });
    expect(performance.now() - started).toBeLessThan(5_000);
    // Control: a query with a solution, under the same net, in the same context.
    expect((await solve(z, solvable(z), 1_000_000_000)).status).toBe("sat");
  });
});

it("overlapping proofs: each check gets the whole safety net for itself, and the net stops each one", async () => {
  setSafetyTimeout(300);
  const started = performance.now();
  // 20 million units: about ten seconds of this check alone, so only the net ends it this soon.
  // Two different queries (x > 0, x > 1 added), or the second would get the first's answer.
  const stoppedAt = (n: number) =>
    withContext(async (z) => {
      expect(await solve(z, [...fermatCubes(z), z.Int.const("x").gt(n)], 20_000_000)).toEqual({ status: "unknown", reason: "wall-clock safety net of 300 ms reached" });
      return performance.now() - started;
    });
  const [first, second] = await Promise.all([stoppedAt(0), stoppedAt(1)]);
  expect(Math.min(first, second)).toBeGreaterThanOrEqual(300);
  // The second waited for the first: its net ran from its own start, not while it waited.
  expect(Math.max(first, second)).toBeLessThan(4_000);
});

it("the resource limit stops the same check first when it is the smaller bound", async () => {
  await withContext(async (z) => {
    expect(await solve(z, fermatCubes(z), 50_000)).toEqual({ status: "unknown", reason: "resource limit of 50000 reached" });
    expect((await solve(z, solvable(z), 50_000)).status).toBe("sat");
  });
});

it("a check gets the same answer on the calling thread (a small budget) as on Z3's thread (a large one)", async () => {
  await withContext(async (z) => {
    const x = z.String.const("x");
    const queries = [
      { expected: "sat", assertions: [x.length().eq(46), z.String.val("a/").concat(x).concat(z.String.val("/k")).eq(z.String.val("a/").concat(z.String.const("y")))] },
      { expected: "unsat", assertions: [x.length().eq(3), x.concat(z.String.val("b")).eq(z.String.val("ab"))] },
      { expected: "unsat", assertions: solvable(z).concat([z.Int.const("x").gt(2)]) },
    ];
    for (const { expected, assertions } of queries) {
      expect((await solve(z, assertions, MAIN_THREAD_RLIMIT)).status).toBe(expected);
      expect((await solve(z, assertions, MAIN_THREAD_RLIMIT + 1)).status).toBe(expected);
    }
  });
});

it("a query asked again gets its first answer, and a different query never does, even when Z3 reuses a freed term's id", async () => {
  // Z3 gives a freed term's id to the next new term; garbage collection frees the terms of
  // queries nobody holds any more, so here it is forced (node's gc, exposed for this test).
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc") as () => void;
  await withContext(async (z) => {
    const x = z.Int.const("x");
    const three = x.eq(3);
    const ask = async (bound: number) => (await solve(z, [three, x.gt(bound)], 1000)).status;
    // Control: the cache answers a repeated query (same terms, same ids) with its first answer.
    const again = x.gt(10);
    expect((await solve(z, [three, again], 1000)).status).toBe("unsat");
    expect((await solve(z, [three, again], 1000)).status).toBe("unsat");
    for (let bound = 10; bound < 100; bound++) expect(await ask(bound)).toBe("unsat");
    for (let round = 0; round < 5; round++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // Each is satisfiable (x = 3); without the cache holding its terms, Z3 gave most of them the id
    // of a freed `x > bound` above, and the cache answered unsat.
    for (let bound = -100; bound < -10; bound++) expect((await solve(z, [three, x.gt(bound)], 1000)).status).toBe("sat");
  });
});
