/**
 * The Lambda entry point (bundled to dist/lambda/index.js, handler `index.handler`). This runs
 * once per container, in the init phase: the environment is read and checked (a bad one fails
 * init with every problem named), and the clients and token verifier are made.
 */
import { createHandler } from "./create-handler";
import { readLambdaEnv } from "../contract/lambda-env";
import { productionDeps } from "./production-deps";

export const handler = createHandler(productionDeps(readLambdaEnv(process.env)));
