/**
 * Jest's Node environment, plus one object that outlives the test files a jest worker runs:
 * `globalThis[Symbol.for("process-wide")]`. Each test file gets a fresh module registry, so
 * without it every file that proves loads Z3 again and starts its threads (most of a second of
 * CPU each, some 25 files); review/prover/solver.ts keeps Z3's state there when it is offered,
 * and the files of one worker share one Z3. Each proof still runs in a Z3 context of its own,
 * deleted when it ends, so no test file sees another's formulas.
 */
const { TestEnvironment } = require("jest-environment-node");

const processWide = {};

class ProcessWideEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global[Symbol.for("process-wide")] = processWide;
  }
}

module.exports = ProcessWideEnvironment;
