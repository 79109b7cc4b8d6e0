/**
 * The stage configuration, validated before any resource exists. Defaults live in one place,
 * the `config:` block of Pulumi.yaml (the CLI applies them; `synth/` does the same offline);
 * this module reads raw values, types them and names every key that is wrong.
 */
import { REGION } from "../contract/aws-ids";
import {
  corsOriginProblem,
  CREDENTIALS_CACHE_SECONDS,
  FUNCTION_TIMEOUT_SECONDS,
  LOG_RETENTION_DAYS,
  MAX_UPLOAD_BYTES_LIMIT,
  PRESIGNED_URL_SECONDS,
  THROTTLE_LIMITS,
} from "../contract/files-api";
import { PROJECT } from "../contract/project";
import { certificateArnProblem, customDomainProblem, domainPrefixProblem } from "../contract/cognito-domain";
import { fromAddressProblem, sesIdentityArnProblem } from "../contract/ses-email";
import {
  BUCKET_ENCRYPTIONS,
  LOGIN_UIS,
  MFA_MODES,
  ROLE_MAPPING_TYPES,
  USER_POOL_TIERS,
  type BucketEncryption,
  type LoginUi,
  type MfaMode,
  type RoleMappingType,
  type UserPoolTier,
} from "../contract/stage-options";
import { PREFIX_RULES, storagePrefixProblems } from "../contract/storage-prefix";
import { groupNameProblems, stageNameProblem } from "./stage-names";

export interface GroupConfig {
  name: string;
  precedence: number;
  description?: string;
  /** Read-only access to every identity's folder. */
  readAllFolders: boolean;
}

export interface StageConfig {
  stack: string;
  region: string;
  prefix: string;
  groups: GroupConfig[];
  roleMapping: RoleMappingType;
  allowSelfSignUp: boolean;
  mfa: MfaMode;
  deletionProtection: boolean;
  userPoolTier: UserPoolTier;
  callbackUrls: string[];
  logoutUrls: string[];
  hostedUiDomainPrefix: string;
  customDomain: string;
  customDomainCertificateArn: string;
  loginUi: LoginUi;
  sesSourceArn: string;
  sesFromAddress: string;
  idTokenValidityMinutes: number;
  accessTokenValidityMinutes: number;
  refreshTokenValidityDays: number;
  encryption: BucketEncryption;
  abortIncompleteUploadDays: number;
  noncurrentVersionExpirationDays: number;
  forceDestroy: boolean;
  corsOrigins: string[];
  maxUploadBytes: number;
  presignedUrlMaxSeconds: number;
  credentialsCacheSeconds: number;
  filesApiTimeoutSeconds: number;
  apiThrottleBurstLimit: number;
  apiThrottleRateLimit: number;
  logRetentionDays: number;
}

/** One wrong value: the full config key (or path inside it) and what is wrong and allowed. */
export interface ConfigProblem {
  key: string;
  message: string;
}

export class StageConfigError extends Error {
  constructor(
    public readonly stackName: string,
    public readonly problems: ConfigProblem[],
  ) {
    // One problem fits one line (what a CLI prints); several get one line each.
    super(
      `Invalid configuration for stack '${stackName}' (nothing was created):` +
        (problems.length === 1 ? ` ${problems[0]!.key}: ${problems[0]!.message}` : problems.map((p) => `\n  - ${p.key}: ${p.message}`).join("")),
    );
    this.name = "StageConfigError";
  }
}

/** Thrown by a key's parser; carries an optional sub-path such as `[1].name`. */
class ValueError extends Error {
  constructor(
    message: string,
    public readonly path = "",
  ) {
    super(message);
  }
}

type ConfigType = "string" | "integer" | "boolean" | "array" | "object-array";
interface KeySpec<T> {
  /** How Pulumi.yaml declares it (`object-array`: untyped there; Pulumi cannot type objects). */
  type: ConfigType;
  parse: (raw: string, stack: string) => T;
}

function parseJson(raw: string, what: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw new ValueError(`is not valid ${what} (got ${JSON.stringify(raw)})`);
  }
}

const str = (check?: (v: string) => void): KeySpec<string> => ({
  type: "string",
  parse: (raw) => {
    check?.(raw);
    return raw;
  },
});

const oneOf = <T extends string>(allowed: readonly T[]): KeySpec<T> => ({
  type: "string",
  parse: (raw) => {
    if (!(allowed as readonly string[]).includes(raw)) {
      throw new ValueError(`${JSON.stringify(raw)} is not allowed; use one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`);
    }
    return raw as T;
  },
});

const int = (min: number, max: number): KeySpec<number> => ({
  type: "integer",
  parse: (raw) => {
    if (!/^-?\d+$/.test(raw.trim())) throw new ValueError(`${JSON.stringify(raw)} is not an integer; allowed: ${min} to ${max}`);
    const n = Number(raw);
    if (n < min || n > max) throw new ValueError(`${n} is out of range; allowed: ${min} to ${max}`);
    return n;
  },
});

const intOneOf = (allowed: readonly number[]): KeySpec<number> => ({
  type: "integer",
  parse: (raw) => {
    const n = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !allowed.includes(n)) throw new ValueError(`${JSON.stringify(raw)} is not allowed; use one of ${allowed.join(", ")}`);
    return n;
  },
});

const bool: KeySpec<boolean> = {
  type: "boolean",
  parse: (raw) => {
    if (raw !== "true" && raw !== "false") throw new ValueError(`${JSON.stringify(raw)} is not a boolean; use true or false`);
    return raw === "true";
  },
};

const stringArray = (checkItem: (item: string, stack: string) => void, minItems: number, maxItems: number): KeySpec<string[]> => ({
  type: "array",
  parse: (raw, stack) => {
    const value = parseJson(raw, "a JSON array of strings");
    if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
      throw new ValueError(`must be an array of strings (got ${raw.length > 80 ? raw.slice(0, 80) + "…" : raw})`);
    }
    if (value.length < minItems) throw new ValueError(`needs at least ${minItems} item(s)`);
    if (value.length > maxItems) throw new ValueError(`has ${value.length} items; at most ${maxItems} are allowed`);
    value.forEach((item: string, i) => {
      try {
        checkItem(item, stack);
      } catch (e) {
        throw new ValueError((e as Error).message, `[${i}]`);
      }
    });
    return value as string[];
  },
});

/** https anywhere; plain http only for a loopback host (local development). */
function checkRedirectUrl(value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValueError(`${JSON.stringify(value)} is not a URL; allowed: https://… (http:// only for localhost)`);
  }
  const loopback = ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw new ValueError(`${JSON.stringify(value)} is not https; allowed: https://… (http:// only for localhost)`);
  }
  if (url.hash) throw new ValueError(`${JSON.stringify(value)} has a #fragment, which Cognito refuses`);
}

const GROUP_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const GROUP_KEYS = ["name", "precedence", "description", "readAllFolders"];

const groupsSpec: KeySpec<GroupConfig[]> = {
  type: "object-array",
  parse: (raw) => {
    const value = parseJson(raw, "a JSON array of groups");
    if (!Array.isArray(value)) throw new ValueError(`must be an array of {name, precedence} objects`);
    if (value.length === 0) throw new ValueError("is empty; at least one group is required (e.g. user)");
    if (value.length > 25) throw new ValueError(`has ${value.length} groups; role mapping allows at most 25`);
    const groups = value.map((item: unknown, i): GroupConfig => {
      const at = `[${i}]`;
      if (typeof item !== "object" || item === null || Array.isArray(item)) {
        throw new ValueError("must be an object {name, precedence, description?, readAllFolders?}", at);
      }
      const entry = item as Record<string, unknown>;
      const unknown = Object.keys(entry).filter((k) => !GROUP_KEYS.includes(k));
      if (unknown.length > 0) {
        throw new ValueError(`unknown key ${unknown.map((k) => JSON.stringify(k)).join(", ")}; allowed keys: ${GROUP_KEYS.join(", ")}`, at);
      }
      if (typeof entry.name !== "string" || !GROUP_NAME.test(entry.name)) {
        throw new ValueError(`${JSON.stringify(entry.name)} is not a group name; allowed: 1-64 of A-Z a-z 0-9 _ -`, `${at}.name`);
      }
      const precedence = entry.precedence;
      if (typeof precedence !== "number" || !Number.isInteger(precedence) || precedence < 0 || precedence > 2147483647) {
        throw new ValueError(`${JSON.stringify(precedence)} is not allowed; use an integer 0 to 2147483647`, `${at}.precedence`);
      }
      if (entry.description !== undefined && typeof entry.description !== "string") {
        throw new ValueError("must be a string", `${at}.description`);
      }
      if (entry.readAllFolders !== undefined && typeof entry.readAllFolders !== "boolean") {
        throw new ValueError("must be true or false", `${at}.readAllFolders`);
      }
      return {
        name: entry.name,
        precedence,
        ...(entry.description !== undefined ? { description: entry.description as string } : {}),
        readAllFolders: (entry.readAllFolders as boolean | undefined) ?? false,
      };
    });
    const seenNames = new Map<string, number>();
    const seenPrecedence = new Map<number, number>();
    groups.forEach((g, i) => {
      // IAM role names are case-insensitive, so group names must differ by more than case.
      const key = g.name.toLowerCase();
      if (seenNames.has(key)) {
        throw new ValueError(`duplicate group name ${JSON.stringify(g.name)} (also at [${seenNames.get(key)}]); names must be unique`, `[${i}].name`);
      }
      if (seenPrecedence.has(g.precedence)) {
        throw new ValueError(
          `duplicate precedence ${g.precedence} (also at [${seenPrecedence.get(g.precedence)}]); a user in both groups would get no role`,
          `[${i}].precedence`,
        );
      }
      seenNames.set(key, i);
      seenPrecedence.set(g.precedence, i);
    });
    return groups;
  },
};

/** Cognito takes at most 100 callback and 100 sign-out URLs per app client. */
const MAX_REDIRECT_URLS = 100;
/** Browser origins of the Files API: a handful of apps; more is a sign of a wildcard in disguise. */
const MAX_CORS_ORIGINS = 20;

/** A string that is either empty (not used) or passes `problem`. */
const optionalString = (problem: (value: string) => string | undefined): KeySpec<string> =>
  str((v) => {
    const why = v === "" ? undefined : problem(v);
    if (why) throw new ValueError(why);
  });

/** Every key of the project's namespace, with its type. Pulumi.yaml must declare exactly these. */
export const STAGE_CONFIG_KEYS = {
  prefix: str((v) => {
    const problems = storagePrefixProblems(v);
    if (problems.length > 0) throw new ValueError(`${JSON.stringify(v)} ${problems.join("; ")}. Allowed: ${PREFIX_RULES}`);
  }),
  groups: groupsSpec,
  roleMapping: oneOf(ROLE_MAPPING_TYPES),
  allowSelfSignUp: bool,
  mfa: oneOf(MFA_MODES),
  deletionProtection: bool,
  userPoolTier: oneOf(USER_POOL_TIERS),
  callbackUrls: stringArray(checkRedirectUrl, 1, MAX_REDIRECT_URLS),
  logoutUrls: stringArray(checkRedirectUrl, 1, MAX_REDIRECT_URLS),
  hostedUiDomainPrefix: optionalString((v) => {
    const problem = domainPrefixProblem(v);
    return problem && `${problem}; or "" for <project>-<stack>-<random>`;
  }),
  customDomain: optionalString(customDomainProblem),
  customDomainCertificateArn: optionalString(certificateArnProblem),
  loginUi: oneOf(LOGIN_UIS),
  sesSourceArn: optionalString(sesIdentityArnProblem),
  sesFromAddress: optionalString(fromAddressProblem),
  idTokenValidityMinutes: int(5, 1440),
  accessTokenValidityMinutes: int(5, 1440),
  refreshTokenValidityDays: int(1, 3650),
  encryption: oneOf(BUCKET_ENCRYPTIONS),
  abortIncompleteUploadDays: int(1, 365),
  noncurrentVersionExpirationDays: int(1, 3650),
  forceDestroy: bool,
  corsOrigins: stringArray(
    (origin, stack) => {
      const problem = corsOriginProblem(origin, stack === "dev");
      if (problem) throw new ValueError(problem);
    },
    0,
    MAX_CORS_ORIGINS,
  ),
  maxUploadBytes: int(1, MAX_UPLOAD_BYTES_LIMIT),
  presignedUrlMaxSeconds: int(PRESIGNED_URL_SECONDS.min, PRESIGNED_URL_SECONDS.max),
  credentialsCacheSeconds: int(CREDENTIALS_CACHE_SECONDS.min, CREDENTIALS_CACHE_SECONDS.max),
  filesApiTimeoutSeconds: int(FUNCTION_TIMEOUT_SECONDS.min, FUNCTION_TIMEOUT_SECONDS.max),
  apiThrottleBurstLimit: int(THROTTLE_LIMITS.burst.min, THROTTLE_LIMITS.burst.max),
  apiThrottleRateLimit: int(THROTTLE_LIMITS.rate.min, THROTTLE_LIMITS.rate.max),
  logRetentionDays: intOneOf(LOG_RETENTION_DAYS),
} satisfies Record<string, KeySpec<unknown>>;

type Parsed = { [K in keyof typeof STAGE_CONFIG_KEYS]: ReturnType<(typeof STAGE_CONFIG_KEYS)[K]["parse"]> };

/** Keys that only make sense together (each valid on its own). */
function crossKeyProblems(values: Parsed): ConfigProblem[] {
  const key = (name: keyof Parsed) => `${PROJECT}:${name}`;
  const problems: ConfigProblem[] = [];
  if ((values.customDomain === "") !== (values.customDomainCertificateArn === "")) {
    problems.push({ key: key(values.customDomain ? "customDomainCertificateArn" : "customDomain"), message: "customDomain and customDomainCertificateArn go together: set both or neither" });
  }
  if (values.customDomain && values.hostedUiDomainPrefix) {
    problems.push({ key: key("hostedUiDomainPrefix"), message: `must be "" when customDomain is set (the sign-in domain is one or the other)` });
  }
  if (values.sesFromAddress && !values.sesSourceArn) {
    problems.push({ key: key("sesFromAddress"), message: "needs sesSourceArn (the verified SES identity that sends as this address)" });
  }
  return problems;
}

/**
 * Types and checks the raw configuration (`pulumi.runtime.allConfig()`: full keys to strings).
 * Throws one StageConfigError listing every problem; returns only a fully valid config.
 */
export function loadStageConfig(rawConfig: Record<string, string>, stack: string): StageConfig {
  const problems: ConfigProblem[] = [];
  const parsed: Partial<Record<string, unknown>> = {};
  const namespace = `${PROJECT}:`;
  const known = Object.keys(STAGE_CONFIG_KEYS);

  for (const fullKey of Object.keys(rawConfig)) {
    if (fullKey.startsWith(namespace) && !known.includes(fullKey.slice(namespace.length))) {
      problems.push({ key: fullKey, message: `unknown key; known keys: ${known.join(", ")}` });
    }
  }
  for (const [key, spec] of Object.entries(STAGE_CONFIG_KEYS)) {
    const fullKey = namespace + key;
    const raw = rawConfig[fullKey];
    if (raw === undefined) {
      problems.push({ key: fullKey, message: "is not set (Pulumi.yaml declares a default for it: is this project's Pulumi.yaml in use?)" });
      continue;
    }
    try {
      parsed[key] = (spec as KeySpec<unknown>).parse(raw, stack);
    } catch (e) {
      if (!(e instanceof ValueError)) throw e;
      problems.push({ key: fullKey + e.path, message: e.message });
    }
  }
  const region = rawConfig["aws:region"];
  if (region === undefined || !REGION.test(region)) {
    problems.push({ key: "aws:region", message: `${region === undefined ? "is not set" : JSON.stringify(region) + " is not an AWS region"}; set it in Pulumi.${stack}.yaml (e.g. ap-northeast-1)` });
  }
  if (problems.length === 0) problems.push(...crossKeyProblems(parsed as Parsed));
  const stageName = stageNameProblem(stack);
  if (stageName) problems.push({ key: "stack", message: stageName });
  else if (parsed.groups) for (const [i, message] of groupNameProblems(stack, parsed.groups as GroupConfig[])) problems.push({ key: `${namespace}groups[${i}].name`, message });
  if (problems.length > 0) throw new StageConfigError(stack, problems);
  const values = parsed as Parsed;
  return { stack, region: region!, ...values };
}
