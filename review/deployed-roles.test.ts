/** Resolving deployed role ARNs, with an injected command runner instead of the pulumi CLI. */
import { PolicyInputError } from "../iam/document";
import { execFileRunner, parseRoleArnPairs, resolveDeployedRoles, type CommandRunner } from "./deployed-roles";

const USERS = "arn:aws:iam::111122223333:role/users-role-1a2b3c";
const ADMINS = "arn:aws:iam::111122223333:role/storage/admins-role";
const stackOutputJson = JSON.stringify({
  bucketName: "photo-bucket-1234",
  identityPoolId: "us-east-1:33333333-3333-4333-8333-333333333333",
  region: "us-east-1",
  storagePrefix: "private",
  roleArns: { users: USERS, admins: ADMINS },
});

/** A runner that records its calls and answers like the pulumi CLI would. */
function recordingRunner(answer: () => Promise<string>) {
  const calls: [string, string[]][] = [];
  const run: CommandRunner = (file, args) => {
    calls.push([file, args]);
    return answer();
  };
  return { run, calls };
}

const expectOneLineError = async (p: Promise<unknown>, pattern: RegExp) => {
  const error = await p.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(PolicyInputError);
  expect((error as Error).message).toMatch(pattern);
  expect((error as Error).message).not.toContain("\n");
};

describe("--role-arn pairs", () => {
  test("parse group=arn, role paths included", () => {
    expect(parseRoleArnPairs([`users=${USERS}`, `admins=${ADMINS}`])).toEqual({ users: USERS, admins: ADMINS });
    expect(parseRoleArnPairs(["gov=arn:aws-us-gov:iam::111122223333:role/r"])).toEqual({ gov: "arn:aws-us-gov:iam::111122223333:role/r" });
  });

  test.each([
    ["users", /expected group=arn/],
    [`=${USERS}`, /expected group=arn/],
    ["users=arn:aws:iam::1111:role/x", /not an IAM role ARN/],
    ["users=arn:aws:iam::111122223333:user/x", /not an IAM role ARN/],
    ["users=arn:aws:sts::111122223333:assumed-role/r/CognitoIdentityCredentials", /not an IAM role ARN/],
  ])("rejects %s", (pair, pattern) => {
    expect(() => parseRoleArnPairs([pair])).toThrow(pattern);
  });

  test("rejects a group given twice", () => {
    expect(() => parseRoleArnPairs([`users=${USERS}`, `users=${ADMINS}`])).toThrow(/group users is given twice/);
  });

  test("pairs win: the pulumi CLI is not run", async () => {
    const { run, calls } = recordingRunner(async () => stackOutputJson);
    const roles = await resolveDeployedRoles({ roleArnPairs: [`users=${USERS}`], stack: "dev", groups: ["users"], runCommand: run });
    expect(roles).toEqual({ roleArns: { users: USERS }, source: "--role-arn" });
    expect(calls).toEqual([]);
  });
});

describe("stack outputs", () => {
  test("runs `pulumi stack output --json --stack <stack>` and reads roleArns and the other outputs", async () => {
    const { run, calls } = recordingRunner(async () => stackOutputJson);
    const roles = await resolveDeployedRoles({ stack: "dev", groups: ["users", "admins"], runCommand: run });
    expect(calls).toEqual([["pulumi", ["stack", "output", "--json", "--stack", "dev"]]]);
    expect(roles.source).toBe("stack outputs");
    expect(roles.roleArns).toEqual({ users: USERS, admins: ADMINS });
    expect(roles.outputs).toMatchObject({ bucketName: "photo-bucket-1234", region: "us-east-1", storagePrefix: "private" });
  });

  test("pulumi CLI absent: one line saying to pass --role-arn", async () => {
    const { run } = recordingRunner(async () => {
      throw Object.assign(new Error("spawn pulumi ENOENT"), { code: "ENOENT" });
    });
    await expectOneLineError(resolveDeployedRoles({ stack: "dev", runCommand: run }), /pulumi CLI was not found.*pass --role-arn group=arn/);
  });

  test("pulumi fails: its first stderr sentence on one line, and --role-arn suggested", async () => {
    const { run } = recordingRunner(async () => {
      throw Object.assign(new Error("Command failed"), { code: 255, stderr: "error: no stack named 'dev' found.\nRun pulumi stack ls.\n" });
    });
    await expectOneLineError(
      resolveDeployedRoles({ stack: "dev", runCommand: run }),
      /^`pulumi stack output --json --stack dev` failed: error: no stack named 'dev' found\.; pass --role-arn/,
    );
  });

  test.each([
    ["not json", /did not print JSON/],
    [JSON.stringify({ bucketName: "b" }), /has no roleArns output/],
    [JSON.stringify({ roleArns: { users: "files:users" } }), /roleArns\.users: "files:users" is not an IAM role ARN/],
  ])("bad output %s", async (output, pattern) => {
    const { run } = recordingRunner(async () => output);
    await expectOneLineError(resolveDeployedRoles({ stack: "dev", runCommand: run }), pattern);
  });

  test("every expected group needs a role", async () => {
    const { run } = recordingRunner(async () => JSON.stringify({ roleArns: { users: USERS } }));
    await expectOneLineError(resolveDeployedRoles({ stack: "dev", groups: ["users", "admins"], runCommand: run }), /no deployed role ARN for group\(s\) admins/);
  });

  test("neither pairs nor a stack: say what to pass", async () => {
    await expectOneLineError(resolveDeployedRoles({}), /pass --stack <name> or --role-arn group=arn/);
  });

  test("the real runner runs a program without a shell and reports a missing one as ENOENT", async () => {
    await expect(execFileRunner(process.execPath, ["-e", "process.stdout.write('$HOME')"])).resolves.toBe("$HOME");
    await expect(execFileRunner("definitely-not-a-pulumi-binary", [])).rejects.toMatchObject({ code: "ENOENT" });
  });
});
