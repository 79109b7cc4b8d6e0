/**
 * The template corpus's test (review/fixtures/templates/), shared by the two files that split it
 * so that jest's two workers share the work: every real input reviewed in its own form (template,
 * plan, stack export, CLI output) and as the plain policy files a reviewer would extract from it by
 * hand; both forms give the verdict the case's ground truth argues, by default, with `--strict`
 * and with `--no-prove`.
 */
import { runReviewCli as cli } from "./review-inputs";
import { templateCases } from "./template-cases";

/** The cases whose names `pick` accepts; fails when it accepts none (a split that lost its cases). */
export function describeTemplateCases(pick: (name: string) => boolean): void {
  const cases = templateCases().filter((c) => pick(c.name));
  if (cases.length === 0) throw new Error("no template case selected");
  describe.each(cases.map((c) => [c.name, c] as const))("fixture %s", (_name, c) => {
    it(`both forms exit ${c.expectedExit.default}: ${c.title}`, async () => {
      const template = await cli(...c.template);
      expect(template.stderr).toBe("");
      expect(template.code).toBe(c.expectedExit.default);
      for (const m of c.expectMentions) expect(template.stdout).toContain(m);
      const plain = await cli(...c.plain);
      expect(plain.stderr).toBe("");
      expect(plain.code).toBe(template.code);
    }, 60_000);

    it(`--strict exits ${c.expectedExit.strict} and --no-prove ${c.expectedExit.default}, in both forms`, async () => {
      for (const args of [c.template, c.plain]) {
        expect((await cli(...args, "--strict")).code).toBe(c.expectedExit.strict);
        expect((await cli(...args, "--no-prove")).code).toBe(c.expectedExit.default);
      }
    }, 120_000);
  });
}

/** Terraform plans and Pulumi stack exports go to one file; CloudFormation, CDK and AWS CLI output to the other. */
export const isTerraformOrPulumiCase = (name: string) => /^(terraform|pulumi)-/.test(name);
