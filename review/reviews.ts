/**
 * Several reviews reported as one: `--template` inputs can hold several storage buckets, or
 * conditions whose branches are each reviewed. The run passes only if every review does (the
 * verdict is the worst); each format shows every review, and one review reports exactly as before.
 */
import { render, renderJson, renderJunit, type ReportFormat, type ReportInput } from "./report";
import { renderSarif } from "./sarif/sarif";

/** One review: its matrix, proof, verdict and scope. */
export type Review = ReportInput;

export type OutputFormat = ReportFormat | "sarif";

export const reviewsPass = (reviews: Review[]) => reviews.every((r) => r.verdict.pass);

function junitTogether(reviews: Review[]): string {
  let tests = 0;
  let failures = 0;
  const suites = reviews.flatMap((review) => {
    const xml = renderJunit(review);
    const head = /<testsuites [^>]*tests="(\d+)" failures="(\d+)">/.exec(xml)!;
    tests += Number(head[1]);
    failures += Number(head[2]);
    return [...xml.matchAll(/ {2}<testsuite [\s\S]*?<\/testsuite>/g)].map((m) => m[0]);
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="isolation review" tests="${tests}" failures="${failures}">\n${suites.join("\n")}\n</testsuites>\n`;
}

export function renderReviews(reviews: Review[], format: OutputFormat): string {
  if (format === "sarif") return renderSarif(reviews);
  if (reviews.length === 1) return render(reviews[0]!, format);
  if (format === "junit") return junitTogether(reviews);
  if (format === "json") {
    const each = reviews.map((review) => JSON.parse(renderJson(review)) as Record<string, unknown>);
    const label = (r: Review) => r.matrix.target.label;
    return JSON.stringify(
      {
        pass: reviewsPass(reviews),
        findings: reviews.flatMap((r) => r.verdict.findings.map((f) => ({ review: label(r), ...f }))),
        warnings: reviews.flatMap((r) => r.verdict.warnings.map((f) => ({ review: label(r), ...f }))),
        reviews: each,
      },
      null,
      2,
    );
  }
  const parts = reviews.map((review, i) => `━━ review ${i + 1} of ${reviews.length}: ${review.matrix.target.label} ━━\n${render(review, "table")}`);
  const failed = reviews.filter((r) => !r.verdict.pass).length;
  return `${parts.join("\n\n")}\n\n${failed ? "FAIL" : "PASS"}: ${reviews.length - failed} of ${reviews.length} reviews pass (the verdict is the worst of them).`;
}
