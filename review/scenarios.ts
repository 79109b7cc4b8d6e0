/**
 * The scenarios of a review: for every role, every S3 action on every interesting resource, the
 * list prefixes that could leak names, TLS, trust and role mapping. Each carries the decision the
 * intent expects and, when that decision is a denial, the control that proves the denial is not
 * vacuous: the same request by the owner (allowed), or else the same request under a permissive
 * control policy (evaluable and allowed).
 */
import { scenarioIdentities, type IdentityName, type ScenarioIdentities } from "./identities";
import { folderOf, identityRoot, intendedDecision, sharedPrefixOf, type Expectation, type IntendedTarget } from "./intent";
import { bucketArnOf, type ReviewTarget, type RoleUnderReview } from "./review-target";
import { allS3Actions, exampleArn, type S3Action } from "../iam/s3-actions";
import type { ForeignPrincipal } from "../iam/principals";
import { basicSamples, derivedSamples } from "./samples";
import { foreignPrincipalsOf } from "./prover/foreign-queries";

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
  /** The caller's identity id (absent for a foreign principal without one). */
  callerId?: string;
  /** A principal other than the reviewed roles' identities. */
  foreign?: ForeignPrincipal;
  action: string;
  resource: ResourceCase;
  /** Short description of the request context beyond TLS, e.g. `s3:prefix=private/<B>/ delimiter=/`. */
  contextLabel: string;
  context: Record<string, string | string[]>;
  deliberatelyAbsent: string[];
  expected: Expectation;
  /** Present when `expected` is a denial. */
  control?: Control;
  /**
   * The request apart from who makes it: action, resource, context and the keys left out, as
   * text. Requests of different roles built from one scenario share it (made once, not per role).
   */
  requestKey: string;
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
/** Derived keys (and prefixes) the matrix adds: those that land in another identity's area. */
const MATRIX_SAMPLES = 6;
const LIST_ACTIONS = ["s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads"];

/** Which identity's area a key (or list prefix) lies in: its folder, or its copy of a `{id}` shared folder. */
function ownerOf(target: ReviewTarget, ids: ScenarioIdentities, key: string): IdentityName | undefined {
  const areas = (id: string) => [folderOf(target.prefix, id), ...target.intent.sharedFolders.filter((f) => f.perIdentity).map((f) => sharedPrefixOf(f, id))];
  return (["A", "B", "C"] as const).find((n) => areas(ids[n]).some((a) => key.startsWith(a)) && !(n === "A" && key.startsWith(folderOf(target.prefix, ids.C))));
}

function documentsOf(target: ReviewTarget) {
  return [...target.roles.flatMap((r) => r.identityPolicies), ...(target.bucketPolicy ? [target.bucketPolicy] : [])].map((p) => p.document);
}

function objectCases(target: ReviewTarget, ids: ScenarioIdentities): ResourceCase[] {
  const arn = bucketArnOf(target);
  const p = identityRoot(target.prefix);
  const object = (label: string, key: string, owner?: IdentityName): ResourceCase => ({ label, arn: `${arn}/${key}`, target: { kind: "object", key }, ...(owner ? { owner } : {}) });
  const cases = [
    object("own object", `${folderOf(target.prefix, ids.A)}report.pdf`, "A"),
    object("B's object", `${folderOf(target.prefix, ids.B)}report.pdf`, "B"),
    object("C's object", `${folderOf(target.prefix, ids.C)}report.pdf`, "C"),
    object("nested in B's folder", `${folderOf(target.prefix, ids.B)}${folderOf(target.prefix, ids.A)}report.pdf`, "B"),
    object("prefix root", `${p}report.pdf`),
    object("bucket root", "report.pdf"),
    object("outside prefix", `other/${ids.A}/report.pdf`),
    ...target.intent.sharedFolders.flatMap((f) => (f.perIdentity ? [object(`own ${f.keyPrefix}`, `${sharedPrefixOf(f, ids.A)}report.pdf`, "A"), object(`B's ${f.keyPrefix}`, `${sharedPrefixOf(f, ids.B)}report.pdf`, "B")] : [object(`shared ${f.keyPrefix}`, `${f.keyPrefix}report.pdf`)])),
  ];
  // Keys the policies' own patterns suggest (nested folders, wildcard buckets…).
  const seen = new Set(cases.map((c) => (c.target as { key: string }).key));
  const derived = [...derivedSamples(documentsOf(target), target.bucketName, target.intent, ids.A, ids.B, true, MATRIX_SAMPLES).keys, ...basicSamples(target.intent, ids.A, ids.B).keys].filter((k) => k !== "" && !seen.has(k) && (seen.add(k), true));
  return [...cases, ...derived.map((key) => object(`key ${key.split(ids.A).join("<A>").split(ids.B).join("<B>")}`, key, ownerOf(target, ids, key)))];
}

/** `s3:prefix` values a listing may carry, and whose folder each one is. */
function listPrefixes(target: ReviewTarget, ids: ScenarioIdentities): { label: string; value?: string; owner?: IdentityName }[] {
  const own = folderOf(target.prefix, ids.A);
  const theirs = folderOf(target.prefix, ids.B);
  const root = identityRoot(target.prefix);
  const fixed: { label: string; value?: string; owner?: IdentityName }[] = [
    { label: "own folder/", value: own, owner: "A" },
    { label: "own subfolder", value: `${own}docs/`, owner: "A" },
    { label: "own partial name", value: `${own}rep`, owner: "A" },
    { label: "own folder without /", value: own.slice(0, -1) },
    { label: "B's folder", value: theirs, owner: "B" },
    { label: "nested in B's folder", value: `${theirs}${own}`, owner: "B" },
    { label: "part of B's id", value: `${root}${ids.B.slice(0, 20)}` },
    { label: "C's folder", value: folderOf(target.prefix, ids.C), owner: "C" },
    ...(target.prefix ? [{ label: "bare prefix", value: target.prefix }] : []),
    ...(root ? [{ label: "prefix/", value: root }] : []),
    { label: "empty", value: "" },
    { label: "absent" },
    ...target.intent.sharedFolders.flatMap((f) => (f.perIdentity ? [{ label: `own ${f.keyPrefix}`, value: sharedPrefixOf(f, ids.A), owner: "A" as const }, { label: `B's ${f.keyPrefix}`, value: sharedPrefixOf(f, ids.B), owner: "B" as const }, { label: f.perIdentity.before, value: f.perIdentity.before }] : [{ label: `shared ${f.keyPrefix}`, value: f.keyPrefix }])),
  ];
  const seen = new Set(fixed.map((f) => f.value));
  const derived = [...derivedSamples(documentsOf(target), target.bucketName, target.intent, ids.A, ids.B, true, MATRIX_SAMPLES).prefixes].filter((v) => !seen.has(v) && (seen.add(v), true));
  return [...fixed, ...derived.map((value) => ({ label: `prefix ${value.split(ids.A).join("<A>").split(ids.B).join("<B>")}`, value, ...(ownerOf(target, ids, value) ? { owner: ownerOf(target, ids, value)! } : {}) }))];
}

/** A scenario without its role: what every role of one class (same `readAllFolders`) is asked. */
type RolelessScenario = Omit<S3Scenario, "role" | "id" | "control"> & {
  /** The id after the role's group. */
  suffix: string;
  /** The suffix of its control's scenario (the owner's same request), when that one is allowed. */
  ownerTwin?: string;
};

export async function buildScenarios(target: ReviewTarget): Promise<Scenarios> {
  const ids = scenarioIdentities(target.region);
  const actions = await allS3Actions();
  const objects = objectCases(target, ids);
  const prefixes = listPrefixes(target, ids);
  // What a role is asked, and what it may do, depend on the role only through readAllFolders:
  // the scenarios of each class are built once and given to each of its roles.
  const classes = new Map<boolean, RolelessScenario[]>();
  const s3: S3Scenario[] = [];
  for (const role of target.roles) {
    let roleless = classes.get(role.readAllFolders);
    if (!roleless) classes.set(role.readAllFolders, (roleless = await rolelessScenarios(target, ids, actions, objects, prefixes, role.readAllFolders)));
    for (const r of roleless) {
      const { suffix, ownerTwin, ...rest } = r;
      const scenario: S3Scenario = { ...rest, role, id: scenarioId(role, suffix) };
      if (!r.expected.allow) scenario.control = ownerTwin !== undefined ? { kind: "owner", scenarioId: scenarioId(role, ownerTwin) } : { kind: "reachability" };
      s3.push(scenario);
    }
  }
  return { identities: ids, s3: [...s3, ...foreignScenarios(target, ids, actions, objects, prefixes)], trust: trustScenarios(target) };
}

const scenarioId = (role: RoleUnderReview, suffix: string) => (role.group ? `${role.group} | ${suffix}` : suffix);

const requestKeyOf = (action: string, arn: string, context: Record<string, string | string[]>, absent: string[]) => JSON.stringify([action, arn, context, absent]);

async function rolelessScenarios(
  target: ReviewTarget,
  ids: ScenarioIdentities,
  actions: S3Action[],
  objects: ResourceCase[],
  prefixes: { label: string; value?: string; owner?: IdentityName }[],
  readAllFolders: boolean,
): Promise<RolelessScenario[]> {
  const out: RolelessScenario[] = [];
  const bySuffix = new Map<string, RolelessScenario>();
  const add = (caller: IdentityName, action: S3Action, resource: ResourceCase, extra: { label: string; context: Record<string, string>; absent: string[]; listPrefix?: string; tls?: boolean }) => {
    const tls = extra.tls ?? true;
    const context = { [TLS]: tls ? "true" : "false", ...extra.context };
    const scenario: RolelessScenario = {
      kind: "s3",
      suffix: [caller, action.name, resource.label, tls ? "" : "no TLS", extra.label].filter(Boolean).join(" | "),
      caller,
      callerId: ids[caller],
      action: action.name,
      resource,
      contextLabel: [tls ? "" : "aws:SecureTransport=false", extra.label].filter(Boolean).join(" "),
      context,
      deliberatelyAbsent: extra.absent,
      expected: intendedDecision(target.intent, { action: action.name, target: resource.target, callerId: ids[caller], readAllFolders, secureTransport: tls, listPrefix: extra.listPrefix }),
      requestKey: requestKeyOf(action.name, resource.arn, context, extra.absent),
    };
    out.push(scenario);
    bySuffix.set(scenario.suffix, scenario);
  };
  const plain = { label: "", context: {}, absent: [] };
  const bucket: ResourceCase = { label: "bucket", arn: bucketArnOf(target), target: { kind: "bucket" } };
  for (const action of actions) {
    if (action.scope === "object") {
      for (const resource of objects) {
        add("A", action, resource, plain);
        // The owner's own request: the control for A being denied B's or C's object.
        if (resource.owner && resource.owner !== "A") add(resource.owner, action, resource, plain);
      }
    } else if (action.scope === "bucket" && LIST_ACTIONS.includes(action.name)) {
      const takes = (key: string) => action.conditionKeys.includes(key);
      for (const p of prefixes) {
        for (const delimiter of takes("s3:delimiter") ? [undefined, "/"] : [undefined]) {
          if (!takes("s3:prefix") && p.value !== undefined) continue;
          const context: Record<string, string> = {};
          const absent: string[] = [];
          if (p.value !== undefined) context["s3:prefix"] = p.value;
          else if (takes("s3:prefix")) absent.push("s3:prefix");
          if (delimiter) context["s3:delimiter"] = delimiter;
          else if (takes("s3:delimiter")) absent.push("s3:delimiter");
          const label = [takes("s3:prefix") ? `s3:prefix ${p.label}` : "", delimiter ? "delimiter /" : ""].filter(Boolean).join(", ");
          add("A", action, bucket, { label, context, absent, listPrefix: p.value });
          // The folder's owner listing the same prefix: the control for A being refused it.
          if (p.owner && p.owner !== "A") add(p.owner, action, bucket, { label, context, absent, listPrefix: p.value });
        }
      }
    } else if (action.scope === "bucket") {
      add("A", action, bucket, plain);
    } else {
      const type = action.resourceTypes[0];
      const arn = type ? await exampleArn(type, target.region, target.accountId) : "*";
      add("A", action, { label: type ?? "*", arn, target: { kind: "other" } }, plain);
    }
  }
  // The same owner requests without TLS.
  const own = objects[0]!;
  for (const name of ["s3:GetObject", "s3:PutObject"]) add("A", actions.find((a) => a.name === name)!, own, { ...plain, tls: false });
  const listBucket = actions.find((a) => a.name === "s3:ListBucket")!;
  const ownFolder = folderOf(target.prefix, ids.A);
  add("A", listBucket, bucket, { label: "s3:prefix own folder/", context: { "s3:prefix": ownFolder }, absent: ["s3:delimiter"], listPrefix: ownFolder, tls: false });

  // Controls for every expected denial: the owner's same request when that one is allowed, else reachability.
  for (const scenario of out) {
    if (scenario.expected.allow) continue;
    const owned = scenario.resource.owner ?? ownerOfListPrefix(target, scenario, ids);
    const tlsTwin = scenario.context[TLS] === "false" ? bySuffix.get(scenario.suffix.replace(" | no TLS", "")) : undefined;
    const ownerTwin = tlsTwin ?? (owned && owned !== scenario.caller ? bySuffix.get(`${owned}${scenario.suffix.slice(scenario.caller.length)}`) : undefined);
    if (ownerTwin?.expected.allow) scenario.ownerTwin = ownerTwin.suffix;
  }
  return out;
}

function ownerOfListPrefix(target: ReviewTarget, s: { context: Record<string, string | string[]> }, ids: ScenarioIdentities): IdentityName | undefined {
  const prefix = s.context["s3:prefix"];
  return typeof prefix === "string" ? ownerOf(target, ids, prefix) : undefined;
}

/**
 * Principals other than the reviewed roles (those the bucket policy could admit): each tries the
 * identity areas' objects and listings. Nothing is intended for them; controls are reachability
 * controls (the same request under a bucket policy that allows it).
 */
function foreignScenarios(target: ReviewTarget, ids: ScenarioIdentities, actions: S3Action[], objects: ResourceCase[], prefixes: { label: string; value?: string }[]): S3Scenario[] {
  const out: S3Scenario[] = [];
  const role = target.roles[0]!;
  const wanted = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:GetObjectVersion", "s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads"];
  const named = new Set((target.bucketPolicy?.document.Statement ?? []).flatMap((st) => (st.Effect === "Allow" ? [...(Array.isArray(st.Action) ? st.Action : st.Action ? [st.Action] : [])] : [])).map((a) => a.toLowerCase()));
  const chosen = actions.filter((a) => wanted.includes(a.name) || named.has(a.name.toLowerCase()));
  const areaObjects = objects.filter((o) => o.owner === "B" || o.label.startsWith("shared ") || o.label.startsWith("B's"));
  const areaPrefixes = prefixes.filter((p) => p.value === undefined || p.value === "" || p.label === "prefix/" || p.label === "B's folder" || p.label.startsWith("shared "));
  const bucket: ResourceCase = { label: "bucket", arn: bucketArnOf(target), target: { kind: "bucket" } };
  for (const f of foreignPrincipalsOf(target)) {
    const callerId = f.principal.kind === "aws" ? ids.D : undefined;
    const add = (action: S3Action, resource: ResourceCase, label: string, context: Record<string, string>, absent: string[]) =>
      out.push({
        kind: "s3",
        id: [`(${f.label})`, action.name, resource.label, label].filter(Boolean).join(" | "),
        role,
        caller: "A",
        ...(callerId ? { callerId } : {}),
        foreign: f,
        action: action.name,
        resource,
        contextLabel: label,
        context: { [TLS]: "true", ...context },
        deliberatelyAbsent: absent,
        expected: intendedDecision(target.intent, { action: action.name, target: resource.target, callerId: callerId ?? "", readAllFolders: false, secureTransport: true, foreign: true }),
        control: { kind: "reachability" },
        requestKey: requestKeyOf(action.name, resource.arn, { [TLS]: "true", ...context }, absent),
      });
    for (const action of chosen) {
      if (action.scope === "object") for (const o of areaObjects) add(action, o, "", {}, []);
      else if (LIST_ACTIONS.includes(action.name)) {
        const takes = action.conditionKeys.includes("s3:prefix");
        for (const p of takes ? areaPrefixes : [{ label: "absent" }]) {
          add(action, bucket, takes ? `s3:prefix ${p.label}` : "", p.value !== undefined ? { "s3:prefix": p.value } : {}, [...(p.value === undefined && takes ? ["s3:prefix"] : []), ...(action.conditionKeys.includes("s3:delimiter") ? ["s3:delimiter"] : [])]);
        }
      }
    }
  }
  return out;
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
