/**
 * `--template FILE` (repeatable; a directory means every template in it): read each file, detect
 * its format from its content (or take `--template-format`), and build review targets from the
 * model of all of them together. A template whose conditions depend on values it leaves open is
 * read once per branch (each reviewed; the verdict is the worst).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PolicyInputError } from "../../iam/document";
import type { ReviewTarget } from "../review-target";
import { BranchNeeded } from "./cfn-intrinsics";
import { looksLikeCloudFormation, readCloudFormation } from "./cloudformation";
import { looksLikeAwsCli, readAwsCli } from "./aws-cli";
import { parseLocated, type LocatedDocument } from "./located";
import { mergeModels, type InputModel } from "./model";
import { looksLikePulumiExport, readPulumiExport } from "./pulumi";
import { looksLikeTerraform, readTerraform } from "./terraform";
import { targetsFromModel, type TargetFlags } from "./to-targets";

export const TEMPLATE_FORMATS = ["cloudformation", "terraform", "pulumi", "aws-cli"] as const;
export type TemplateFormat = (typeof TEMPLATE_FORMATS)[number];

/** Larger inputs are refused before they are parsed (CloudFormation's own template limit is 1 MB). */
export const MAX_INPUT_BYTES = 5 * 1024 * 1024;
/** Branches of undetermined conditions reviewed at most; past it, parameters must decide some. */
export const MAX_VARIANTS = 16;

export interface TemplateOptions extends Omit<TargetFlags, "variant"> {
  templates: string[];
  format?: TemplateFormat;
  /** CloudFormation parameter values. */
  parameters: Record<string, string>;
}

const TEMPLATE_FILE = /\.(json|ya?ml)$/i;

function expand(entry: string): { file: string; fromDirectory: boolean }[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(entry);
  } catch {
    throw new PolicyInputError(`${entry}: no such file or directory`);
  }
  if (!stat.isDirectory()) return [{ file: entry, fromDirectory: false }];
  const names = fs.readdirSync(entry).filter((n) => TEMPLATE_FILE.test(n) && fs.statSync(path.join(entry, n)).isFile()).sort();
  // cdk.out: the stacks are *.template.json; manifest.json and tree.json are the assembly's own.
  const templates = names.filter((n) => /\.template\.(json|ya?ml)$/i.test(n));
  return (templates.length ? templates : names).map((n) => ({ file: path.join(entry, n), fromDirectory: true }));
}

function readText(file: string): string {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    throw new PolicyInputError(`${file}: no such file`);
  }
  if (size > MAX_INPUT_BYTES) throw new PolicyInputError(`${file}: ${(size / 1024 / 1024).toFixed(1)} MB; inputs over ${MAX_INPUT_BYTES / 1024 / 1024} MB are refused`);
  return fs.readFileSync(file, "utf8");
}

function detect(doc: LocatedDocument): TemplateFormat | undefined {
  const v = doc.value;
  if (looksLikeTerraform(v)) return "terraform";
  if (looksLikePulumiExport(v)) return "pulumi";
  if (looksLikeCloudFormation(v)) return "cloudformation";
  if (looksLikeAwsCli(v)) return "aws-cli";
  return undefined;
}

interface ParsedInput {
  file: string;
  doc: LocatedDocument;
  format: TemplateFormat;
}

function readOne(input: ParsedInput, all: ParsedInput[], options: TemplateOptions, choices: Map<string, boolean>): InputModel {
  const { file, doc, format } = input;
  switch (format) {
    case "cloudformation": {
      const others = all.filter((i) => i !== input && i.format === "cloudformation").map((i) => (i.doc.value as { Resources?: Record<string, unknown> }).Resources ?? {});
      return readCloudFormation(file, doc, { parameters: options.parameters, choices, siblings: Object.assign({}, ...others) as Record<string, unknown> });
    }
    case "terraform":
      return readTerraform(file, doc);
    case "pulumi":
      return readPulumiExport(file, doc);
    default:
      return readAwsCli(file, doc);
  }
}

/** Every branch of the inputs' undetermined conditions, each as one model. */
function models(inputs: ParsedInput[], options: TemplateOptions): { model: InputModel; variant?: string }[] {
  const done: { model: InputModel; variant?: string }[] = [];
  const queue: Map<string, boolean>[] = [new Map()];
  while (queue.length > 0) {
    const choices = queue.shift()!;
    try {
      const model = mergeModels(inputs.map((i) => readOne(i, inputs, options, choices)));
      done.push({ model, ...(choices.size ? { variant: [...choices].map(([c, v]) => `${c}=${v}`).join(", ") } : {}) });
    } catch (e) {
      if (!(e instanceof BranchNeeded)) throw e;
      if (done.length + queue.length + 2 > MAX_VARIANTS) {
        throw new PolicyInputError(`the templates' conditions leave more than ${MAX_VARIANTS} branches open (${[...choices.keys(), e.condition].join(", ")}): give --parameter values that decide them`);
      }
      queue.push(new Map([...choices, [e.condition, true]]), new Map([...choices, [e.condition, false]]));
    }
  }
  return done;
}

export function targetsFromTemplates(options: TemplateOptions): ReviewTarget[] {
  const inputs: ParsedInput[] = [];
  const skipped: string[] = [];
  for (const { file, fromDirectory } of options.templates.flatMap(expand)) {
    const doc = parseLocated(file, readText(file));
    const format = options.format ?? detect(doc);
    if (format) inputs.push({ file, doc, format });
    else if (fromDirectory) skipped.push(file);
    else throw new PolicyInputError(`${file}: not a CloudFormation template, Terraform plan (terraform show -json), Pulumi stack export or AWS CLI IAM output`);
  }
  if (inputs.length === 0) throw new PolicyInputError(`${options.templates.join(", ")}: no template, plan, stack export or CLI output found`);
  return models(inputs, options).flatMap(({ model, variant }) => {
    if (skipped.length) model.notes.push(`Skipped (not a recognised input): ${skipped.join(", ")}.`);
    return targetsFromModel(model, { ...options, ...(variant ? { variant } : {}) });
  });
}

/**
 * CloudFormation parameter values from a file: an object (`{"Key": "value"}`, as Amplify's
 * parameters.json) or CloudFormation's list (`[{"ParameterKey", "ParameterValue"}]`). Values that
 * are not strings (Amplify's references to its root stack) are left out.
 */
export function readParameterFile(file: string): Record<string, string> {
  const doc = parseLocated(file, readText(file)).value;
  const entries: [unknown, unknown][] = Array.isArray(doc)
    ? doc.map((p: { ParameterKey?: unknown; ParameterValue?: unknown }) => [p?.ParameterKey, p?.ParameterValue])
    : typeof doc === "object" && doc !== null
      ? Object.entries(doc)
      : [];
  if (entries.length === 0 && !(typeof doc === "object" && doc !== null)) throw new PolicyInputError(`${file}: not a parameters file (an object of values, or a list of ParameterKey/ParameterValue)`);
  return Object.fromEntries(entries.filter((e): e is [string, string] => typeof e[0] === "string" && typeof e[1] === "string"));
}
