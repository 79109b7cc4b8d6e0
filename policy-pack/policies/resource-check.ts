/**
 * The opening every resource policy of the pack shares: judge only its own resource type, skip a
 * resource the policy's config exempts, and name the resource the way every message does.
 */
import type { ResourceValidationArgs } from "@pulumi/policy";
import { matchesAny, stringList, type ExemptionConfig } from "./config";
import { describe, nameable } from "./resources";
import { PreviewDeferrals } from "./unknowns";

export interface ResourceCheck {
  deferrals: PreviewDeferrals;
  /** `<noun> <logical name> (<physical name>)`, the subject of every message about it. */
  subject: string;
}

/**
 * Ends the check (through `args.notApplicable`) unless the resource is of `type` and not exempted
 * by `policy`'s `exemptResources`; `physicalKey` is the prop that holds its physical name.
 */
export function beginResourceCheck(args: ResourceValidationArgs, policy: string, type: string, noun: string, physicalKey = "name"): ResourceCheck {
  if (args.type !== type) args.notApplicable(`applies to ${type} only`);
  const deferrals = new PreviewDeferrals();
  if (matchesAny(stringList(args.getConfig<ExemptionConfig>(), "exemptResources", policy), nameable(args, deferrals, physicalKey))) {
    args.notApplicable(`${noun} ${args.name} is exempted by this policy's exemptResources config`);
  }
  return { deferrals, subject: `${noun} ${describe(args, deferrals, physicalKey)}` };
}
