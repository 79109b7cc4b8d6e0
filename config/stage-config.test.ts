import { readProjectFile, stackConfig } from "../synth/project-config";
import { loadStageConfig, STAGE_CONFIG_KEYS, StageConfigError, type ConfigProblem } from "./stage-config";

const NS = "identity-scoped-storage";

/** The dev stack's raw config with some keys replaced (JSON-encoded like the CLI does). */
function devWith(overrides: Record<string, unknown>): Record<string, string> {
  return stackConfig("dev", overrides);
}

function problemsOf(raw: Record<string, string>, stack = "dev"): ConfigProblem[] {
  try {
    loadStageConfig(raw, stack);
  } catch (e) {
    if (e instanceof StageConfigError) return e.problems;
    throw e;
  }
  throw new Error("expected the config to be refused");
}

describe("loadStageConfig", () => {
  it("accepts the dev stack and types every value", () => {
    const config = loadStageConfig(devWith({}), "dev");
    expect(config).toMatchObject({
      stack: "dev",
      region: "ap-northeast-1",
      prefix: "private",
      groups: [
        { name: "admin", precedence: 0, readAllFolders: false },
        { name: "user", precedence: 100, readAllFolders: false },
      ],
      roleMapping: "Token",
      allowSelfSignUp: false,
      deletionProtection: false,
      idTokenValidityMinutes: 60,
      encryption: "S3",
    });
  });

  describe.each([
    ["empty", "", /is empty/],
    ["leading slash", "/private", /starts with '\/'/],
    ["trailing slash", "private/", /ends with '\/'/],
    ["traversal", "private/../x", /'\.\.' segment/],
    ["wildcard", "priv*", /'\*'/],
    ["single-char wildcard", "priv?te", /'\?'/],
    ["policy variable", "private/${aws:username}", /'\$'/],
    ["brace", "private{", /'\{'/],
    ["empty segment", "a//b", /empty segment/],
  ])("prefix: %s", (_label, prefix, why) => {
    it("is refused with one message naming the key and what is allowed", () => {
      const problems = problemsOf(devWith({ prefix }));
      expect(problems).toHaveLength(1);
      expect(problems[0]!.key).toBe(`${NS}:prefix`);
      expect(problems[0]!.message).toMatch(why);
      expect(problems[0]!.message).toMatch(/Allowed: /);
    });
  });

  it.each([
    ["presignedUrlMaxSeconds", 59, /out of range; allowed: 60 to 3600/],
    ["presignedUrlMaxSeconds", 3601, /out of range; allowed: 60 to 3600/],
    ["credentialsCacheSeconds", -1, /out of range; allowed: 0 to 3600/],
    ["credentialsCacheSeconds", "5m", /not an integer; allowed: 0 to 3600/],
    ["filesApiTimeoutSeconds", 30, /out of range; allowed: 3 to 29/],
    ["filesApiTimeoutSeconds", 2, /out of range; allowed: 3 to 29/],
  ])("refuses %s = %j, naming the key and the range", (key, value, why) => {
    expect(problemsOf(devWith({ [key]: value }))).toEqual([{ key: `${NS}:${key}`, message: expect.stringMatching(why) }]);
  });

  it("takes the URL, credentials and timeout bounds from the defaults: 900 s, 300 s, 10 s", () => {
    expect(loadStageConfig(devWith({}), "dev")).toMatchObject({ presignedUrlMaxSeconds: 900, credentialsCacheSeconds: 300, filesApiTimeoutSeconds: 10 });
  });

  it("refuses an empty group list", () => {
    expect(problemsOf(devWith({ groups: [] }))).toEqual([{ key: `${NS}:groups`, message: expect.stringMatching(/at least one group/) }]);
  });

  it("refuses duplicate group names, case-insensitively, naming the entry", () => {
    const problems = problemsOf(devWith({ groups: [{ name: "user", precedence: 1 }, { name: "User", precedence: 2 }] }));
    expect(problems).toEqual([{ key: `${NS}:groups[1].name`, message: expect.stringMatching(/duplicate group name "User".*\[0\]/) }]);
  });

  it("refuses duplicate precedences (a user in both groups would get no role)", () => {
    const problems = problemsOf(devWith({ groups: [{ name: "admin", precedence: 5 }, { name: "user", precedence: 5 }] }));
    expect(problems).toEqual([{ key: `${NS}:groups[1].precedence`, message: expect.stringMatching(/duplicate precedence 5/) }]);
  });

  it("refuses an unknown key inside a group, listing the allowed keys", () => {
    const problems = problemsOf(devWith({ groups: [{ name: "user", precedance: 1 }] }));
    expect(problems).toEqual([
      { key: `${NS}:groups[0]`, message: expect.stringMatching(/unknown key "precedance"; allowed keys: name, precedence, description, readAllFolders/) },
    ]);
  });

  it.each([
    [{ name: "user" }, "[0].precedence"],
    [{ name: "user", precedence: -1 }, "[0].precedence"],
    [{ name: "user", precedence: 1.5 }, "[0].precedence"],
    [{ name: "us er", precedence: 1 }, "[0].name"],
    [{ name: "user", precedence: 1, readAllFolders: "yes" }, "[0].readAllFolders"],
    ["user", "[0]"],
  ])("refuses group %j at %s", (group, path) => {
    expect(problemsOf(devWith({ groups: [group] })).map((p) => p.key)).toEqual([`${NS}:groups${path}`]);
  });

  it("refuses groups that are not JSON", () => {
    expect(problemsOf({ ...devWith({}), [`${NS}:groups`]: "admin,user" })[0]!.message).toMatch(/not valid a JSON array of groups/);
  });

  it.each([
    ["http://files.example.com/cb", /not https/],
    ["ftp://localhost/cb", /not https/],
    ["not a url", /not a URL/],
    ["https://files.example.com/cb#x", /fragment/],
  ])("refuses callback URL %j", (url, why) => {
    const problems = problemsOf(devWith({ callbackUrls: ["https://ok.example.com/cb", url] }));
    expect(problems).toEqual([{ key: `${NS}:callbackUrls[1]`, message: expect.stringMatching(why) }]);
  });

  it.each(["http://localhost:3000/cb", "http://127.0.0.1:8080/cb", "https://files.example.com/cb"])("accepts callback URL %j", (url) => {
    expect(loadStageConfig(devWith({ callbackUrls: [url], logoutUrls: [url] }), "dev").callbackUrls).toEqual([url]);
  });

  it("refuses an unknown key in the project namespace (a typo would otherwise be ignored)", () => {
    const problems = problemsOf({ ...devWith({}), [`${NS}:prefx`]: "x" });
    expect(problems).toEqual([{ key: `${NS}:prefx`, message: expect.stringMatching(/unknown key; known keys: prefix, groups/) }]);
  });

  it("reports every bad key at once, and a missing region", () => {
    const problems = problemsOf(devWith({ prefix: "/x", mfa: "SOMETIMES", idTokenValidityMinutes: 2, "aws:region": undefined }));
    expect(problems.map((p) => p.key).sort()).toEqual(["aws:region", `${NS}:idTokenValidityMinutes`, `${NS}:mfa`, `${NS}:prefix`]);
    expect(problems.find((p) => p.key === `${NS}:mfa`)!.message).toMatch(/use one of "OFF", "OPTIONAL", "ON"/);
    expect(problems.find((p) => p.key === `${NS}:idTokenValidityMinutes`)!.message).toMatch(/allowed: 5 to 1440/);
  });

  it("names a missing key instead of falling back to a hidden default", () => {
    expect(problemsOf(devWith({ encryption: undefined }))).toEqual([{ key: `${NS}:encryption`, message: expect.stringMatching(/is not set/) }]);
  });

  it("says nothing was created in its message: one problem on one line, several on a line each", () => {
    expect(() => loadStageConfig(devWith({ prefix: "" }), "dev")).toThrow(/^Invalid configuration for stack 'dev' \(nothing was created\): identity-scoped-storage:prefix: "" is empty[^\n]*$/);
    expect(() => loadStageConfig(devWith({ prefix: "", mfa: "NO" }), "dev")).toThrow(/\(nothing was created\):\n {2}- identity-scoped-storage:prefix: "" is empty.*\n {2}- identity-scoped-storage:mfa: /);
  });
});

describe("Pulumi.yaml", () => {
  const project = readProjectFile();

  it("declares exactly the keys the loader reads, each with a description and a default", () => {
    expect(project.name).toBe(NS);
    expect(Object.keys(project.config).sort()).toEqual(Object.keys(STAGE_CONFIG_KEYS).sort());
    for (const [key, decl] of Object.entries(project.config)) {
      expect({ key, description: typeof decl.description }).toEqual({ key, description: "string" });
      expect({ key, hasDefault: decl.default !== undefined }).toEqual({ key, hasDefault: true });
    }
  });

  it("types every key Pulumi can type, the same way the loader does", () => {
    for (const [key, spec] of Object.entries(STAGE_CONFIG_KEYS)) {
      const declared = project.config[key]!;
      if (spec.type === "object-array") {
        // Pulumi.yaml cannot type objects (pulumi/pulumi#11321); the loader types this key.
        expect({ key, type: declared.type }).toEqual({ key, type: undefined });
      } else {
        expect({ key, type: declared.type }).toEqual({ key, type: spec.type });
      }
      if (declared.type === "array") expect(declared.items).toEqual({ type: "string" });
    }
  });

  it("has defaults that are a valid stage on their own (given a region)", () => {
    const fromProject: Record<string, string> = { "aws:region": "eu-west-1" };
    for (const [key, decl] of Object.entries(project.config)) {
      fromProject[`${NS}:${key}`] = typeof decl.default === "string" ? decl.default : JSON.stringify(decl.default);
    }
    const config = loadStageConfig(fromProject, "prod");
    expect(config.deletionProtection).toBe(true);
    expect(config.groups.map((g) => [g.name, g.precedence])).toEqual([["admin", 0], ["user", 100]]);
  });

  it("follows Pulumi's project schema, so the CLI accepts it (rules from pulumi/pulumi sdk/go/common/workspace/project.json)", () => {
    // A declaration may hold only these attributes; `type` is one of the simple types; an array
    // declares its items' type; a typed default must have that type (Project.Validate).
    const ATTRIBUTES = ["type", "items", "description", "secret", "default", "value"];
    const SIMPLE = ["string", "integer", "boolean", "array"];
    const fits = (type: string, value: unknown): boolean =>
      type === "string" ? typeof value === "string"
      : type === "integer" ? Number.isInteger(value)
      : type === "boolean" ? typeof value === "boolean"
      : Array.isArray(value);
    for (const [key, decl] of Object.entries(project.config)) {
      expect({ key, extra: Object.keys(decl).filter((a) => !ATTRIBUTES.includes(a)) }).toEqual({ key, extra: [] });
      expect({ key, both: decl.default !== undefined && decl.value !== undefined }).toEqual({ key, both: false });
      if (decl.type === undefined) continue;
      expect(SIMPLE).toContain(decl.type);
      expect({ key, fits: fits(decl.type, decl.default) }).toEqual({ key, fits: true });
      if (decl.type === "array") {
        const items = decl.items as { type: string };
        expect(SIMPLE).toContain(items.type);
        for (const item of decl.default as unknown[]) expect({ key, fits: fits(items.type, item) }).toEqual({ key, fits: true });
      }
    }
  });
});
