/**
 * Jest's TypeScript transform: esbuild (already the Lambda bundler), which only strips types, as
 * ts-jest did here with isolatedModules — the type check is `npm run typecheck`, once per run.
 * Each worker of ts-jest loaded TypeScript and transpiled every file it required with it: 14 s of
 * CPU on a fresh clone (no transform cache), a tenth of the suite's; esbuild takes well under a
 * millisecond a file.
 *
 * tsconfig.json's compiler options go to esbuild, which reads those that change the emitted code
 * (target, useDefineForClassFields, strict's "use strict"), so tests run the code tsc would emit.
 * `import()` becomes `require`, as ts-jest's CommonJS output had it: jest runs test files as
 * CommonJS, and a real dynamic import needs its ESM loader (--experimental-vm-modules).
 * esbuild's CommonJS exports are getters, so a module's exports cannot be replaced with jest.spyOn;
 * jest.doMock replaces the whole module instead (synth/config-robustness.test.ts).
 */
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const esbuild = require("esbuild");
const jsonc = require("jsonc-parser");

const tsconfigPath = path.join(__dirname, "tsconfig.json");
const tsconfigText = fs.readFileSync(tsconfigPath, "utf8");
const options = {
  loader: "ts",
  format: "cjs",
  platform: "node",
  // tsconfig.json may hold comments and trailing commas, as tsc allows.
  tsconfigRaw: { compilerOptions: jsonc.parse(tsconfigText, [], { allowTrailingComma: true }).compilerOptions },
  sourcemap: "inline",
  supported: { "dynamic-import": false },
};
// What the output depends on besides the file: esbuild's version, these options and this file.
// (Jest caches the code after its coverage instrumentation under this key: getCacheKey adds whether
// it instruments, or a --coverage run after a plain one reads uninstrumented code and reports 0 %.)
const version = crypto
  .createHash("sha256")
  .update(esbuild.version)
  .update(JSON.stringify(options))
  .update(fs.readFileSync(__filename))
  .digest("hex");

module.exports = {
  process(source, filename) {
    const { code } = esbuild.transformSync(source, { ...options, sourcefile: filename });
    return { code };
  },
  getCacheKey(source, filename, { instrument }) {
    return crypto
      .createHash("sha256")
      .update(version)
      .update("\0")
      .update(instrument ? "instrument" : "")
      .update("\0")
      .update(filename)
      .update("\0")
      .update(source)
      .digest("hex");
  },
};
