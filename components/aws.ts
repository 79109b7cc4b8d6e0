/**
 * The AWS provider's modules the components use, imported one by one: `@pulumi/aws` as a whole
 * declares every AWS service, and type-checking or analyzing it (ts-node when Pulumi starts the
 * program or the component package, the package's schema inference) costs about four times as
 * much as these seven modules. Components import this as `aws` and write `aws.s3.Bucket`.
 */
export * as apigatewayv2 from "@pulumi/aws/apigatewayv2";
export * as cloudwatch from "@pulumi/aws/cloudwatch";
export * as cognito from "@pulumi/aws/cognito";
export * as iam from "@pulumi/aws/iam";
export * as kms from "@pulumi/aws/kms";
export * as lambda from "@pulumi/aws/lambda";
export * as s3 from "@pulumi/aws/s3";
