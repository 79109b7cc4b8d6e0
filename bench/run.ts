/**
 * `npm run bench [-- --write]`: runs every bench module, prints the figures as Markdown and, with
 * --write, records them in BENCHMARKS.md with the command, the machine and the date.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Bench, BenchSection } from "./harness";
import { bench as lambdaBench } from "./lambda.bench";
import { bench as policyBench } from "./policy.bench";
import { bench as proofBench } from "./proof.bench";
import { bench as scaleBench } from "./scale.bench";
import { bench as transferBench } from "./transfer.bench";

const BENCHES: Bench[] = [policyBench, proofBench, scaleBench, lambdaBench, transferBench];
const OUTPUT = path.resolve(__dirname, "..", "BENCHMARKS.md");

/** How much of the machine other work took when the benches began: figures from a busy machine are slower. */
const LOAD_AT_START = os.loadavg()[0]!.toFixed(1);

function machine(): string {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? "unknown CPU"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()} ${os.arch()}, Node ${process.version}, 1-minute load average ${LOAD_AT_START} at the start`;
}

function markdown(sections: BenchSection[]): string {
  const lines = [
    "# Benchmarks",
    "",
    "Produced by `npm run bench -- --write` (`./npmw run bench -- --write` on a machine without Node 22).",
    "Figures are measurements of one run on the machine below, not timed tests; re-run to compare.",
    "",
    `- Date: ${new Date().toISOString().slice(0, 10)}`,
    `- Machine: ${machine()}`,
    "",
  ];
  for (const section of sections) {
    lines.push(`## ${section.title}`, "", `Method: ${section.method}.`, "", "| metric | value | goal | met |", "|---|---|---|---|");
    for (const row of section.rows) lines.push(`| ${row.metric} | ${row.value} | ${row.goal ?? ""} | ${row.goal ? (row.met ? "yes" : "**no**") : ""} |`);
    lines.push("");
    if (section.table) {
      const { caption, header, rows } = section.table;
      lines.push(`${caption}:`, "", `| ${header.join(" | ")} |`, `|${header.map(() => "---|").join("")}`, ...rows.map((r) => `| ${r.join(" | ")} |`), "");
    }
    for (const note of section.notes ?? []) lines.push(`- ${note}`);
    if (section.notes?.length) lines.push("");
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  const sections: BenchSection[] = [];
  // `--only lambda,transfer` runs some benches (for a quick look; --write needs them all).
  const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1]!.split(",") : undefined;
  if (only && process.argv.includes("--write")) throw new Error("--write records every bench: drop --only");
  const names = new Map<Bench, string>([[policyBench, "policy"], [proofBench, "proof"], [scaleBench, "scale"], [lambdaBench, "lambda"], [transferBench, "transfer"]]);
  for (const bench of BENCHES) if (!only || only.includes(names.get(bench)!)) sections.push(await bench());
  const text = markdown(sections);
  process.stdout.write(text + "\n");
  if (process.argv.includes("--write")) {
    fs.writeFileSync(OUTPUT, text + "\n");
    process.stderr.write(`written to ${path.relative(process.cwd(), OUTPUT)}\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
