/**
 * Every real input of the corpus, reviewed in its own form (template, plan, stack export, CLI
 * output) and as the plain policy files a reviewer would extract from it by hand: both forms give
 * the verdict the case's ground truth argues.
 */
import { runReviewCli as cli } from "../test-support/review-inputs";
import { templateCases } from "../test-support/template-cases";

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
});
