/**
 * Runs jest with AsyncLocalStorage backed by AsyncContextFrame — Node's default from 24, a flag
 * on 22 (from 22.7). jest-circus makes an AsyncLocalStorage per test file and never disables it;
 * backed by async_hooks, each one taxes every promise of the test files after it (11 s of one
 * in-band run). Arguments go to jest.
 */
const { spawnSync } = require("node:child_process");

const [major, minor] = process.versions.node.split(".").map(Number);
// 22.7 to 23: the flag; 24 and later: the default (older versions have neither; package.json asks for 22).
const flags = (major === 22 && minor >= 7) || major === 23 ? ["--experimental-async-context-frame"] : [];
const run = spawnSync(process.execPath, [...flags, require.resolve("jest/bin/jest"), ...process.argv.slice(2)], { stdio: "inherit" });
process.exit(run.status ?? 1);
