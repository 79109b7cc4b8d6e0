/**
 * `--format sarif` against the official SARIF 2.1.0 JSON schema (sarif-schema-2.1.0.json beside
 * this file, from the OASIS TC's repository), validated by ajv with formats: one result per
 * finding, rule ids from the documented list, located at the input file and line.
 */
import Ajv from "ajv";
import addFormats from "ajv-formats";
import * as fs from "node:fs";
import * as path from "node:path";
import { runReviewCli as cli } from "../test-support/review-inputs";
import { templateCases } from "../test-support/template-cases";
import { SARIF_RULES } from "./sarif";

const schema = JSON.parse(fs.readFileSync(path.join(__dirname, "sarif-schema-2.1.0.json"), "utf8")) as object;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(schema);

interface SarifLog {
  runs: { tool: { driver: { rules: { id: string }[] } }; results: { ruleId: string; level: string; locations?: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }[] }[] }[];
}

describe("--format sarif", () => {
  const seed = templateCases().find((c) => c.name === "cdk-seed")!;

  it("is valid SARIF 2.1.0, with one result per finding, each at its input file and line", async () => {
    const sarif = await cli(...seed.template, "--format", "sarif");
    const json = await cli(...seed.template, "--format", "json");
    expect(sarif.code).toBe(1);
    const log = JSON.parse(sarif.stdout) as SarifLog;
    expect(validate(log) ? [] : validate.errors).toEqual([]);
    // Findings (which fail the run) are errors; the verdict model's warnings (exit 0) are warnings.
    const report = JSON.parse(json.stdout) as { findings: { category: string }[]; warnings: { category: string }[] };
    const results = log.runs[0]!.results;
    expect(results.filter((r) => r.level === "error")).toHaveLength(report.findings.length);
    expect(results.filter((r) => r.level === "warning")).toHaveLength(report.warnings.length);
    expect(results).toHaveLength(report.findings.length + report.warnings.length);
    expect(results.every((r) => r.ruleId in SARIF_RULES)).toBe(true);
    const located = results.filter((r) => r.locations?.[0]?.physicalLocation.region);
    expect(located.length).toBeGreaterThan(results.length / 2);
    for (const r of located) expect(r.locations![0]!.physicalLocation.artifactLocation.uri).toBe("review/fixtures/templates/cdk-seed/cdk.out/zenn-nextjs-authjs-cognito-auth.template.json");
    // The Contains rule points at the role attachment's line.
    const text = fs.readFileSync(path.join(seed.dir, "cdk.out", "zenn-nextjs-authjs-cognito-auth.template.json"), "utf8").split("\n");
    const contains = results.filter((r) => r.ruleId === "inputs/role-mapping-rule");
    expect(contains).toHaveLength(2);
    expect(contains.every((r) => r.level === "error")).toBe(true);
    expect(text[contains[0]!.locations![0]!.physicalLocation.region!.startLine - 1]).toMatch(/"AuthorizationIdentityPoolDefaultRoleAttachment[0-9A-F]*": \{/);
    // Rules list exactly the rule ids the results use.
    expect(log.runs[0]!.tool.driver.rules.map((r) => r.id).sort()).toEqual([...new Set(results.map((r) => r.ruleId))].sort());
  });

  // A passing review may carry warnings (issue 11: exit 0), never an error. serverless-isolated
  // grants execute-api:Invoke beside its storage grants: a non-S3 grant, which is a warning.
  it("a passing review is valid SARIF with no error-level results, its warnings as warnings (control for the validator: a broken log is rejected)", async () => {
    const pass = await cli(...templateCases().find((c) => c.name === "serverless-isolated")!.template, "--format", "sarif");
    expect(pass.code).toBe(0);
    const log = JSON.parse(pass.stdout) as SarifLog;
    expect(validate(log)).toBe(true);
    expect(log.runs[0]!.results.filter((r) => r.level !== "warning")).toEqual([]);
    expect(log.runs[0]!.results.map((r) => r.ruleId)).toEqual(["isolation/non-s3-grant"]);
    expect(validate({ ...log, version: "2.0.0" })).toBe(false);
    expect(validate({ ...log, runs: [{ ...log.runs[0], results: [{ ruleId: "x", level: "fatal", message: { text: "m" } }] }] })).toBe(false);
  });

  it("every rule id is documented in review/README.md", () => {
    const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
    expect(Object.keys(SARIF_RULES).filter((id) => !readme.includes(`\`${id}\``))).toEqual([]);
  });
});
