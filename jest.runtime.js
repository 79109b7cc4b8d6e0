/**
 * Jest's module runtime, except that the offline evaluator's packages (@cloud-copilot/*:
 * iam-simulate and the iam-policy, iam-utils and iam-data it loads) are loaded once per jest
 * worker, not once per test file — as Z3 is (jest.environment.js). Every test file gets a fresh
 * module registry, so each one that reviews loaded the evaluator again and ran it cold: its
 * reference data read and parsed again, its code compiled and optimised again, the resource-type
 * memo empty again. Measured over the suite: some 12 s of CPU, a tenth of it.
 *
 * Sound for these packages because they keep no state that a test file could leave behind for
 * the next: their caches (reference data, the resource-type memo) are pure functions of their
 * inputs, and they load every module they use when first required (no require() later, which
 * would reach a torn-down test file's registry). No test may mock them or what they load
 * (fs/promises): the first file to load them would bind them to its mock for the worker's life
 * (project-files.test.ts checks).
 * Their objects come from the first test file's realm: code that receives them must not test them
 * with `instanceof` a built-in class (none does). Everything else, this project's own code
 * included, is loaded per test file as usual. If jest's internals change (jest is pinned exactly),
 * nothing is shared, and resource-type-memo.test.ts, which checks that a second copy of the memo
 * finds the evaluator already memoised, fails.
 */
const Runtime = require("jest-runtime").default;

const SHARED_PACKAGES = /[\\/]node_modules[\\/]@cloud-copilot[\\/]/;

/** Module path → exports, for the life of the worker (this file is loaded once per worker). */
const shared = new Map();

class SharedEvaluatorRuntime extends Runtime {
  requireModule(from, moduleName, options, isRequireActual = false) {
    const resolution = this.cjsLoader?.resolution;
    if (!moduleName || options?.isInternalModule || typeof resolution?.resolveCjs !== "function" || resolution.isCoreModule(moduleName)) {
      return super.requireModule(from, moduleName, options, isRequireActual);
    }
    const modulePath = resolution.resolveCjs(from, moduleName);
    if (!SHARED_PACKAGES.test(modulePath)) return super.requireModule(from, moduleName, options, isRequireActual);
    if (shared.has(modulePath)) return shared.get(modulePath);
    const exports = super.requireModule(from, moduleName, options, isRequireActual);
    shared.set(modulePath, exports);
    return exports;
  }
}

module.exports = SharedEvaluatorRuntime;
