/**
 * The user pool's sign-in domain: what a Cognito prefix domain or a custom domain may be, the
 * prefix a stage gets when none is configured, and the OAuth endpoints an app calls on it.
 * Stage config validates with these, the CognitoIdentity component builds from them.
 */

/** A Cognito prefix: `<prefix>.auth.<region>.amazoncognito.com`. */
const PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** Words Cognito refuses inside a prefix. */
const RESERVED = /aws|amazon|cognito/g;
const MAX_PREFIX_LENGTH = 63;

export const DOMAIN_PREFIX_RULES = "1-63 of a-z 0-9 -, not starting or ending with '-', without aws, amazon or cognito";

/** What is wrong with a Cognito domain prefix, or undefined when Cognito accepts it. */
export function domainPrefixProblem(prefix: string): string | undefined {
  if (!PREFIX.test(prefix) || new RegExp(RESERVED.source).test(prefix)) return `${JSON.stringify(prefix)} is not a Cognito domain prefix; allowed: ${DOMAIN_PREFIX_RULES}`;
  return undefined;
}

/**
 * The prefix a stage gets when none is configured: `<project>-<stack>-<suffix>`, lower-cased,
 * anything Cognito refuses replaced, shortened so the suffix always fits. The suffix (random,
 * kept in the stack's state) tells apart two stacks of the same project and stage name, since
 * prefixes are unique per region across every AWS account.
 */
export function derivedDomainPrefix(project: string, stack: string, suffix: string): string {
  const clean = (text: string) => {
    let out = text.toLowerCase();
    // Removing one reserved word can join the letters around it into another ("amazawson").
    while (new RegExp(RESERVED.source).test(out)) out = out.replace(RESERVED, "");
    return out.replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  };
  const tail = clean(suffix);
  const room = MAX_PREFIX_LENGTH - tail.length - 1;
  const base = clean(`${project}-${stack}`).slice(0, room).replace(/-+$/, "") || "auth";
  return `${base}-${tail}`;
}

/** A DNS name of two or more labels, such as `auth.example.com`. */
const HOSTNAME = /^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** What is wrong with a custom sign-in domain name, or undefined when it is a DNS name. */
export function customDomainProblem(domain: string): string | undefined {
  if (!HOSTNAME.test(domain)) return `${JSON.stringify(domain)} is not a domain name; use a lower-case DNS name such as auth.example.com`;
  return undefined;
}

/** An ACM certificate ARN; group 1 is its region. */
const CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:([a-z]{2}(?:-[a-z]+)+-\d):\d{12}:certificate\/[0-9a-f-]{36}$/;

/** What is wrong with a custom domain's certificate ARN, or undefined when Cognito can use it. */
export function certificateArnProblem(arn: string): string | undefined {
  const match = CERTIFICATE_ARN.exec(arn);
  if (!match) return `${JSON.stringify(arn)} is not an ACM certificate ARN (arn:aws:acm:us-east-1:<account>:certificate/<id>)`;
  // The domain is served by CloudFront, which takes certificates from us-east-1 only.
  if (match[1] !== "us-east-1") return `${JSON.stringify(arn)} is in ${match[1]}; a Cognito custom domain needs a certificate in us-east-1`;
  return undefined;
}

/** `https://…` of the sign-in domain: a custom domain, or the prefix domain in the pool's region. */
export function signInBaseUrl(domain: { prefix: string; region: string } | { customDomain: string }): string {
  return "customDomain" in domain ? `https://${domain.customDomain}` : `https://${domain.prefix}.auth.${domain.region}.amazoncognito.com`;
}

/** The OAuth 2.0 endpoints on the sign-in domain, as paths. */
export const SIGN_IN_ENDPOINT_PATHS = {
  authorize: "/oauth2/authorize",
  token: "/oauth2/token",
  logout: "/logout",
} as const;
