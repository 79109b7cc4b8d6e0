/**
 * Jest runs the slowest suites first when it remembers their durations (its cache), and otherwise
 * the largest files first. A fresh CI clone has no cache, and the suites that review whole corpora
 * (real-world, templates, adversarial) are small files that run for tens of seconds: ordered by
 * size they would start last and leave one worker busy while the other idles. Without a cache,
 * they go first; with one, jest's own order stands.
 */
const Sequencer = require("@jest/test-sequencer").default;

const SLOW_SUITES = /(real-world|template-fixtures|adversarial|broken-policies|cli-prove|differential|prove|sarif|provider-schema|analyzer-smoke)[^/]*\.test\.ts$/;

class SlowSuitesFirst extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    if (sorted.some((t) => t.duration !== undefined)) return sorted;
    return [...sorted.filter((t) => SLOW_SUITES.test(t.path)), ...sorted.filter((t) => !SLOW_SUITES.test(t.path))];
  }
}

module.exports = SlowSuitesFirst;
