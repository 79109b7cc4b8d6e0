/**
 * CloudFormation's intrinsic functions, resolved as CloudFormation would at deploy time, over the
 * values a template determines. What it leaves open (a generated bucket name, an identity pool id,
 * the region, a parameter without a value) becomes a placeholder, recorded so the report can say
 * so. A condition that depends on a placeholder is not decided here: `BranchNeeded` asks the
 * caller to review the template once with it true and once with it false.
 */
import { createHash } from "node:crypto";
import { PolicyInputError } from "../../iam/document";

type Json = Record<string, unknown>;

/** `{"Ref": "AWS::NoValue"}`: the property or list element is removed. */
export const NO_VALUE = Symbol("AWS::NoValue");

/** A value another stack exports (`Fn::ImportValue`): unknown to this template. */
export class ExternalValue {
  constructor(readonly description: string) {}
  toString() {
    return this.description;
  }
}

/** The review must branch on this condition (it depends on values the template leaves open). */
export class BranchNeeded extends Error {
  constructor(readonly condition: string) {
    super(`condition ${condition} is undetermined`);
  }
}

export interface CfnResolverOptions {
  file: string;
  template: Json;
  /** Parameter values given on the command line. */
  parameters: Record<string, string>;
  /** Conditions already chosen for this branch of the review. */
  choices: Map<string, boolean>;
  /** Placeholder value → what it stands for (shared with the model). */
  placeholders: Map<string, string>;
  stackName: string;
  region: string;
  accountId: string;
  /** Resources of the other templates given with this one (a Serverless service's resources/*.yml refer to each other). */
  siblings?: Json;
}

const PSEUDO: Record<string, (o: CfnResolverOptions) => unknown> = {
  "AWS::Region": (o) => o.region,
  "AWS::AccountId": (o) => o.accountId,
  "AWS::Partition": () => "aws",
  "AWS::URLSuffix": () => "amazonaws.com",
  "AWS::StackName": (o) => o.stackName,
  "AWS::StackId": (o) => `arn:aws:cloudformation:${o.region}:${o.accountId}:stack/${o.stackName}/00000000-0000-4000-8000-000000000000`,
  "AWS::NotificationARNs": () => [],
  "AWS::NoValue": () => NO_VALUE,
};
/** Pseudo parameters whose value is the deploy's, not the template's. */
const OPEN_PSEUDO = new Set(["AWS::Region", "AWS::AccountId", "AWS::StackName", "AWS::StackId"]);

const SUPPORTED = new Set(["Ref", "Fn::GetAtt", "Fn::Join", "Fn::Sub", "Fn::Select", "Fn::Split", "Fn::If", "Fn::FindInMap", "Fn::ImportValue", "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Fn::Base64", "Fn::GetAZs", "Condition"]);

const hex = (text: string, n: number) => createHash("sha256").update(text).digest("hex").slice(0, n);
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof ExternalValue);

export class CfnResolver {
  private readonly resources: Json;
  private readonly naming: string[] = [];
  private readonly evaluating: string[] = [];
  /** Counts placeholders produced, so a condition can tell whether its operands were open. */
  private openValues = 0;

  constructor(private readonly o: CfnResolverOptions) {
    this.resources = { ...(o.siblings ?? {}), ...(isObject(o.template.Resources) ? o.template.Resources : {}) };
  }

  private fail(where: string, message: string): never {
    throw new PolicyInputError(`${this.o.file}: ${where}: ${message}`);
  }

  private placeholder(value: string, meaning: string): string {
    this.openValues++;
    if (!this.o.placeholders.has(value)) this.o.placeholders.set(value, meaning);
    return value;
  }

  /** A deterministic stand-in name CloudFormation would generate (`<stack>-<logicalid>-…`), valid as a bucket or role name. */
  private generatedName(logicalId: string): string {
    // From the logical id alone: templates read together (Serverless resource files) name it alike.
    const base = logicalId.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 50);
    return this.placeholder(`${base}-${hex(logicalId, 8)}`, `the name CloudFormation generates for ${logicalId}`);
  }

  resourceType(logicalId: string): string | undefined {
    const r = this.resources[logicalId];
    return isObject(r) && typeof r.Type === "string" ? r.Type : undefined;
  }

  properties(logicalId: string): Json {
    const r = this.resources[logicalId];
    return isObject(r) && isObject(r.Properties) ? r.Properties : {};
  }

  /** Whether the resource exists in this branch (its `Condition`, if any, holds). */
  exists(logicalId: string): boolean {
    const r = this.resources[logicalId];
    return isObject(r) && (typeof r.Condition !== "string" || this.condition(r.Condition));
  }

  private nameProperty(logicalId: string, property: string): string | undefined {
    const raw = this.properties(logicalId)[property];
    if (raw === undefined) return undefined;
    if (this.naming.includes(logicalId)) this.fail(`Resources.${logicalId}`, `circular reference: ${[...this.naming, logicalId].join(" → ")}`);
    this.naming.push(logicalId);
    try {
      const v = this.resolve(raw, `Resources.${logicalId}.Properties.${property}`);
      return typeof v === "string" ? v : undefined;
    } finally {
      this.naming.pop();
    }
  }

  /** What `Ref` returns for a resource: its physical name or id. */
  physicalId(logicalId: string): string {
    const type = this.resourceType(logicalId);
    const { region } = this.o;
    switch (type) {
      case "AWS::S3::Bucket":
        return this.nameProperty(logicalId, "BucketName") ?? this.generatedName(logicalId);
      case "AWS::IAM::Role":
        return this.nameProperty(logicalId, "RoleName") ?? this.generatedName(logicalId);
      case "AWS::IAM::ManagedPolicy":
        return `arn:aws:iam::${this.o.accountId}:policy${this.nameProperty(logicalId, "Path") ?? "/"}${this.nameProperty(logicalId, "ManagedPolicyName") ?? this.generatedName(logicalId)}`;
      case "AWS::Cognito::IdentityPool": {
        const h = hex(logicalId, 32);
        return this.placeholder(`${region}:${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`, `the id CloudFormation's identity pool ${logicalId} gets`);
      }
      case "AWS::Cognito::UserPool":
        return this.placeholder(`${region}_${hex(logicalId, 9)}`, `the id of user pool ${logicalId}`);
      default:
        return logicalId;
    }
  }

  private getAtt(logicalId: string, attribute: string): unknown {
    const type = this.resourceType(logicalId);
    if (!type) return this.placeholder(attribute === "Arn" ? `arn:aws:unknown:${this.o.region}:${this.o.accountId}:${logicalId}` : `${logicalId}.${attribute}`, `${logicalId}.${attribute}; ${logicalId} is not defined in these inputs`);
    const { region, accountId } = this.o;
    const id = () => this.physicalId(logicalId);
    const known: Record<string, Record<string, () => string>> = {
      "AWS::S3::Bucket": { Arn: () => `arn:aws:s3:::${id()}`, DomainName: () => `${id()}.s3.amazonaws.com`, RegionalDomainName: () => `${id()}.s3.${region}.amazonaws.com` },
      "AWS::IAM::Role": { Arn: () => this.roleArn(logicalId), RoleId: () => this.placeholder(`AROA${hex(logicalId, 17).toUpperCase()}`, `the unique id of role ${logicalId}`) },
      "AWS::IAM::ManagedPolicy": { PolicyArn: id },
      "AWS::Cognito::IdentityPool": { Id: id, Name: () => logicalId },
      "AWS::Cognito::UserPool": {
        Arn: () => `arn:aws:cognito-idp:${region}:${accountId}:userpool/${id()}`,
        ProviderName: () => `cognito-idp.${region}.amazonaws.com/${id()}`,
        ProviderURL: () => `https://cognito-idp.${region}.amazonaws.com/${id()}`,
        UserPoolId: id,
      },
    };
    const fn = known[type!]?.[attribute];
    if (fn) return fn();
    if (attribute === "Arn") {
      const [, service = "unknown", kind = "resource"] = type!.split("::");
      return `arn:aws:${service.toLowerCase()}:${region}:${accountId}:${kind.toLowerCase()}/${logicalId}`;
    }
    return `${logicalId}.${attribute}`;
  }

  roleArn(logicalId: string): string {
    return `arn:aws:iam::${this.o.accountId}:role${this.nameProperty(logicalId, "Path") ?? "/"}${this.physicalId(logicalId)}`;
  }

  private ref(name: string, where: string): unknown {
    if (name in PSEUDO) {
      const v = PSEUDO[name]!(this.o);
      return OPEN_PSEUDO.has(name) ? this.placeholder(v as string, `${name}, the deploy's`) : v;
    }
    const params = isObject(this.o.template.Parameters) ? this.o.template.Parameters : {};
    if (name in params) {
      const declared = isObject(params[name]) ? (params[name] as Json) : {};
      const given = this.o.parameters[name];
      const value = given ?? (declared.Default !== undefined ? String(declared.Default) : undefined);
      const list = typeof declared.Type === "string" && /^(CommaDelimitedList|List<)/.test(declared.Type);
      if (value === undefined) {
        const stand = this.placeholder(`param-${name.toLowerCase().replace(/[^a-z0-9-]+/g, "-")}`, `parameter ${name}, which has no default and was not given (--parameter ${name}=…)`);
        return list ? [stand] : stand;
      }
      return list ? value.split(",") : value;
    }
    if (name in this.resources) return this.physicalId(name);
    // A framework's generated resource (Serverless's ApiGatewayRestApi) or one of a file not given.
    if (/^[A-Za-z0-9]+$/.test(name)) return this.placeholder(name, `Ref ${name}; ${name} is not defined in these inputs`);
    this.fail(where, `Ref to ${name}, which is not a parameter, resource or pseudo parameter of this template`);
  }

  condition(name: string): boolean {
    const chosen = this.o.choices.get(name);
    if (chosen !== undefined) return chosen;
    const conditions = isObject(this.o.template.Conditions) ? this.o.template.Conditions : {};
    if (!(name in conditions)) this.fail(`Conditions`, `condition ${name} is not defined`);
    if (this.evaluating.includes(name)) this.fail(`Conditions.${name}`, `circular reference: ${[...this.evaluating, name].join(" → ")}`);
    this.evaluating.push(name);
    const before = this.openValues;
    try {
      const v = this.resolve(conditions[name], `Conditions.${name}`);
      if (this.openValues !== before) throw new BranchNeeded(name);
      if (typeof v !== "boolean") this.fail(`Conditions.${name}`, "does not evaluate to true or false");
      return v;
    } finally {
      this.evaluating.pop();
    }
  }

  /** Resolves every intrinsic in `value`; `where` names its place in the template for error messages. */
  resolve(value: unknown, where: string): unknown {
    if (Array.isArray(value)) return value.map((v, i) => this.resolve(v, `${where}[${i}]`)).filter((v) => v !== NO_VALUE);
    if (!isObject(value)) return value;
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === "Ref" || keys[0]!.startsWith("Fn::") || (keys[0] === "Condition" && where.startsWith("Conditions")))) {
      return this.intrinsic(keys[0]!, value[keys[0]!], `${where}.${keys[0]}`);
    }
    const out: Json = {};
    for (const k of keys) {
      const v = this.resolve(value[k], `${where}.${k}`);
      if (v !== NO_VALUE) out[k] = v;
    }
    return out;
  }

  private str(value: unknown, where: string): string | ExternalValue {
    const v = this.resolve(value, where);
    if (typeof v === "string" || v instanceof ExternalValue) return v;
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    this.fail(where, "must be a string");
  }

  private list(value: unknown, where: string): unknown[] {
    const v = this.resolve(value, where);
    if (!Array.isArray(v)) this.fail(where, "must be a list");
    return v;
  }

  private intrinsic(fn: string, arg: unknown, where: string): unknown {
    if (!SUPPORTED.has(fn)) this.fail(where, `unknown or unsupported intrinsic function ${fn}`);
    const args = (n: number) => {
      if (!Array.isArray(arg) || arg.length !== n) this.fail(where, `takes a list of ${n}`);
      return arg;
    };
    switch (fn) {
      case "Ref":
        if (typeof arg !== "string") this.fail(where, "takes a name");
        return this.ref(arg, where);
      case "Condition":
        if (typeof arg !== "string") this.fail(where, "takes a condition name");
        return this.condition(arg);
      case "Fn::GetAtt": {
        const [res, attr] = typeof arg === "string" ? [arg.slice(0, arg.indexOf(".")), arg.slice(arg.indexOf(".") + 1)] : args(2);
        return this.getAtt(String(res), String(this.resolve(attr, where)));
      }
      case "Fn::Join": {
        const [sep, items] = args(2);
        const parts = this.list(items, where).map((p, i) => (typeof p === "string" || p instanceof ExternalValue ? p : this.str(p, `${where}[${i}]`)));
        const external = parts.find((p) => p instanceof ExternalValue);
        return external ?? parts.join(String(sep));
      }
      case "Fn::Select": {
        const [index, items] = args(2);
        const list = this.list(items, where);
        const i = Number(this.resolve(index, where));
        // A list split from a placeholder (a stack name, say) has parts this template cannot know.
        const open = list.some((x) => typeof x === "string" && [...this.o.placeholders.keys()].some((p) => x.length > 0 && p.includes(x)));
        if (open && Number.isInteger(i) && i >= list.length) return this.placeholder(`part${i}-${hex(JSON.stringify(list), 6)}`, `part ${i} of ${list.join("-")}, unknown until deploy`);
        if (!Number.isInteger(i) || i < 0 || i >= list.length) this.fail(where, `index ${i} is outside the list of ${list.length}`);
        return list[i];
      }
      case "Fn::Split": {
        const [sep, text] = args(2);
        const s = this.str(text, where);
        return s instanceof ExternalValue ? [s] : s.split(String(sep));
      }
      case "Fn::If": {
        const [cond, yes, no] = args(3);
        return this.condition(String(cond)) ? this.resolve(yes, `${where}[1]`) : this.resolve(no, `${where}[2]`);
      }
      case "Fn::Sub":
        return this.sub(arg, where);
      case "Fn::FindInMap": {
        const [map, top, second] = args(3).map((a, i) => this.str(a, `${where}[${i}]`));
        const mappings = isObject(this.o.template.Mappings) ? this.o.template.Mappings : {};
        const value = (mappings[String(map)] as Json | undefined)?.[String(top)] as Json | undefined;
        if (!isObject(value) || !(String(second) in value)) this.fail(where, `no mapping ${map} › ${top} › ${second}`);
        return value[String(second)];
      }
      case "Fn::ImportValue":
        return new ExternalValue(`another stack's export ${String(this.str(arg, where))}`);
      case "Fn::Equals": {
        const [a, b] = args(2).map((x, i) => this.resolve(x, `${where}[${i}]`));
        return JSON.stringify(a) === JSON.stringify(b);
      }
      case "Fn::And":
      case "Fn::Or": {
        const values = this.list(arg, where).map((v) => v === true);
        return fn === "Fn::And" ? values.every(Boolean) : values.some(Boolean);
      }
      case "Fn::Not":
        return this.resolve(args(1)[0], where) !== true;
      case "Fn::Base64":
        return this.str(arg, where);
      default: // Fn::GetAZs
        return [`${this.o.region}a`, `${this.o.region}b`];
    }
  }

  /** `Fn::Sub`: `${Name}`, `${Resource.Attribute}`, variables of its map; `${!Literal}` is written as `${Literal}`. */
  private sub(arg: unknown, where: string): unknown {
    const [template, vars] = typeof arg === "string" ? [arg, {}] : Array.isArray(arg) && arg.length === 2 && typeof arg[0] === "string" && isObject(arg[1]) ? [arg[0], arg[1]] : this.fail(where, "takes a string, or a string and a map of variables");
    let external: ExternalValue | undefined;
    const text = template.replace(/\$\{([^}]*)\}/g, (_, inner: string) => {
      if (inner.startsWith("!")) return `\${${inner.slice(1)}}`;
      const name = inner.trim();
      let v: unknown;
      if (name in vars) v = this.resolve(vars[name], `${where}.${name}`);
      else if (/^[A-Za-z0-9]+\.[A-Za-z0-9.]+$/.test(name)) v = this.getAtt(name.slice(0, name.indexOf(".")), name.slice(name.indexOf(".") + 1));
      else if (name in PSEUDO || /^[A-Za-z0-9]+$/.test(name)) v = this.ref(name, where);
      else {
        const hint = name.includes(":") ? ` (an IAM policy variable is written \${!${name}} inside Fn::Sub)` : "";
        this.fail(where, `\${${name}} is not a parameter, resource, attribute or variable${hint}`);
      }
      if (v instanceof ExternalValue) external = v;
      return String(v);
    });
    return external ?? text;
  }
}
