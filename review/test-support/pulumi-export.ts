/**
 * A synthesized stack in the shape `pulumi stack export` writes (version 3: deployment.resources
 * with urn, type, id, inputs and outputs), so the reviewer's Pulumi reader can be tested on our
 * own stack as a platform team would export it after `pulumi up`. `npx tsx
 * review/test-support/pulumi-export.ts <stack> <file>` writes the fixture.
 */
import * as fs from "node:fs";
import { synthesizeStack, type SynthesizedStack } from "../../synth/synthesize";

export function stackExport(s: SynthesizedStack): object {
  return {
    version: 3,
    deployment: {
      manifest: { time: "2026-01-01T00:00:00Z", magic: "synthesized-offline", version: "v3.270.0" },
      resources: s.resources.map((r) => ({
        urn: r.urn,
        custom: r.custom,
        ...(r.id !== undefined ? { id: r.id } : {}),
        type: r.type,
        inputs: r.inputs,
        outputs: r.state,
      })),
    },
  };
}

if (require.main === module) {
  const [stack = "dev", file = "stack-export.json"] = process.argv.slice(2);
  void synthesizeStack({ stack }).then((s) => fs.writeFileSync(file, JSON.stringify(stackExport(s), null, 2) + "\n"));
}
