/**
 * The function against an S3 server nobody in this project wrote: s3rver (npm), started here in a
 * child process on 127.0.0.1. The child runs with `--openssl-legacy-provider` because s3rver's
 * list continuation tokens use DES, which Node 22's OpenSSL 3 only has in its legacy provider.
 *
 * s3rver knows only the access keys registered with it: every credential the Cognito stand-in
 * issues is registered before it is handed out, and nothing else is, so each S3 request (the
 * function's own and each presigned URL) must carry the access key of the caller's own identity.
 * Everything else is production wiring: the real handler (productionDeps, real SDK clients
 * pointed at s3rver), the API Gateway stand-in, and FilesClient.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { FilesClient } from "../client/files-client";
import type { LambdaEnv } from "../contract/lambda-env";
import { createHandler } from "../lambda/create-handler";
import { productionDeps } from "../lambda/production-deps";
import { ApiGatewayStandIn } from "./api-gateway-stand-in";
import { CognitoIdentityStandIn, type IssuedCredentials } from "./cognito-identity-stand-in";
import { serveJwks, type LoopbackJwks } from "./jwks-server";
import { createTestUserPool } from "./test-user-pool";

const ROLE_ARN = "arn:aws:iam::123456789012:role/iss-test-user-role";

/** Runs in the child: s3rver on an ephemeral port, access keys registered on request. */
const CHILD = `
const S3rver = require("s3rver");
const AWSAccount = require("s3rver/lib/models/account");
const [directory, bucket] = process.argv.slice(1);
const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
server.run().then(({ port }) => process.send({ port }), (error) => { console.error(error); process.exit(1); });
process.on("message", (m) => {
  if (m.register) { AWSAccount.DUMMY_ACCOUNT.createKeyPair(m.register.accessKeyId, m.register.secretAccessKey); process.send({ registered: m.register.accessKeyId }); }
  if (m.close) server.close().then(() => process.exit(0));
});
`;

export interface S3rverFixture {
  env: LambdaEnv;
  /** `http://127.0.0.1:<port>` */
  s3rverUrl: string;
  cognito: CognitoIdentityStandIn;
  api: ApiGatewayStandIn;
  client(sub: string): FilesClient;
  identityIdFor(sub: string): string;
  close(): Promise<void>;
}

function message<T>(child: ChildProcess, pick: (m: Record<string, unknown>) => T | undefined): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`s3rver exited with ${code}`));
    const onMessage = (m: Record<string, unknown>) => {
      const value = pick(m);
      if (value === undefined) return;
      child.off("message", onMessage);
      child.off("exit", onExit);
      resolve(value);
    };
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

export async function createS3rverFixture(): Promise<S3rverFixture> {
  const bucket = "iss-s3rver-files";
  const directory = mkdtempSync(path.join(tmpdir(), "s3rver-"));
  const child = spawn(process.execPath, ["--openssl-legacy-provider", "-e", CHILD, directory, bucket], {
    cwd: path.join(__dirname, ".."),
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const port = await message(child, (m) => m.port as number | undefined);
  const s3rverUrl = `http://127.0.0.1:${port}`;

  const pool = createTestUserPool({ region: "ap-northeast-1" });
  const jwks: LoopbackJwks = await serveJwks([pool]);
  const env: LambdaEnv = {
    region: "ap-northeast-1",
    userPoolId: pool.userPoolId,
    userPoolClientId: pool.clientId,
    identityPoolId: "ap-northeast-1:0b6f1f0e-3c55-4e0c-9a4b-2f3c1d5e6a7b",
    bucketName: bucket,
    storagePrefix: "private",
    maxUploadBytes: 4 * 1024 * 1024,
    presignedUrlMaxSeconds: 900,
    credentialsCacheSeconds: 300,
    requestBudgetMs: 9000,
  };
  const register = async (credentials: IssuedCredentials) => {
    const acknowledged = message(child, (m) => (m.registered === credentials.accessKeyId ? true : undefined));
    child.send({ register: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey } });
    await acknowledged;
  };
  const cognito = new CognitoIdentityStandIn({ identityPoolId: env.identityPoolId, pool, onIssue: register }).install();
  const handler = createHandler(productionDeps(env, { jwksFetcher: jwks.fetcher, s3Endpoint: s3rverUrl, log: () => undefined }));
  const api = await new ApiGatewayStandIn(handler).start();

  return {
    env,
    s3rverUrl,
    cognito,
    api,
    client: (sub) => new FilesClient({ endpoint: api.url, idToken: pool.idToken({ sub, groups: ["user"], preferredRole: ROLE_ARN, roles: [ROLE_ARN] }) }),
    identityIdFor: (sub) => cognito.identityIdFor(sub),
    close: async () => {
      await api.close();
      cognito.restore();
      await jwks.close();
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.send({ close: true });
      await exited;
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
