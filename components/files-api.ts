import * as aws from "./aws";
import * as pulumi from "@pulumi/pulumi";
import {
  API_CORS,
  corsOriginProblem,
  CREDENTIALS_CACHE_SECONDS,
  FILES_API_ROUTE_KEYS,
  FUNCTION_TIMEOUT_SECONDS,
  LOG_RETENTION_DAYS,
  MAX_UPLOAD_BYTES_LIMIT,
  PRESIGNED_URL_SECONDS,
  requestBudgetMs,
  THROTTLE_LIMITS,
} from "../contract/files-api";
import { ENV_NAMES, type LambdaEnv } from "../contract/lambda-env";
import { componentType } from "../contract/project";
import { assertStoragePrefix } from "../contract/storage-prefix";
import { lambdaExecutionPolicy, lambdaTrustPolicy } from "./policy-documents";

/** Stage-wide request throttling (API Gateway token bucket). */
export interface FilesApiThrottle {
  /** Largest burst of requests, a whole number from 1 to 5000 (`THROTTLE_LIMITS`). */
  burstLimit: number;
  /** Steady requests per second, above 0. */
  rateLimit: number;
}

export interface FilesApiArgs {
  /** The function's code: the bundle build/lambda-bundle.ts writes (e.g. `new pulumi.asset.FileArchive("dist/lambda")`). */
  code: pulumi.Input<pulumi.asset.Archive>;
  /** The user pool whose IdTokens the API accepts. */
  userPoolId: pulumi.Input<string>;
  /** The app client the IdTokens must be issued to (the authorizer's audience). */
  userPoolClientId: pulumi.Input<string>;
  /** The identity pool that turns an IdToken into the caller's own credentials. */
  identityPoolId: pulumi.Input<string>;
  /** `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`: the JWT authorizer's issuer. */
  issuerUrl: pulumi.Input<string>;
  /** Region of the pools and the bucket. */
  region: pulumi.Input<string>;
  /** The bucket holding every identity's folder. */
  bucketName: pulumi.Input<string>;
  /** Folder root: identity `<id>` owns `<prefix>/<id>/`. See `PREFIX_RULES`. */
  prefix: string;
  /** Largest upload through the function in bytes, at most 4 MiB (a Lambda request payload holds 6 MB, base64-inflated); larger files use presigned URLs. */
  maxUploadBytes: number;
  /** Longest lifetime of a presigned URL, 60 to 3600 seconds (never past the caller's credentials). @default 900 */
  presignedUrlMaxSeconds?: number;
  /** Longest reuse of identity credentials obtained with one IdToken, 0 to 3600 seconds: how long a signed-out user keeps API access. @default 300 */
  credentialsCacheSeconds?: number;
  /** Origins allowed to call the API from a browser (`https://host[:port]`, or `http://localhost[:port]`). Empty: no CORS. */
  corsOrigins: string[];
  /** Let `corsOrigins` hold `*` (any origin). Only a dev stage should set this. @default false */
  allowWildcardCors?: boolean;
  /** Stage-wide throttling. */
  throttle: FilesApiThrottle;
  /** Days to keep the function's and the access logs (a CloudWatch retention value, e.g. 30). */
  logRetentionDays: number;
  /** Function memory in MB (more memory is also more CPU). @default 512 */
  memorySizeMb?: number;
  /** Function timeout in seconds, 3 to 29 (the API's integration timeout is 30 s); each request's budget is set below it (`requestBudgetMs`). @default 10 */
  timeoutSeconds?: number;
  /** A fixed name for the function; two stacks giving the same name in one account and region collide. @default auto-named (`<component name>-function-<random>`) */
  functionName?: string;
  /** Tags for every taggable resource. */
  tags?: Record<string, string>;
}

const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** One access-log line per request, as JSON. No headers: the Authorization header must not be logged. */
const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  requestTime: "$context.requestTime",
  routeKey: "$context.routeKey",
  status: "$context.status",
  responseLatency: "$context.responseLatency",
  integrationLatency: "$context.integrationLatency",
  responseLength: "$context.responseLength",
  sourceIp: "$context.identity.sourceIp",
  authorizerError: "$context.authorizer.error",
  integrationError: "$context.integrationErrorMessage",
});

/** Every rule the args break, so a wrong stack config fails before any resource is made. */
export function filesApiArgProblems(name: string, args: FilesApiArgs): string[] {
  const problems: string[] = [];
  if (args.functionName !== undefined && !FUNCTION_NAME.test(args.functionName)) problems.push(`function name ${JSON.stringify(args.functionName)} must be 1-64 of [A-Za-z0-9_-]`);
  for (const origin of args.corsOrigins) {
    const problem = corsOriginProblem(origin, args.allowWildcardCors ?? false);
    if (problem) problems.push(problem);
  }
  if (!Number.isInteger(args.maxUploadBytes) || args.maxUploadBytes < 1 || args.maxUploadBytes > MAX_UPLOAD_BYTES_LIMIT) {
    problems.push(`maxUploadBytes must be a whole number from 1 to ${MAX_UPLOAD_BYTES_LIMIT}`);
  }
  const { burstLimit, rateLimit } = args.throttle;
  const { burst, rate } = THROTTLE_LIMITS;
  if (!Number.isInteger(burstLimit) || burstLimit < burst.min || burstLimit > burst.max) problems.push(`throttle.burstLimit must be a whole number from ${burst.min} to ${burst.max}`);
  if (!(rateLimit > 0) || rateLimit > rate.max) problems.push(`throttle.rateLimit must be above 0 and at most ${rate.max}`);
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(args.logRetentionDays)) {
    problems.push(`logRetentionDays must be one of ${LOG_RETENTION_DAYS.join(", ")}`);
  }
  const memory = args.memorySizeMb ?? 512;
  if (!Number.isInteger(memory) || memory < 128 || memory > 10240) problems.push("memorySizeMb must be a whole number from 128 to 10240");
  const timeout = args.timeoutSeconds ?? FUNCTION_TIMEOUT_SECONDS.default;
  const within = (value: number, range: { min: number; max: number }) => Number.isInteger(value) && value >= range.min && value <= range.max;
  if (!within(timeout, FUNCTION_TIMEOUT_SECONDS)) problems.push(`timeoutSeconds must be a whole number from ${FUNCTION_TIMEOUT_SECONDS.min} to ${FUNCTION_TIMEOUT_SECONDS.max}`);
  if (!within(args.presignedUrlMaxSeconds ?? PRESIGNED_URL_SECONDS.default, PRESIGNED_URL_SECONDS)) {
    problems.push(`presignedUrlMaxSeconds must be a whole number from ${PRESIGNED_URL_SECONDS.min} to ${PRESIGNED_URL_SECONDS.max}`);
  }
  if (!within(args.credentialsCacheSeconds ?? CREDENTIALS_CACHE_SECONDS.default, CREDENTIALS_CACHE_SECONDS)) {
    problems.push(`credentialsCacheSeconds must be a whole number from ${CREDENTIALS_CACHE_SECONDS.min} to ${CREDENTIALS_CACHE_SECONDS.max}`);
  }
  return problems;
}

function checkedArgs(name: string, args: FilesApiArgs): FilesApiArgs {
  assertStoragePrefix(args.prefix, `FilesApi ${name}: prefix`);
  const problems = filesApiArgProblems(name, args);
  if (problems.length > 0) throw new Error(`FilesApi ${name}: ${problems.join("; ")}`);
  return args;
}

/**
 * The Files API: an HTTP API whose routes (contract FILES_API_ROUTES) sit behind a Cognito JWT authorizer, and a Lambda
 * that acts with each caller's own identity-pool credentials. The function's own role may write
 * its logs and nothing else: it cannot read the bucket, so IAM, not its code, keeps users apart.
 */
export class FilesApi extends pulumi.ComponentResource {
  /** `https://<id>.execute-api.<region>.amazonaws.com`: the `$default` stage serves at the root. */
  public readonly apiEndpoint: pulumi.Output<string>;
  /** The HTTP API's id. */
  public readonly apiId: pulumi.Output<string>;
  /** The function's name (auto-named unless `functionName` is given). */
  public readonly functionName: pulumi.Output<string>;
  /** The function's ARN. */
  public readonly functionArn: pulumi.Output<string>;
  /** ARN of the function's execution role (it may write its own logs, nothing else). */
  public readonly roleArn: pulumi.Output<string>;
  /** The log group the function writes to. */
  public readonly logGroupName: pulumi.Output<string>;
  /** The log group of the API's access logs. */
  public readonly accessLogGroupName: pulumi.Output<string>;

  constructor(name: string, args: FilesApiArgs, opts?: pulumi.ComponentResourceOptions) {
    // Checked before super(): a refused component is never registered.
    super(componentType("FilesApi"), name, checkedArgs(name, args), opts);
    const parent = { parent: this };
    const tags = args.tags;

    const role = new aws.iam.Role(
      `${name}-role`,
      {
        description: `Execution role of the ${name} function: its own logs only`,
        assumeRolePolicy: JSON.stringify(lambdaTrustPolicy()),
        tags,
      },
      parent,
    );

    // Made first, so retention applies from the first line; auto-named, so two stacks of one
    // stage name coexist, and the function is pointed at it (loggingConfig) instead of /aws/lambda/….
    const logGroup = new aws.cloudwatch.LogGroup(`${name}-function-logs`, { retentionInDays: args.logRetentionDays, tags }, parent);

    const rolePolicy = new aws.iam.RolePolicy(
      `${name}-own-logs`,
      {
        role: role.id,
        policy: logGroup.arn.apply((logGroupArn) => JSON.stringify(lambdaExecutionPolicy({ logGroupArn }))),
      },
      parent,
    );

    const timeoutSeconds = args.timeoutSeconds ?? FUNCTION_TIMEOUT_SECONDS.default;
    const environment: Record<(typeof ENV_NAMES)[keyof LambdaEnv], pulumi.Input<string>> = {
      [ENV_NAMES.region]: args.region,
      [ENV_NAMES.userPoolId]: args.userPoolId,
      [ENV_NAMES.userPoolClientId]: args.userPoolClientId,
      [ENV_NAMES.identityPoolId]: args.identityPoolId,
      [ENV_NAMES.bucketName]: args.bucketName,
      [ENV_NAMES.storagePrefix]: args.prefix,
      [ENV_NAMES.maxUploadBytes]: String(args.maxUploadBytes),
      [ENV_NAMES.presignedUrlMaxSeconds]: String(args.presignedUrlMaxSeconds ?? PRESIGNED_URL_SECONDS.default),
      [ENV_NAMES.credentialsCacheSeconds]: String(args.credentialsCacheSeconds ?? CREDENTIALS_CACHE_SECONDS.default),
      // Below the function's timeout, so the caller gets this API's own 503 rather than Lambda's kill.
      [ENV_NAMES.requestBudgetMs]: String(requestBudgetMs(timeoutSeconds)),
    };

    const fn = new aws.lambda.Function(
      `${name}-function`,
      {
        name: args.functionName,
        description: "Files API: S3 work as the caller's own Cognito identity",
        role: role.arn,
        runtime: "nodejs22.x",
        architectures: ["arm64"],
        handler: "index.handler",
        code: args.code,
        memorySize: args.memorySizeMb ?? 512,
        timeout: timeoutSeconds,
        environment: { variables: environment },
        loggingConfig: { logFormat: "JSON", logGroup: logGroup.name, applicationLogLevel: "INFO", systemLogLevel: "WARN" },
        tags,
      },
      // A fixed name outlives a replacement: free it before claiming it again.
      { parent: this, dependsOn: [logGroup, rolePolicy], deleteBeforeReplace: args.functionName !== undefined },
    );

    const api = new aws.apigatewayv2.Api(
      `${name}-api`,
      {
        protocolType: "HTTP",
        description: "Files API (Cognito JWT authorizer)",
        corsConfiguration:
          args.corsOrigins.length > 0
            ? {
                allowOrigins: args.corsOrigins,
                allowMethods: [...API_CORS.allowMethods],
                allowHeaders: [...API_CORS.allowHeaders],
                exposeHeaders: [...API_CORS.exposeHeaders],
                maxAge: API_CORS.maxAgeSeconds,
              }
            : undefined,
        tags,
      },
      parent,
    );

    const authorizer = new aws.apigatewayv2.Authorizer(
      `${name}-authorizer`,
      {
        apiId: api.id,
        name: `${name}-cognito`,
        authorizerType: "JWT",
        identitySources: ["$request.header.Authorization"],
        jwtConfiguration: { issuer: args.issuerUrl, audiences: [args.userPoolClientId] },
      },
      parent,
    );

    const integration = new aws.apigatewayv2.Integration(
      `${name}-integration`,
      {
        apiId: api.id,
        integrationType: "AWS_PROXY",
        integrationUri: fn.invokeArn,
        payloadFormatVersion: "2.0",
      },
      parent,
    );

    const routes: aws.apigatewayv2.Route[] = [];
    for (const routeKey of FILES_API_ROUTE_KEYS) {
      const slug = routeKey.toLowerCase().replace(/[^a-z]+/g, "-").replace(/-+$/, "");
      const route = new aws.apigatewayv2.Route(
        `${name}-${slug}`,
        {
          apiId: api.id,
          routeKey,
          authorizationType: "JWT",
          authorizerId: authorizer.id,
          target: pulumi.interpolate`integrations/${integration.id}`,
        },
        parent,
      );
      routes.push(route);
    }

    // Only this API may invoke the function, on any stage and method, on the /files routes.
    const invokePermission = new aws.lambda.Permission(
      `${name}-invoke`,
      {
        action: "lambda:InvokeFunction",
        function: fn.name,
        principal: "apigateway.amazonaws.com",
        sourceArn: pulumi.interpolate`${api.executionArn}/*/*/files*`,
      },
      parent,
    );

    const accessLogGroup = new aws.cloudwatch.LogGroup(`${name}-access-logs`, { retentionInDays: args.logRetentionDays, tags }, parent);

    new aws.apigatewayv2.Stage(
      `${name}-stage`,
      {
        apiId: api.id,
        name: "$default",
        autoDeploy: true,
        defaultRouteSettings: {
          throttlingBurstLimit: args.throttle.burstLimit,
          throttlingRateLimit: args.throttle.rateLimit,
          detailedMetricsEnabled: true,
        },
        accessLogSettings: { destinationArn: accessLogGroup.arn, format: ACCESS_LOG_FORMAT },
        tags,
      },
      // Served only once every route and the invoke permission exist (no 500s on a first request).
      { parent: this, dependsOn: [...routes, invokePermission] },
    );

    this.apiEndpoint = api.apiEndpoint;
    this.apiId = api.id;
    this.functionName = fn.name;
    this.functionArn = fn.arn;
    this.roleArn = role.arn;
    this.logGroupName = logGroup.name;
    this.accessLogGroupName = accessLogGroup.name;

    this.registerOutputs({
      apiEndpoint: this.apiEndpoint,
      apiId: this.apiId,
      functionName: this.functionName,
      functionArn: this.functionArn,
      roleArn: this.roleArn,
      logGroupName: this.logGroupName,
      accessLogGroupName: this.accessLogGroupName,
    });
  }
}
