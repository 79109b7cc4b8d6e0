/**
 * A Pulumi plugin started as the CLI starts one: a node process running one of @pulumi/pulumi's
 * runners (`cmd/run-plugin` for a component package, `cmd/run-policy-pack` for a policy pack),
 * which prints the port of its gRPC server on stdout once it serves.
 */
import { spawn, type ChildProcess } from "node:child_process";

export interface PluginProcess {
  child: ChildProcess;
  port: number;
  /** Everything the plugin wrote to stderr so far. */
  stderr: () => string;
}

/** Starts `runner` (a module id such as "@pulumi/pulumi/cmd/run-plugin") with `args` in `cwd`; resolves once it serves. */
export function startPluginProcess(options: { label: string; runner: string; args: string[]; cwd: string; bootTimeoutMs: number }): Promise<PluginProcess> {
  const child = spawn(process.execPath, [require.resolve(options.runner), ...options.args], { cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`${options.label} did not serve within ${options.bootTimeoutMs / 1000} s:\n${err}`));
    }, options.bootTimeoutMs);
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
      reject(new Error(`${options.label} exited with ${code} before serving:\n${err}`));
    });
  });
}
