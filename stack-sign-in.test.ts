/**
 * Sign-in works right after `pulumi up`: an app client set up for the authorization-code flow
 * needs a user-pool domain, so every stage gets one, and the stack exports what an app (such as
 * NextAuth.js's Cognito provider) is configured from. Checked on stacks synthesized offline.
 */
import { synthesizeStack, type SynthesizedStack } from "./synth/synthesize";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const T = {
  userPool: "aws:cognito/userPool:UserPool",
  client: "aws:cognito/userPoolClient:UserPoolClient",
  domain: "aws:cognito/userPoolDomain:UserPoolDomain",
  branding: "aws:cognito/managedLoginBranding:ManagedLoginBranding",
  randomId: "random:index/randomId:RandomId",
  kmsKey: "aws:kms/key:Key",
};
const CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0b6f1f0e-3c55-4e0c-9a4b-2f3c1d5e6a7b";
const SES = "arn:aws:ses:ap-northeast-1:123456789012:identity/example.com";

let dev: SynthesizedStack;
beforeAll(async () => {
  dev = await synthesizeStack({ stack: "dev" });
});

describe("dev stack, no sign-in config at all", () => {
  it("has a domain on the user pool: <project>-<stack>-<the random id's 8 hex digits>", () => {
    const suffix = dev.one(T.randomId);
    expect(suffix.inputs).toEqual({ byteLength: 4 });
    const domain = dev.one(T.domain);
    expect(domain.inputs).toMatchObject({ userPoolId: dev.outputs.userPoolId, domain: `identity-scoped-storage-dev-${suffix.state.hex}` });
    expect(suffix.state.hex).toMatch(/^[0-9a-f]{8}$/);
    expect(domain.inputs.certificateArn).toBeUndefined();
  });

  it("serves managed login (version 2) with Cognito's style on the app client", () => {
    expect(dev.one(T.domain).inputs.managedLoginVersion).toBe(2);
    expect(dev.one(T.branding).inputs).toEqual({ userPoolId: dev.outputs.userPoolId, clientId: dev.outputs.userPoolClientId, useCognitoProvidedValues: true });
  });

  it("exports the issuer, the domain's endpoints and the client secret an app is configured from", () => {
    const base = `https://${dev.one(T.domain).inputs.domain}.auth.ap-northeast-1.amazoncognito.com`;
    expect(dev.outputs).toMatchObject({
      issuerUrl: `https://cognito-idp.ap-northeast-1.amazonaws.com/${dev.outputs.userPoolId}`,
      signInBaseUrl: base,
      authorizeEndpoint: `${base}/oauth2/authorize`,
      tokenEndpoint: `${base}/oauth2/token`,
      logoutEndpoint: `${base}/logout`,
      userPoolClientSecret: dev.one(T.client).state.clientSecret,
    });
    expect(dev.outputs.customDomainAliasTarget).toBeUndefined();
    expect(dev.outputs.kmsKeyArn).toBeUndefined();
  });

  it("sets the feature plan explicitly (password history needs Essentials) and Cognito's default sender", () => {
    const pool = dev.one(T.userPool).inputs as Json;
    expect(pool.userPoolTier).toBe("ESSENTIALS");
    expect(pool.passwordPolicy.passwordHistorySize).toBeGreaterThan(0);
    expect(pool.emailConfiguration).toEqual({ emailSendingAccount: "COGNITO_DEFAULT" });
  });

  it("frees the domain's global name before replacing it (a new user pool replaces the domain under the same name)", () => {
    expect(dev.one(T.domain).deleteBeforeReplace).toBe(true);
    // Control: auto-named resources are replaced the usual way (create first).
    expect(dev.one(T.userPool).deleteBeforeReplace).toBe(false);
  });
});

describe("sign-in options", () => {
  it("a configured prefix is used as is, with no random suffix", async () => {
    const s = await synthesizeStack({ overrides: { hostedUiDomainPrefix: "acme-files-dev" } });
    expect(s.one(T.domain).inputs.domain).toBe("acme-files-dev");
    expect(s.ofType(T.randomId)).toEqual([]);
    expect(s.outputs.authorizeEndpoint).toBe("https://acme-files-dev.auth.ap-northeast-1.amazoncognito.com/oauth2/authorize");
  });

  it("a custom domain with its us-east-1 certificate: endpoints on it, and the DNS alias target exported", async () => {
    const s = await synthesizeStack({ overrides: { customDomain: "auth.example.com", customDomainCertificateArn: CERT } });
    const domain = s.one(T.domain);
    expect(domain.inputs).toMatchObject({ domain: "auth.example.com", certificateArn: CERT });
    expect(s.outputs).toMatchObject({ signInBaseUrl: "https://auth.example.com", tokenEndpoint: "https://auth.example.com/oauth2/token" });
    expect(s.outputs.customDomainAliasTarget).toBe(domain.state.cloudfrontDistribution);
    expect(s.ofType(T.randomId)).toEqual([]);
  });

  it("the classic hosted UI: version 1, no managed-login style", async () => {
    const s = await synthesizeStack({ overrides: { loginUi: "CLASSIC" } });
    expect(s.one(T.domain).inputs.managedLoginVersion).toBe(1);
    expect(s.ofType(T.branding)).toEqual([]);
  });

  it("SES email: Cognito sends through the verified identity, from the configured address", async () => {
    const s = await synthesizeStack({ overrides: { sesSourceArn: SES, sesFromAddress: "Files <no-reply@example.com>", userPoolTier: "PLUS" } });
    const pool = s.one(T.userPool).inputs as Json;
    expect(pool.emailConfiguration).toEqual({ emailSendingAccount: "DEVELOPER", sourceArn: SES, fromEmailAddress: "Files <no-reply@example.com>" });
    expect(pool.userPoolTier).toBe("PLUS");
  });

  it("prod (KMS): a sign-in domain of its own and its endpoints, and the bucket's key ARN", async () => {
    const prod = await synthesizeStack({ stack: "prod" });
    const domain = prod.one(T.domain).inputs.domain as string;
    expect(domain).toBe(`identity-scoped-storage-prod-${prod.one(T.randomId).state.hex}`);
    expect(prod.outputs).toMatchObject({
      authorizeEndpoint: `https://${domain}.auth.ap-northeast-1.amazoncognito.com/oauth2/authorize`,
      userPoolClientSecret: prod.one(T.client).state.clientSecret,
    });
    expect(prod.outputs.kmsKeyArn).toBe(prod.one(T.kmsKey).state.arn);
  });

  it.each([
    [{ customDomain: "auth.example.com" }, "customDomainCertificateArn", /set both or neither/],
    [{ customDomainCertificateArn: CERT }, "customDomain", /set both or neither/],
    [{ customDomain: "auth.example.com", customDomainCertificateArn: CERT.replace("us-east-1", "eu-west-1") }, "customDomainCertificateArn", /needs a certificate in us-east-1/],
    [{ customDomain: "auth.example.com", customDomainCertificateArn: CERT, hostedUiDomainPrefix: "acme" }, "hostedUiDomainPrefix", /must be "" when customDomain is set/],
    [{ hostedUiDomainPrefix: "my-aws-files" }, "hostedUiDomainPrefix", /not a Cognito domain prefix/],
    [{ sesFromAddress: "no-reply@example.com" }, "sesFromAddress", /needs sesSourceArn/],
    [{ sesSourceArn: "example.com" }, "sesSourceArn", /not an SES identity ARN/],
    [{ loginUi: "NEW" }, "loginUi", /use one of "MANAGED", "CLASSIC"/],
    [{ userPoolTier: "LITE" }, "userPoolTier", /use one of "ESSENTIALS", "PLUS"/],
  ])("refuses %j before any resource, naming %s", async (overrides, key, message) => {
    await expect(synthesizeStack({ overrides })).rejects.toThrow(new RegExp(`identity-scoped-storage:${key}: .*${message.source}`));
  });
});
