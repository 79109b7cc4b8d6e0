/**
 * A policy document as tools write it: JSON text (Terraform, Pulumi), an object (CloudFormation,
 * the AWS CLI), or URL-encoded JSON (IAM's raw API answers). Always the object, or a one-line error.
 */
import { PolicyInputError } from "../../iam/document";

export function policyJson(raw: unknown, where: string): unknown {
  if (typeof raw !== "string") return raw;
  const text = /^\s*%7B/i.test(raw) ? decodeURIComponent(raw) : raw;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new PolicyInputError(`${where}: the policy is not valid JSON (${(e as Error).message.replace(/\s+/g, " ")})`);
  }
}
