/**
 * Several reviews reported as one: `--template` inputs can hold several storage buckets, or
 * conditions whose branches are each reviewed. The run passes only if every review does (the
 * verdict is the worst); each format shows every review, and one review reports exactly as before.
 */
import type { MatrixResult } from "./matrix";
import type { ProofResult } from "./prover/verdicts";
import { render, renderJson, renderJunit, reviewPasses, type ReportFormat } from "./report";
import { renderSarif } from "./sarif/sarif";

export interface Review {
  result: MatrixResult;
  proof?: ProofResult;
}

export type OutputFormat = ReportFormat | "sarif";

export const reviewsPass = (reviews: Review[]) => reviews.every((r) => reviewPasses(r.result, r.proof));

function junitTogether(reviews: Review[]): string {
  let tests = 0;
  let failures = 0;
  const suites = reviews.flatMap(({ result, proof }) => {
    const xml = renderJunit(result, proof);
    const head = /<testsuites [^>]*tests="(\d+)" failures="(\d+)">/.exec(xml)!;
    tests += Number(head[1]);
    failures += Number(head[2]);
    return [...xml.matchAll(/ {2}<testsuite [\s\S]*?<\/testsuite>/g)].map((m) => m[0]);
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="isolation review" tests="${tests}" failures="${failures}">\n${suites.join("\n")}\n</testsuites>\n`;
}

export function renderReviews(reviews: Review[], format: OutputFormat): string {
  if (format === "sarif") return renderSarif(reviews);
  if (reviews.length === 1) return render(reviews[0]!.result, format, reviews[0]!.proof);
  if (format === "junit") return junitTogether(reviews);
  if (format === "json") {
    const each = reviews.map(({ result, proof }) => JSON.parse(renderJson(result, proof)) as Record<string, unknown>);
    return JSON.stringify(
      {
        pass: reviewsPass(reviews),
        findings: reviews.flatMap(({ result }) => result.findings.map((f) => ({ review: result.target.label, ...f }))),
        reviews: each,
      },
      null,
      2,
    );
  }
  const parts = reviews.map(({ result, proof }, i) => `━━ review ${i + 1} of ${reviews.length}: ${result.target.label} ━━\n${render(result, "table", proof)}`);
  const failed = reviews.filter((r) => !reviewPasses(r.result, r.proof)).length;
  return `${parts.join("\n\n")}\n\n${failed ? "FAIL" : "PASS"}: ${reviews.length - failed} of ${reviews.length} reviews pass (the verdict is the worst of them).`;
}
