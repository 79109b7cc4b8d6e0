/**
 * The scenarios of a review: for every role, every S3 action on every interesting resource, the
 * list prefixes that could leak names, TLS, trust and role mapping. Each carries the decision the
 * intent expects and, when that decision is a denial, the control that proves the denial is not
 * vacuous: the same request by the owner (allowed), or else the same request under a permissive
 * control policy (evaluable and allowed).
 */
import { scenarioIdentities, type IdentityName, type ScenarioIdentities } from "./identities";
import { intendedDecision, type Expectation, type IntendedTarget } from "./intent";
import { bucketArnOf, type ReviewTarget, type RoleUnderReview } from "./review-target";
import { allS3Actions, exampleArn, type S3Action } from "../iam/s3-actions";

export type Control = { kind: "owner"; scenarioId: string } | { kind: "reachability" };

export interface ResourceCase {
  label: string;
  arn: string;
  target: IntendedTarget;
  /** The identity whose folder holds it, if any. */
  owner?: IdentityName;
}

export interface S3Scenario {
  kind: "s3";
  id: string;
  role: RoleUnderReview;
  caller: IdentityName;
  callerId: string;
  action: string;
  resource: ResourceCase;
  /** Short description of the request context beyond TLS, e.g. `s3:prefix=private/<B>/ delimiter=/`. */
  contextLabel: string;
  context: Record<string, string | string[]>;
  deliberatelyAbsent: string[];
  expected: Expectation;
  /** Present when `expected` is a denial. */
  control?: Control;
}

export interface TrustScenario {
  kind: "trust";
  id: string;
  role: RoleUnderReview;
  label: string;
  context: Record<string, string | string[]>;
  deliberatelyAbsent: string[];
  expected: Expectation;
  /** The allowed request (this pool, authenticated) that a denial is compared with. */
  controlId?: string;
}

export interface Scenarios {
  identities: ScenarioIdentities;
  s3: S3Scenario[];
  trust: TrustScenario[];
}

const TLS = "aws:SecureTransport";
const LIST_ACTIONS = ["s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads"];

function objectCases(target: ReviewTarget, ids: ScenarioIdentities): ResourceCase[] {
  const arn = bucketArnOf(target);
  const p = target.prefix;
  const object = (label: string, key: string, owner?: IdentityName): ResourceCase => ({ label, arn: `${arn}/${key}`, target: { kind: "object", key }, ...(owner ? { owner } : {}) });
  return [
    object("own object", `${p}/${ids.A}/report.pdf`, "A"),
    object("B's object", `${p}/${ids.B}/report.pdf`, "B"),
    object("C's object", `${p}/${ids.C}/report.pdf`, "C"),
    object("prefix root", `${p}/report.pdf`),
    object("bucket root", "report.pdf"),
    object("outside prefix", `other/${ids.A}/report.pdf`),
  ];
}

/** `s3:prefix` values a listing may carry, and whose folder each one is. */
function listPrefixes(prefix: string, ids: ScenarioIdentities): { label: string; value?: string; owner?: IdentityName }[] {
  return [
    { label: "own folder/", value: `${prefix}/${ids.A}/`, owner: "A" },
    { label: "own subfolder", value: `${prefix}/${ids.A}/docs/`, owner: "A" },
    { label: "own folder without /", value: `${prefix}/${ids.A}` },
    { label: "B's folder", value: `${prefix}/${ids.B}/`, owner: "B" },
    { label: "C's folder", value: `${prefix}/${ids.C}/`, owner: "C" },
    { label: "bare prefix", value: prefix },
    { label: "prefix/", value: `${prefix}/` },
    { label: "empty", value: "" },
    { label: "absent" },
  ];
}

export async function buildScenarios(target: ReviewTarget): Promise<Scenarios> {
  const ids = scenarioIdentities(target.region);
  const actions = await allS3Actions();
  const s3: S3Scenario[] = [];
  const byId = new Map<string, S3Scenario>();

  const add = (
    role: RoleUnderReview,
    caller: IdentityName,
    action: S3Action,
    resource: ResourceCase,
    extra: { label: string; context: Record<string, string>; absent: string[]; listPrefix?: string; tls?: boolean },
  ): S3Scenario => {
    const tls = extra.tls ?? true;
    const scenario: S3Scenario = {
      kind: "s3",
      id: [role.group, caller, action.name, resource.label, tls ? "" : "no TLS", extra.label].filter(Boolean).join(" | "),
      role,
      caller,
      callerId: ids[caller],
      action: action.name,
      resource,
      contextLabel: [tls ? "" : "aws:SecureTransport=false", extra.label].filter(Boolean).join(" "),
      context: { [TLS]: tls ? "true" : "false", ...extra.context },
      deliberatelyAbsent: extra.absent,
      expected: intendedDecision(target.prefix, {
        action: action.name,
        target: resource.target,
        callerId: ids[caller],
        readAllFolders: role.readAllFolders,
        secureTransport: tls,
        listPrefix: extra.listPrefix,
      }),
    };
    s3.push(scenario);
    byId.set(scenario.id, scenario);
    return scenario;
  };
  const plain = { label: "", context: {}, absent: [] };

  const bucket: ResourceCase = { label: "bucket", arn: bucketArnOf(target), target: { kind: "bucket" } };
  for (const role of target.roles) {
    for (const action of actions) {
      if (action.scope === "object") {
        for (const resource of objectCases(target, ids)) {
          add(role, "A", action, resource, plain);
          // The owner's own request: the control for A being denied B's or C's object.
          if (resource.owner && resource.owner !== "A") add(role, resource.owner, action, resource, plain);
        }
      } else if (action.scope === "bucket" && LIST_ACTIONS.includes(action.name)) {
        const takes = (key: string) => action.conditionKeys.includes(key);
        for (const p of listPrefixes(target.prefix, ids)) {
          for (const delimiter of takes("s3:delimiter") ? [undefined, "/"] : [undefined]) {
            if (!takes("s3:prefix") && p.value !== undefined) continue;
            const context: Record<string, string> = {};
            const absent: string[] = [];
            if (p.value !== undefined) context["s3:prefix"] = p.value;
            else if (takes("s3:prefix")) absent.push("s3:prefix");
            if (delimiter) context["s3:delimiter"] = delimiter;
            else if (takes("s3:delimiter")) absent.push("s3:delimiter");
            const label = [takes("s3:prefix") ? `s3:prefix ${p.label}` : "", delimiter ? "delimiter /" : ""].filter(Boolean).join(", ");
            add(role, "A", action, bucket, { label, context, absent, listPrefix: p.value });
            // The folder's owner listing the same prefix: the control for A being refused it.
            if (p.owner && p.owner !== "A") add(role, p.owner, action, bucket, { label, context, absent, listPrefix: p.value });
          }
        }
      } else if (action.scope === "bucket") {
        add(role, "A", action, bucket, plain);
      } else {
        const type = action.resourceTypes[0];
        const arn = type ? await exampleArn(type, target.region, target.accountId) : "*";
        add(role, "A", action, { label: type ?? "*", arn, target: { kind: "other" } }, plain);
      }
    }
    // The same owner requests without TLS.
    const own = objectCases(target, ids)[0]!;
    for (const name of ["s3:GetObject", "s3:PutObject"]) add(role, "A", actions.find((a) => a.name === name)!, own, { ...plain, tls: false });
    const listBucket = actions.find((a) => a.name === "s3:ListBucket")!;
    const ownFolder = `${target.prefix}/${ids.A}/`;
    add(role, "A", listBucket, bucket, { label: "s3:prefix own folder/", context: { "s3:prefix": ownFolder }, absent: ["s3:delimiter"], listPrefix: ownFolder, tls: false });
  }

  // Controls for every expected denial.
  for (const scenario of s3) {
    if (scenario.expected.allow) continue;
    const owned = scenario.resource.owner ?? ownerOfListPrefix(scenario, ids);
    const tlsTwin = scenario.context[TLS] === "false" ? byId.get(scenario.id.replace(" | no TLS", "")) : undefined;
    const ownerTwin = tlsTwin ?? (owned && owned !== scenario.caller ? byId.get(scenario.id.replace(`| ${scenario.caller} |`, `| ${owned} |`)) : undefined);
    scenario.control = ownerTwin?.expected.allow ? { kind: "owner", scenarioId: ownerTwin.id } : { kind: "reachability" };
  }

  return { identities: ids, s3, trust: trustScenarios(target) };
}

function ownerOfListPrefix(s: S3Scenario, ids: ScenarioIdentities): IdentityName | undefined {
  const prefix = s.context["s3:prefix"];
  if (typeof prefix !== "string") return undefined;
  return (["B", "C"] as const).find((n) => prefix.endsWith(`/${ids[n]}/`));
}

function trustScenarios(target: ReviewTarget): TrustScenario[] {
  const aud = "cognito-identity.amazonaws.com:aud";
  const amr = "cognito-identity.amazonaws.com:amr";
  const signedIn = ["authenticated", `cognito-idp.${target.region}.amazonaws.com/${target.region}_Example`];
  const otherPool = `${target.region}:00000000-0000-4000-8000-000000000000`;
  const out: TrustScenario[] = [];
  for (const role of target.roles) {
    if (!role.trustPolicy) continue;
    const id = (label: string) => `${role.group} | trust | ${label}`;
    const allowedId = id("this pool, authenticated");
    const cases: [string, Record<string, string | string[]>, string[], Expectation][] = [
      ["this pool, authenticated", { [aud]: target.identityPoolId, [amr]: signedIn }, [], { allow: true, reason: "this identity pool's signed-in identities" }],
      ["another pool, authenticated", { [aud]: otherPool, [amr]: signedIn }, [], { allow: false, reason: "tokens from another identity pool" }],
      ["this pool, unauthenticated", { [aud]: target.identityPoolId, [amr]: ["unauthenticated"] }, [], { allow: false, reason: "guests" }],
      ["this pool, no amr", { [aud]: target.identityPoolId }, [amr], { allow: false, reason: "no authentication method" }],
      ["no aud, authenticated", { [amr]: signedIn }, [aud], { allow: false, reason: "no identity pool named" }],
    ];
    for (const [label, context, absent, expected] of cases) {
      out.push({ kind: "trust", id: id(label), role, label, context, deliberatelyAbsent: absent, expected, ...(expected.allow ? {} : { controlId: allowedId }) });
    }
  }
  return out;
}
