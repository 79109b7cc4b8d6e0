/**
 * Every real input of the corpus, reviewed in its own form (template, plan, stack export, CLI
 * output) and as the plain policy files a reviewer would extract from it by hand: both forms give
 * the verdict the case's ground truth argues.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { runReviewCli as cli } from "../test-support/review-inputs";
import { templateCases } from "../test-support/template-cases";

/** `--strict` and `--no-prove` come with issue 11's verdict model (review-interface.md): these run once the command has them. */
const hasVerdictModel = fs.readFileSync(path.join(__dirname, "..", "cli.ts"), "utf8").includes('"--strict"');
const withVerdictModel = hasVerdictModel ? it : it.skip;

describe.each(templateCases().map((c) => [c.name, c] as const))("fixture %s", (_name, c) => {
  it(`both forms exit ${c.expectedExit.default}: ${c.title}`, async () => {
    const template = await cli(...c.template);
    expect(template.stderr).toBe("");
    expect(template.code).toBe(c.expectedExit.default);
    for (const m of c.expectMentions) expect(template.stdout).toContain(m);
    const plain = await cli(...c.plain);
    expect(plain.stderr).toBe("");
    expect(plain.code).toBe(template.code);
  }, 60_000);

  withVerdictModel(`--strict exits ${c.expectedExit.strict} and --no-prove ${c.expectedExit.default}, in both forms (issue 11's interface)`, async () => {
    for (const args of [c.template, c.plain]) {
      expect((await cli(...args, "--strict")).code).toBe(c.expectedExit.strict);
      expect((await cli(...args, "--no-prove")).code).toBe(c.expectedExit.default);
    }
  }, 120_000);
});
