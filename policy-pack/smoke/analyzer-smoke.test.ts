import { runSmoke } from "./analyzer-smoke";

it("the pack, started by @pulumi/pulumi's policy-pack runner, answers the analyzer protocol as the engine expects", async () => {
  const result = await runSmoke();
  const failed = result.checks.filter((c) => !c.ok).map((c) => `${c.what}: ${c.detail ?? ""}`);
  expect(failed).toEqual([]);
  expect(result.checks.length).toBeGreaterThanOrEqual(7);
});
