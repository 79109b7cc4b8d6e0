/**
 * Sending the user pool's email (invitations, verification codes) through Amazon SES instead of
 * Cognito's built-in sender, which allows only a small number of emails per day. Stage config
 * validates with these rules, the CognitoIdentity component builds the email configuration.
 */

/** `arn:<partition>:ses:<region>:<account>:identity/<email or domain>`: a verified SES identity. */
const SES_IDENTITY_ARN = /^arn:aws[a-z-]*:ses:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:identity\/[^\s/]+$/;
/** `name@example.com` or `Display Name <name@example.com>`. */
const FROM_ADDRESS = /^(?:[^<>\r\n]{1,64} <[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+)$/;

/** What is wrong with an SES identity ARN, or undefined when it has the right shape. */
export function sesIdentityArnProblem(arn: string): string | undefined {
  if (!SES_IDENTITY_ARN.test(arn)) return `${JSON.stringify(arn)} is not an SES identity ARN (arn:aws:ses:<region>:<account>:identity/<email or domain>)`;
  return undefined;
}

/** What is wrong with a sender address, or undefined when Cognito accepts its shape. */
export function fromAddressProblem(from: string): string | undefined {
  if (!FROM_ADDRESS.test(from)) return `${JSON.stringify(from)} is not a sender address; use name@example.com or "Display Name <name@example.com>"`;
  return undefined;
}
