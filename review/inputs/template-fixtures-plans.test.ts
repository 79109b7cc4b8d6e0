/**
 * Every real input of the template corpus in Terraform plan and Pulumi stack-export form; the
 * CloudFormation and AWS CLI inputs are in template-fixtures.test.ts. What each run asserts:
 * test-support/template-suite.ts.
 */
import { describeTemplateCases, isTerraformOrPulumiCase } from "../test-support/template-suite";

describeTemplateCases(isTerraformOrPulumiCase);
