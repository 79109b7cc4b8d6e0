import { UNKNOWN } from "../test-support/fixtures";
import { runResourcePolicy, type TestResource } from "../test-support/validation-args";
import { identityPoolSettings } from "./identity-pool";

const provider = { clientId: "client0123456789", providerName: "cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_abc", serverSideTokenCheck: true };
const GOOD = { identityPoolName: "app_identities", allowUnauthenticatedIdentities: false, allowClassicFlow: false, cognitoIdentityProviders: [provider] };
const pool = (changes: Record<string, unknown> = {}): TestResource => ({ type: "aws:cognito/identityPool:IdentityPool", name: "app-pool", inputs: { ...GOOD, ...changes } });
const judge = (r: TestResource, config: object = {}) => runResourcePolicy(identityPoolSettings, r, config);
const messages = async (r: TestResource, config: object = {}) => (await judge(r, config)).violations.map((v) => v.message);

describe("identity-pool-settings", () => {
  it("passes a pool without guests or the classic flow, whose provider checks tokens server-side", async () => {
    const outcome = await judge(pool());
    expect(outcome).toEqual({ violations: [] });
  });

  it("fails a pool that allows unauthenticated identities, unless the config opts in", async () => {
    const guests = pool({ allowUnauthenticatedIdentities: true });
    expect(await messages(guests)).toEqual([expect.stringMatching(/^identity pool app-pool \(app_identities\): allowUnauthenticatedIdentities is true/)]);
    expect(await messages(guests, { allowUnauthenticatedIdentities: true })).toEqual([]);
    expect(await messages(guests, { allowClassicFlow: true })).toHaveLength(1); // another opt-in does not cover it
  });

  it("fails a pool that allows the classic flow, unless the config opts in", async () => {
    const classic = pool({ allowClassicFlow: true });
    expect(await messages(classic)).toEqual([expect.stringContaining("allowClassicFlow is true")]);
    expect(await messages(classic, { allowClassicFlow: true })).toEqual([]);
  });

  it("fails each provider without serverSideTokenCheck (false or unset), naming it, unless the config opts in", async () => {
    const second = { clientId: "client9876543210", providerName: provider.providerName };
    const lax = pool({ cognitoIdentityProviders: [provider, { ...second, serverSideTokenCheck: false }, second] });
    expect(await messages(lax)).toEqual([
      expect.stringMatching(/provider #1 \(client client9876543210\) has serverSideTokenCheck false/),
      expect.stringMatching(/provider #2 \(client client9876543210\) has serverSideTokenCheck unset/),
    ]);
    expect(await messages(lax, { allowMissingServerSideTokenCheck: true })).toEqual([]);
  });

  it("has nothing to check on a pool without Cognito user-pool providers", async () => {
    expect(await messages(pool({ cognitoIdentityProviders: undefined, supportedLoginProviders: { "accounts.google.com": "x" } }))).toEqual([]);
  });

  it("judges the known flags at preview when the client id is not known yet", async () => {
    const preview = pool({ allowClassicFlow: true, cognitoIdentityProviders: [{ clientId: UNKNOWN, providerName: UNKNOWN, serverSideTokenCheck: true }] });
    const outcome = await judge(preview);
    expect(outcome.violations.map((v) => v.message)).toEqual([expect.stringContaining("allowClassicFlow is true")]);
    expect(outcome.deferred).toBeUndefined(); // nothing it needed was unknown
  });

  it("defers a flag that is unknown at preview and still reports what it knows", async () => {
    const outcome = await judge(pool({ allowUnauthenticatedIdentities: true, allowClassicFlow: UNKNOWN }));
    expect(outcome.violations.map((v) => v.message)).toEqual([expect.stringContaining("allowUnauthenticatedIdentities is true")]);
    expect(outcome.deferred).toMatch(/judged at `pulumi up`: allowClassicFlow of identity pool app-pool/);
  });

  it("judges the known providers when another one is unknown as a whole", async () => {
    const outcome = await judge(pool({ cognitoIdentityProviders: [UNKNOWN, { ...provider, serverSideTokenCheck: false }] }));
    expect(outcome.violations.map((v) => v.message)).toEqual([expect.stringContaining("provider #1 (client client0123456789) has serverSideTokenCheck false")]);
    expect(outcome.deferred).toMatch(/element 0 of cognitoIdentityProviders of identity pool app-pool \(app_identities\) \(string value at \.cognitoIdentityProviders\.0 can't be known/);
  });

  it("rejects an opt-in that is not a boolean", async () => {
    await expect(judge(pool(), { allowClassicFlow: "yes" })).rejects.toThrow(/allowClassicFlow must be true or false/);
  });

  it("honours exemptResources by the pool's name", async () => {
    expect((await judge(pool({ allowClassicFlow: true }), { exemptResources: ["app_identities"] })).notApplicable).toMatch(/exempted/);
  });
});
