/**
 * Serves user pools' JWKS on loopback, and a fetcher that sends the Cognito JWKS URL there. The
 * function's own JWKS cache (lambda/jwks.ts, aws-jwt-verify's cache inside) runs on top: fetch on
 * first use, refetch for an unknown `kid`, penalty box after a miss. `answer` makes the endpoint
 * misbehave the ways a real one can.
 */
import type { Fetcher } from "aws-jwt-verify/https";
import type { SimpleJwksCache } from "aws-jwt-verify/jwk";
import { createJwksCache } from "../lambda/jwks";
import { listenOnLoopback } from "./loopback-server";
import type { TestUserPool } from "./test-user-pool";

/** How the endpoint answers: the keys; a 503; a 200 HTML error page; nothing at all; or the fetcher throws. */
export type JwksAnswer = "keys" | "503" | "html" | "silent" | "throw";

export interface LoopbackJwks {
  /** Sends `https://cognito-idp.<region>.amazonaws.com/<pool>/.well-known/jwks.json` to the loopback server. */
  fetcher: Fetcher;
  /** The function's JWKS cache over `fetcher` (for tests that build a verifier directly). */
  jwksCache: SimpleJwksCache;
  /** Requests served, by path. */
  requests: string[];
  answer: JwksAnswer;
  close(): Promise<void>;
}

export async function serveJwks(pools: TestUserPool[]): Promise<LoopbackJwks> {
  const requests: string[] = [];
  const byPath = new Map(pools.map((p) => [`/${p.userPoolId}/.well-known/jwks.json`, JSON.stringify(p.jwks)]));
  const state: { answer: JwksAnswer } = { answer: "keys" };
  const server = await listenOnLoopback((req, res) => {
    requests.push(req.url ?? "");
    if (state.answer === "silent") return; // never answers; closed with the server
    if (state.answer === "503") {
      res.writeHead(503).end();
      return;
    }
    if (state.answer === "html") {
      res.writeHead(200, { "content-type": "text/html" }).end("<html><body><h1>Service temporarily unavailable</h1></body></html>");
      return;
    }
    const body = byPath.get(req.url ?? "");
    res.writeHead(body ? 200 : 404, { "content-type": "application/json" });
    res.end(body ?? "{}");
  });
  const base = server.url;
  const fetcher: Fetcher = {
    fetch: async (uri: string) => {
      if (state.answer === "throw") throw new TypeError("fetcher exploded");
      const match = /^https:\/\/cognito-idp\.[a-z0-9-]+\.amazonaws\.com(\/.*)$/.exec(uri);
      if (!match) throw new Error(`not a Cognito JWKS URL: ${uri}`);
      const response = await fetch(base + match[1]);
      // As aws-jwt-verify's own fetcher reports a non-200 answer.
      if (!response.ok) throw new Error(`Status code is ${response.status}, expected 200`);
      return response.arrayBuffer();
    },
  };
  return {
    fetcher,
    jwksCache: createJwksCache({ fetcher, timeoutMs: 500 }),
    requests,
    get answer() {
      return state.answer;
    },
    set answer(value: JwksAnswer) {
      state.answer = value;
    },
    close: () => server.close(),
  };
}
