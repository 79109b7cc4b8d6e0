/**
 * Serves user pools' JWKS on loopback, and a JwksCache whose fetcher sends the Cognito JWKS URL
 * there. The verifier's real cache logic runs: fetch on first use, refetch for an unknown `kid`,
 * penalty box after a miss.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { NonRetryableFetchError } from "aws-jwt-verify/error";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import type { TestUserPool } from "./test-user-pool";

export interface LoopbackJwks {
  jwksCache: SimpleJwksCache;
  /** Requests served, by path. */
  requests: string[];
  /** While true the server answers 503, like an unreachable JWKS endpoint. */
  failing: boolean;
  close(): Promise<void>;
}

export async function serveJwks(pools: TestUserPool[]): Promise<LoopbackJwks> {
  const requests: string[] = [];
  const state = { failing: false };
  const byPath = new Map(pools.map((p) => [`/${p.userPoolId}/.well-known/jwks.json`, JSON.stringify(p.jwks)]));
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? "");
    if (state.failing) {
      res.writeHead(503).end();
      return;
    }
    const body = byPath.get(req.url ?? "");
    res.writeHead(body ? 200 : 404, { "content-type": "application/json" });
    res.end(body ?? "{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const jwksCache = new SimpleJwksCache({
    fetcher: {
      fetch: async (uri: string) => {
        const match = /^https:\/\/cognito-idp\.[a-z0-9-]+\.amazonaws\.com(\/.*)$/.exec(uri);
        if (!match) throw new Error(`not a Cognito JWKS URL: ${uri}`);
        const response = await fetch(base + match[1]);
        // As aws-jwt-verify's own fetcher reports a non-200 answer.
        if (!response.ok) throw new NonRetryableFetchError(uri, `Status code is ${response.status}, expected 200`);
        return response.arrayBuffer();
      },
    },
  });
  return {
    jwksCache,
    requests,
    get failing() {
      return state.failing;
    },
    set failing(value: boolean) {
      state.failing = value;
    },
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
