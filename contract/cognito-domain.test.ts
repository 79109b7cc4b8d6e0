import fc from "fast-check";
import { certificateArnProblem, customDomainProblem, derivedDomainPrefix, domainPrefixProblem, signInBaseUrl } from "./cognito-domain";

// Cognito's rule for a prefix domain, written out here from the CreateUserPoolDomain reference:
// 1-63 characters, lower-case letters, digits and hyphens, no hyphen first or last, and none of
// the words Cognito reserves.
const cognitoAccepts = (prefix: string) => /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(prefix) && !/aws|amazon|cognito/.test(prefix);

describe("derivedDomainPrefix", () => {
  it("is <project>-<stack>-<suffix> for ordinary names", () => {
    expect(derivedDomainPrefix("identity-scoped-storage", "dev", "3d49226f")).toBe("identity-scoped-storage-dev-3d49226f");
  });

  it("lower-cases, replaces what Cognito refuses and keeps the suffix whole within 63 characters", () => {
    expect(derivedDomainPrefix("My_Files.App", "Prod", "0a1b2c3d")).toBe("my-files-app-prod-0a1b2c3d");
    const long = derivedDomainPrefix("a".repeat(80), "stage", "0a1b2c3d");
    expect(long).toHaveLength(63);
    expect(long.endsWith("-0a1b2c3d")).toBe(true);
  });

  it("drops reserved words, including one formed by removing another", () => {
    expect(derivedDomainPrefix("aws-cognito-files", "amazawson", "0a1b2c3d")).toBe("files-0a1b2c3d");
    expect(derivedDomainPrefix("cognito", "aws", "0a1b2c3d")).toBe("auth-0a1b2c3d");
  });

  it("always yields a prefix Cognito accepts, ending in the suffix (any project, stack and 8-hex suffix)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), fc.string({ maxLength: 120 }), fc.stringMatching(/^[0-9a-f]{8}$/), (project, stack, suffix) => {
        const prefix = derivedDomainPrefix(project, stack, suffix);
        return cognitoAccepts(prefix) && prefix.endsWith(`-${suffix}`) && domainPrefixProblem(prefix) === undefined;
      }),
      { numRuns: 500 },
    );
  });
});

describe("domain rules", () => {
  it.each(["files", "acme-files-dev", "a1"])("accepts the prefix %j", (prefix) => expect(domainPrefixProblem(prefix)).toBeUndefined());
  it.each(["", "-files", "files-", "Files", "my.files", "aws-files", "myamazon", "cognito1", "x".repeat(64)])("refuses the prefix %j", (prefix) => {
    expect(cognitoAccepts(prefix)).toBe(false);
    expect(domainPrefixProblem(prefix)).toMatch(/not a Cognito domain prefix/);
  });

  it.each(["auth.example.com", "login.files.example.co.jp"])("accepts the custom domain %j", (d) => expect(customDomainProblem(d)).toBeUndefined());
  it.each(["example", "Auth.Example.com", "https://auth.example.com", "auth.example.com/", "-auth.example.com", "auth..example.com"])("refuses the custom domain %j", (d) => {
    expect(customDomainProblem(d)).toMatch(/not a domain name/);
  });

  const CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0b6f1f0e-3c55-4e0c-9a4b-2f3c1d5e6a7b";
  it("accepts an ACM certificate in us-east-1, and refuses one elsewhere, saying why", () => {
    expect(certificateArnProblem(CERT)).toBeUndefined();
    expect(certificateArnProblem(CERT.replace("us-east-1", "ap-northeast-1"))).toMatch(/is in ap-northeast-1; a Cognito custom domain needs a certificate in us-east-1/);
    expect(certificateArnProblem("arn:aws:iam::123456789012:server-certificate/x")).toMatch(/not an ACM certificate ARN/);
  });

  it("builds the base URL of a prefix domain in the pool's region, and of a custom domain", () => {
    expect(signInBaseUrl({ prefix: "files", region: "eu-west-1" })).toBe("https://files.auth.eu-west-1.amazoncognito.com");
    expect(signInBaseUrl({ customDomain: "auth.example.com" })).toBe("https://auth.example.com");
  });
});
