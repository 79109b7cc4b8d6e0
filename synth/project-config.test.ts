import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { listStacks, ProjectConfigError, stackConfig } from "./project-config";

function projectDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iss-project-"));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

const PROJECT_YAML = `name: demo
runtime: nodejs
config:
  size:
    type: integer
    description: a size
    default: 3
  tags:
    description: untyped object
    default: [{a: 1}]
  shorthand: hello
  aws:region: us-west-2
`;

describe("stackConfig", () => {
  it("overlays the stack file on Pulumi.yaml defaults and encodes values as the CLI does", () => {
    const dir = projectDir({ "Pulumi.yaml": PROJECT_YAML, "Pulumi.dev.yaml": "config:\n  demo:size: 5\n  aws:region: eu-west-1\n" });
    expect(stackConfig("dev", {}, dir)).toEqual({
      "demo:size": "5",
      "demo:tags": '[{"a":1}]',
      "demo:shorthand": "hello",
      "aws:region": "eu-west-1",
    });
  });

  it("applies overrides by short key, and removes a key given undefined", () => {
    const dir = projectDir({ "Pulumi.yaml": PROJECT_YAML, "Pulumi.dev.yaml": "config: {}\n" });
    expect(stackConfig("dev", { size: 9, shorthand: undefined }, dir)).toEqual({ "demo:size": "9", "demo:tags": '[{"a":1}]', "aws:region": "us-west-2" });
  });

  it("names the stacks that exist when asked for one that does not", () => {
    const dir = projectDir({ "Pulumi.yaml": PROJECT_YAML, "Pulumi.dev.yaml": "", "Pulumi.prod.yaml": "" });
    expect(listStacks(dir)).toEqual(["dev", "prod"]);
    expect(() => stackConfig("staging", {}, dir)).toThrow(new ProjectConfigError("unknown stack 'staging': no Pulumi.staging.yaml (stacks here: dev, prod)"));
  });

  it("refuses secrets, which cannot be decrypted offline", () => {
    const dir = projectDir({ "Pulumi.yaml": PROJECT_YAML, "Pulumi.dev.yaml": "config:\n  demo:token:\n    secure: AAABAx\n" });
    expect(() => stackConfig("dev", {}, dir)).toThrow(/demo:token is a secret/);
  });

  it("refuses a key with nothing after the colon, in Pulumi.yaml or the stack file, instead of reading it as \"null\"", () => {
    const emptyDefault = projectDir({ "Pulumi.yaml": PROJECT_YAML.replace("shorthand: hello", "shorthand:"), "Pulumi.dev.yaml": "config: {}\n" });
    expect(() => stackConfig("dev", {}, emptyDefault)).toThrow(new ProjectConfigError("Pulumi.yaml: shorthand has an empty default (nothing after the colon); give a value"));
    const emptyValue = projectDir({ "Pulumi.yaml": PROJECT_YAML, "Pulumi.dev.yaml": "config:\n  demo:size:\n" });
    expect(() => stackConfig("dev", {}, emptyValue)).toThrow(/^Pulumi\.dev\.yaml: demo:size has an empty value/);
  });

  it("refuses a stack name that is not one before reading any file", () => {
    const dir = projectDir({ "Pulumi.yaml": PROJECT_YAML, "Pulumi.dev.yaml": "" });
    expect(() => stackConfig("../dev", {}, dir)).toThrow(/^stack "\.\.\/dev" is not a Pulumi stack name/);
  });

  it("reports unreadable YAML in one line", () => {
    const dir = projectDir({ "Pulumi.yaml": PROJECT_YAML, "Pulumi.dev.yaml": "config: [unclosed\n" });
    expect(() => stackConfig("dev", {}, dir)).toThrow(ProjectConfigError);
  });
});
