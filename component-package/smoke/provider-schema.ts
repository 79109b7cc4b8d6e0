/**
 * The component package as the Pulumi CLI starts it, minus the CLI (which cannot run offline):
 * `node @pulumi/pulumi/cmd/run-plugin <plugin directory>` from the consumer's directory, as the
 * nodejs language host's RunPlugin does for a PulumiPlugin.yaml package; the plugin prints its
 * gRPC port, and the engine asks it for its schema (ResourceProvider.GetSchema).
 *
 *   ./npmw exec -- tsx component-package/smoke/provider-schema.ts    prints the package schema
 *
 * @grpc/grpc-js is @pulumi/pulumi's own dependency: the same copy the provider server uses.
 */
import * as grpc from "@grpc/grpc-js";
import * as providerGrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provider from "@pulumi/pulumi/proto/provider_pb";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startPluginProcess, type PluginProcess } from "./plugin-process";

/** The repository root: PulumiPlugin.yaml, and the package.json whose "main" is the entry. */
export const PLUGIN_DIR = path.resolve(__dirname, "..", "..");
const BOOT_TIMEOUT_MS = 60_000;

/** A package schema, as far as these checks read it. */
export interface PackageSchema {
  name: string;
  version: string;
  resources: Record<string, ResourceSchema>;
  types: Record<string, { type: string; properties?: Record<string, PropertySchema>; enum?: { value: string }[] }>;
}
export interface ResourceSchema {
  isComponent?: boolean;
  description?: string;
  inputProperties: Record<string, PropertySchema>;
  requiredInputs?: string[];
  properties: Record<string, PropertySchema>;
  required?: string[];
}
export interface PropertySchema {
  type?: string;
  $ref?: string;
  items?: PropertySchema;
  additionalProperties?: PropertySchema;
  description?: string;
  plain?: boolean;
}

function startPlugin(dir: string): Promise<PluginProcess> {
  // The consumer's directory: a Python or Go project has no tsconfig.json or node_modules.
  const consumer = fs.mkdtempSync(path.join(os.tmpdir(), "iss-consumer-"));
  return startPluginProcess({ label: "the component provider", runner: "@pulumi/pulumi/cmd/run-plugin", args: [dir], cwd: consumer, bootTimeoutMs: BOOT_TIMEOUT_MS });
}

/** Starts the plugin in `dir` as the CLI does and returns the schema it serves, with timings. */
export async function schemaFromPlugin(dir = PLUGIN_DIR): Promise<{ schema: PackageSchema; bootSeconds: number; schemaSeconds: number }> {
  const started = Date.now();
  const plugin = await startPlugin(dir);
  const bootSeconds = (Date.now() - started) / 1000;
  const client = new providerGrpc.ResourceProviderClient(`127.0.0.1:${plugin.port}`, grpc.credentials.createInsecure());
  try {
    const response = await new Promise<provider.GetSchemaResponse>((resolve, reject) =>
      client.getSchema(new provider.GetSchemaRequest(), (e: grpc.ServiceError | null, r: provider.GetSchemaResponse) => (e ? reject(new Error(`${e.message}\n${plugin.stderr()}`)) : resolve(r))),
    );
    return { schema: JSON.parse(response.getSchema()) as PackageSchema, bootSeconds, schemaSeconds: (Date.now() - started) / 1000 - bootSeconds };
  } finally {
    client.close();
    plugin.child.kill();
  }
}

if (require.main === module) {
  schemaFromPlugin().then(
    ({ schema, bootSeconds, schemaSeconds }) => {
      console.log(JSON.stringify(schema, null, 2));
      console.error(`served after ${bootSeconds.toFixed(1)} s, schema after ${schemaSeconds.toFixed(1)} s more`);
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
