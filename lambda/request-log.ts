/**
 * One structured line per request, written as a bare JSON line so CloudWatch Logs Insights reads
 * its fields. It names the route, never the object key, and carries error names, never error
 * messages: messages from upstream services are not ours to vouch for, and tokens and
 * credentials must never reach the logs.
 */

export type LogSink = (line: string) => void;

/** stdout, unwrapped: with the JSON log format Lambda passes a bare line through as is. */
export const stdoutSink: LogSink = (line) => {
  process.stdout.write(`${line}\n`);
};

export interface RequestLogEntry {
  /** API Gateway's request id (what the caller sees in error answers). */
  requestId: string;
  /** Lambda's own request id, when invoked by Lambda. */
  lambdaRequestId?: string;
  /** The route key, e.g. `GET /files/{key+}`. */
  route: string;
  status: number;
  latencyMs: number;
  /** Our error code for a non-2xx answer. */
  error?: string;
  /** Name of the upstream or internal error behind it (e.g. `SlowDown`), never its message. */
  cause?: string;
  /** Stack frames of an unexpected error, without its message line. */
  frames?: string[];
  /** The identity-pool identity the request acted as, once known. */
  identityId?: string;
}

/** The frames of a stack trace, leaving out its first line (which holds the message). */
export function stackFrames(error: unknown, max = 6): string[] {
  if (!(error instanceof Error) || typeof error.stack !== "string") return [];
  return error.stack
    .split("\n")
    .filter((line) => /^\s+at /.test(line))
    .slice(0, max)
    .map((line) => line.trim());
}

export function logRequest(sink: LogSink, entry: RequestLogEntry): void {
  const level = entry.status >= 500 ? "ERROR" : entry.status >= 400 ? "WARN" : "INFO";
  try {
    sink(JSON.stringify({ level, msg: "request", ...entry }));
  } catch {
    // A failing log sink must not turn an answer into a failed invocation.
  }
}
