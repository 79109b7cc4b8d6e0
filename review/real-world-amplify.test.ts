/**
 * The reviewer on Amplify's storage policies (Gen 1 and Gen 2) from review/fixtures/real-world/;
 * the other sources' cases are in real-world.test.ts. What each run asserts:
 * test-support/real-world-suite.ts.
 */
import { describeRealWorldCases, isAmplifyCase } from "./test-support/real-world-suite";

describeRealWorldCases(isAmplifyCase);
