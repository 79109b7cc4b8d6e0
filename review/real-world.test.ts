/**
 * The reviewer on policies nobody here wrote (review/fixtures/real-world/): the AWS documentation's,
 * Cognito guide's, Serverless Stack's, Terraform modules' and the article's cases; Amplify's are in
 * real-world-amplify.test.ts. What each run asserts: test-support/real-world-suite.ts.
 */
import { describeRealWorldCases, isAmplifyCase } from "./test-support/real-world-suite";

describeRealWorldCases((name) => !isAmplifyCase(name));
