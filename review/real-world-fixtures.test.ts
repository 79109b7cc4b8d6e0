/**
 * The real-world corpus is what it claims to be: every case names its source and what was
 * substituted, states a ground truth and both expected exits, and every document it names is
 * an IAM policy of the kind its flag says (parsed by the IAM core's one parser), with nothing
 * in the folder left unreviewed. The corpus holds both verdicts, and its README lists every case.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { IDENTITY_POOL_ID, isBucketName } from "../contract/aws-ids";
import { storagePrefixProblems } from "../contract/storage-prefix";
import { parseIamDocument, PolicyInputError } from "../iam/document";
import { caseDocuments, DOCUMENT_FLAGS, loadRealWorldCases, REAL_WORLD_DIR, resolvedArgs, type RealWorldCase } from "./test-support/real-world-cases";

const CASES = loadRealWorldCases();
const table = CASES.map((c) => [c.name, c] as const);

/** The value given to `flag` in a case's arguments. */
const flagValue = (c: RealWorldCase, flag: string) => {
  const i = c.args.indexOf(flag);
  return i < 0 ? undefined : c.args[i + 1];
};

describe("the real-world corpus", () => {
  it("holds at least 10 cases, with both verdicts among the default exits", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(10);
    expect(new Set(CASES.map((c) => c.expectedExit.default))).toEqual(new Set([0, 1]));
  });

  it("README.md lists every case folder", () => {
    const readme = fs.readFileSync(path.join(REAL_WORLD_DIR, "README.md"), "utf8");
    expect(CASES.filter((c) => !readme.includes(`\`${c.name}\``)).map((c) => c.name)).toEqual([]);
  });
});

describe.each(table)("real-world case %s", (_name, c) => {
  it("case.json names its source, ground truth and expected exits", () => {
    expect(c).toMatchObject({
      title: expect.stringMatching(/\S/),
      source: {
        repo: expect.stringMatching(/^[\w.-]+\/[\w.-]+$/),
        path: expect.stringMatching(/\S/),
        url: expect.stringMatching(new RegExp(`^https://github\\.com/${c.source.repo.replace(/[.]/g, "\\.")}/`)),
        note: expect.stringMatching(/\S/),
      },
      groundTruth: expect.stringMatching(/\S/),
    });
    if (c.source.commit !== undefined) expect(c.source.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(c.args.every((a) => typeof a === "string")).toBe(true);
    expect([0, 1]).toContain(c.expectedExit.default);
    // --strict only turns warnings into findings: it can never pass what the default run fails.
    expect(c.expectedExit.strict).toBeGreaterThanOrEqual(c.expectedExit.default);
    expect([0, 1]).toContain(c.expectedExit.strict);
    for (const m of c.expectMentions ?? []) expect(m).toMatch(/\S/);
  });

  it("states the design: a valid bucket, storage prefix (\"\" for the bucket root) and identity pool", () => {
    expect(isBucketName(flagValue(c, "--bucket") ?? "")).toBe(true);
    const prefix = flagValue(c, "--prefix");
    expect(prefix === "" ? [] : storagePrefixProblems(prefix ?? "(missing)")).toEqual([]);
    expect(flagValue(c, "--identity-pool-id")).toMatch(IDENTITY_POOL_ID);
  });

  it("every document it names parses as the kind of policy its flag says", () => {
    const docs = caseDocuments(c);
    expect(docs.filter((d) => d.use === "identity").length).toBeGreaterThan(0);
    for (const { file, use } of docs) {
      const parse = () => parseIamDocument(fs.readFileSync(path.join(c.dir, file), "utf8"), use, `${c.name}/${file}`);
      expect(parse).not.toThrow(PolicyInputError);
      expect(parse().Statement.length).toBeGreaterThan(0);
    }
  });

  it("the arguments given to the reviewer point every document flag at that file in the folder, and change nothing else", () => {
    const given = resolvedArgs(c);
    expect(given).toHaveLength(c.args.length);
    given.forEach((arg, i) => {
      const isDocument = i > 0 && DOCUMENT_FLAGS[c.args[i - 1]!] !== undefined;
      expect(arg).toBe(isDocument ? path.join(c.dir, c.args[i]!) : c.args[i]);
      if (isDocument) expect(fs.existsSync(arg)).toBe(true);
    });
  });

  it("every JSON file in the folder besides case.json is reviewed", () => {
    const named = new Set(caseDocuments(c).map((d) => d.file));
    const present = fs.readdirSync(c.dir).filter((f) => f.endsWith(".json") && f !== "case.json");
    expect(present.filter((f) => !named.has(f))).toEqual([]);
    expect([...named].filter((f) => !present.includes(f))).toEqual([]);
  });
});
