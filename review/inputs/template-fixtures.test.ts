/**
 * Every real input of the template corpus in CloudFormation (Amplify, CDK, Serverless) and AWS
 * CLI form; Terraform plans and Pulumi exports are in template-fixtures-plans.test.ts. What each
 * run asserts: test-support/template-suite.ts.
 */
import { describeTemplateCases, isTerraformOrPulumiCase } from "../test-support/template-suite";

describeTemplateCases((name) => !isTerraformOrPulumiCase(name));
