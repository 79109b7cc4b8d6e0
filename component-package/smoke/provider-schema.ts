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
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

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

function startPlugin(dir: string): Promise<{ child: ChildProcess; port: number; stderr: () => string }> {
  const runner = require.resolve("@pulumi/pulumi/cmd/run-plugin");
  // The consumer's directory: a Python or Go project has no tsconfig.json or node_modules.
  const consumer = fs.mkdtempSync(path.join(os.tmpdir(), "iss-consumer-"));
  const child = spawn(process.execPath, [runner, dir], { cwd: consumer, stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`the component provider did not serve within ${BOOT_TIMEOUT_MS / 1000} s:\n${err}`));
    }, BOOT_TIMEOUT_MS);
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const port = /^(\d+)\s*$/m.exec(out);
      if (port) {
        clearTimeout(timer);
        resolve({ child, port: Number(port[1]), stderr: () => err });
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the component provider exited with ${code} before serving:\n${err}`));
    });
  });
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
