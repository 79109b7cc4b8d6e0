import { fromAddressProblem, sesIdentityArnProblem } from "./ses-email";

it.each(["arn:aws:ses:ap-northeast-1:123456789012:identity/example.com", "arn:aws:ses:us-east-1:123456789012:identity/no-reply@example.com"])(
  "accepts the SES identity ARN %j",
  (arn) => expect(sesIdentityArnProblem(arn)).toBeUndefined(),
);

it.each(["example.com", "arn:aws:ses:ap-northeast-1:123456789012:configuration-set/x", "arn:aws:sns:ap-northeast-1:123456789012:identity/example.com", "arn:aws:ses:ap-northeast-1:1234:identity/example.com"])(
  "refuses %j as an SES identity ARN",
  (arn) => expect(sesIdentityArnProblem(arn)).toMatch(/not an SES identity ARN/),
);

it.each(["no-reply@example.com", "Files <no-reply@example.com>"])("accepts the sender %j", (from) => expect(fromAddressProblem(from)).toBeUndefined());

it.each(["no-reply", "Files no-reply@example.com", "<no-reply@example.com>", "a@b", "Files <no-reply@example.com>\r\nBcc: x@example.com"])("refuses the sender %j", (from) => {
  expect(fromAddressProblem(from)).toMatch(/not a sender address/);
});
