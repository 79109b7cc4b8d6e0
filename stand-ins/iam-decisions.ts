/**
 * IAM's decision for a request made with an identity pool role's credentials, by an established
 * evaluator (@cloud-copilot/iam-simulate, validated mode, a dev dependency) rather than one written
 * here. The identity id is substituted into the role policy first, as IAM does at request time
 * (iam/substitute-identity.ts; the evaluator does not take this key as context for S3 actions),
 * and the bucket policy is evaluated alongside. A context key the evaluator ignored is an error,
 * never a silent denial. Decisions are memoised: the same request always gets the same answer.
 */
import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import type { IamDocument } from "../iam/document";
import { substituteIdentityId } from "../iam/substitute-identity";

export interface IamRequest {
  roleArn: string;
  identityId: string;
  action: string;
  resource: string;
  /** Request context keys, e.g. `s3:prefix`. */
  context?: Record<string, string>;
}

export type Decision = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";

const asPolicy = (document: IamDocument) => document as unknown as NonNullable<Simulation["resourcePolicy"]>;

export class IamDecisions {
  private readonly memo = new Map<string, Promise<Decision>>();

  constructor(
    private readonly options: {
      /** The identity policy of each role the identity pool hands out, by role ARN. */
      rolePolicies: Record<string, IamDocument>;
      bucketPolicy?: IamDocument;
    },
  ) {}

  decide(request: IamRequest): Promise<Decision> {
    const key = JSON.stringify([request.roleArn, request.identityId, request.action, request.resource, request.context ?? {}]);
    let decision = this.memo.get(key);
    if (!decision) this.memo.set(key, (decision = this.simulate(request)));
    return decision;
  }

  private async simulate(request: IamRequest): Promise<Decision> {
    const policy = this.options.rolePolicies[request.roleArn];
    if (!policy) return "ImplicitlyDenied";
    const [, partition, , , account, resource] = request.roleArn.split(":");
    const roleName = resource!.split("/").pop();
    const identityPolicy = substituteIdentityId(policy, request.identityId);
    const bucketPolicy = this.options.bucketPolicy ? substituteIdentityId(this.options.bucketPolicy, request.identityId) : undefined;
    const response = await runSimulation(
      {
        identityPolicies: [{ name: "role-policy", policy: asPolicy(identityPolicy.document) }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        ...(bucketPolicy ? { resourcePolicy: asPolicy(bucketPolicy.document) } : {}),
        request: {
          principal: `arn:${partition}:sts::${account}:assumed-role/${roleName}/CognitoIdentityCredentials`,
          action: request.action,
          // iam-simulate reads `*` in a request ARN as "any resource" (a wildcard query); IAM never
          // does, a request names one literal resource. `?` is read literally, and like a literal `*`
          // it can only be matched by a policy's wildcards (policies cannot hold either literally).
          resource: { resource: request.resource.replace(/\*/g, "?"), accountId: account! },
          // The stand-ins are reached over loopback, but they stand for S3's TLS endpoint.
          contextVariables: { "aws:SecureTransport": "true", ...request.context },
        },
      },
      {},
    );
    if (response.resultType !== "single") throw new Error(`iam-simulate: unexpected ${response.resultType} result: ${JSON.stringify(response)}`);
    const ignored = (response.result as { ignoredContextKeys?: string[] }).ignoredContextKeys ?? [];
    if (ignored.length > 0) throw new Error(`iam-simulate ignored context keys ${ignored.join(", ")} for ${request.action}: the decision would mean nothing`);
    return response.overallResult as Decision;
  }
}
