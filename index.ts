/** The Pulumi program: validate the stage's config (before any resource), then build the stack. */
import * as pulumi from "@pulumi/pulumi";
import { loadStageConfig } from "./config/stage-config";
import { defineStack } from "./stack";

const outputs = defineStack(loadStageConfig(pulumi.runtime.allConfig(), pulumi.getStack()));

export const region = outputs.region;
export const userPoolId = outputs.userPoolId;
export const userPoolClientId = outputs.userPoolClientId;
export const userPoolClientSecret = outputs.userPoolClientSecret;
export const issuerUrl = outputs.issuerUrl;
export const signInBaseUrl = outputs.signInBaseUrl;
export const authorizeEndpoint = outputs.authorizeEndpoint;
export const tokenEndpoint = outputs.tokenEndpoint;
export const logoutEndpoint = outputs.logoutEndpoint;
export const customDomainAliasTarget = outputs.customDomainAliasTarget;
export const identityPoolId = outputs.identityPoolId;
export const bucketName = outputs.bucketName;
export const kmsKeyArn = outputs.kmsKeyArn;
export const storagePrefix = outputs.storagePrefix;
export const roleArns = outputs.roleArns;
export const filesApiEndpoint = outputs.filesApiEndpoint;
