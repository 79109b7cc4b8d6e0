/**
 * Simulator responses in the shapes AWS documents and returns, for the requests that
 * `aws-engine.test.ts` sends (identity A = us-east-1:1111…, B = us-east-1:2222…, bucket
 * photo-bucket-1234, prefix `private`). Written by hand after these sources, not after the parser:
 *
 * - OLDER shape (before 2026-07-30): one EvaluationResult per action × resource, EvalResourceName
 *   the resource, SourcePolicyId `PolicyInputList.<n>` / `ResourcePolicy`, SourcePolicyType
 *   `IAM Policy` / `Resource Policy` (values outside the SDK's enum, as AWS returned them), 1-based
 *   Line/Column of the statement's `{`, and an explicit deny listing the Deny AND the Allow:
 *   the recorded SimulateCustomPolicy output in ScottLogic's "Automated permissions testing with
 *   AWS IAM Policy Simulator" (2025-04-03). Empty EvalDecisionDetails for a same-account
 *   simulation with resource ARNs: EvaluationResult.EvalDecisionDetails docs.
 * - 2026 shape: ONE EvaluationResult per action; EvalResourceName an ARN template such as
 *   `arn:${Partition}:s3:::${BucketName}/${KeyName}`; top-level EvalDecision the most restrictive
 *   across resources, MatchedStatements their union, MissingContextValues their deduplicated set;
 *   per-resource decisions only in ResourceSpecificResults: @aws-sdk/client-iam 3.1169 model docs
 *   (EvaluationResult), and a 2026 CI script asserting `(.EvaluationResults | length) == 1 and
 *   (.EvaluationResults[0].ResourceSpecificResults | length) == 4` for 1 action × 4 resources.
 * - Pagination: IsTruncated + Marker (SimulatePolicyResponse docs).
 *
 * Statement positions point into the text the engine sent: each statement on its own line,
 * statement n on line n + 2 (identity policy: OwnFolderObjects line 2, OwnFolderList line 3;
 * bucket policy: DenyInsecureTransport line 2).
 */
import type { PolicySourceType, SimulatePolicyResponse } from "@aws-sdk/client-iam";

export const OBJECT_A = "arn:aws:s3:::photo-bucket-1234/private/us-east-1:11111111-1111-4111-8111-111111111111/cat.jpg";
export const OBJECT_B = "arn:aws:s3:::photo-bucket-1234/private/us-east-1:22222222-2222-4222-8222-222222222222/cat.jpg";
export const BUCKET = "arn:aws:s3:::photo-bucket-1234";
const OBJECT_TEMPLATE = "arn:${Partition}:s3:::${BucketName}/${KeyName}";
const BUCKET_TEMPLATE = "arn:${Partition}:s3:::${BucketName}";

// Recorded values outside the SDK's PolicySourceType enum.
const IAM_POLICY = "IAM Policy" as PolicySourceType;
const RESOURCE_POLICY = "Resource Policy" as PolicySourceType;

const ownFolderObjects = {
  SourcePolicyId: "PolicyInputList.1",
  SourcePolicyType: IAM_POLICY,
  StartPosition: { Line: 2, Column: 1 },
  EndPosition: { Line: 2, Column: 212 },
};
const denyInsecureTransport = {
  SourcePolicyId: "ResourcePolicy",
  SourcePolicyType: RESOURCE_POLICY,
  StartPosition: { Line: 2, Column: 1 },
  EndPosition: { Line: 2, Column: 198 },
};

/** Caller A: GetObject and PutObject on A's and B's object, older shape; one result also carries ResourceSpecificResults. */
export const olderShapeGetPut: SimulatePolicyResponse = {
  EvaluationResults: [
    { EvalActionName: "s3:GetObject", EvalResourceName: OBJECT_A, EvalDecision: "allowed", MatchedStatements: [ownFolderObjects], MissingContextValues: [], EvalDecisionDetails: {} },
    { EvalActionName: "s3:GetObject", EvalResourceName: OBJECT_B, EvalDecision: "implicitDeny", MatchedStatements: [], MissingContextValues: [], EvalDecisionDetails: {} },
    {
      EvalActionName: "s3:PutObject",
      EvalResourceName: OBJECT_A,
      EvalDecision: "allowed",
      MatchedStatements: [ownFolderObjects],
      MissingContextValues: [],
      ResourceSpecificResults: [{ EvalResourceName: OBJECT_A, EvalResourceDecision: "allowed", MatchedStatements: [ownFolderObjects], MissingContextValues: [] }],
    },
    { EvalActionName: "s3:PutObject", EvalResourceName: OBJECT_B, EvalDecision: "implicitDeny", MatchedStatements: [], MissingContextValues: [], EvalDecisionDetails: {} },
  ],
  IsTruncated: false,
};

const getObject2026 = {
  EvalActionName: "s3:GetObject",
  EvalResourceName: OBJECT_TEMPLATE,
  EvalDecision: "implicitDeny" as const,
  MatchedStatements: [ownFolderObjects],
  MissingContextValues: [],
  EvalDecisionDetails: {},
  ResourceSpecificResults: [
    { EvalResourceName: OBJECT_A, EvalResourceDecision: "allowed" as const, MatchedStatements: [ownFolderObjects], MissingContextValues: [] },
    { EvalResourceName: OBJECT_B, EvalResourceDecision: "implicitDeny" as const, MatchedStatements: [], MissingContextValues: [] },
  ],
};
const putObject2026 = { ...getObject2026, EvalActionName: "s3:PutObject" };

/** The same simulation in the 2026 shape: one result per action, per-resource decisions only in ResourceSpecificResults. */
export const singleResultPerActionGetPut: SimulatePolicyResponse = { EvaluationResults: [getObject2026, putObject2026], IsTruncated: false };

/** The same simulation, 2026 shape, split over two pages. */
export const truncatedPage1: SimulatePolicyResponse = { EvaluationResults: [getObject2026], IsTruncated: true, Marker: "AAIACjBlMzdjMjA1LWRmMmUtNDM1Mi04YTRiLTlkMzIxNjNjNDg3Mg==" };
export const truncatedPage2: SimulatePolicyResponse = { EvaluationResults: [putObject2026], IsTruncated: false };

/** ListBucket on the bucket with no `s3:prefix` in the context: the OwnFolderList condition cannot be evaluated. */
export const listBucketMissingPrefix: SimulatePolicyResponse = {
  EvaluationResults: [
    {
      EvalActionName: "s3:ListBucket",
      EvalResourceName: BUCKET_TEMPLATE,
      EvalDecision: "implicitDeny",
      MatchedStatements: [],
      MissingContextValues: ["s3:prefix"],
      EvalDecisionDetails: {},
      ResourceSpecificResults: [{ EvalResourceName: BUCKET, EvalResourceDecision: "implicitDeny", MatchedStatements: [], MissingContextValues: ["s3:prefix"] }],
    },
  ],
  IsTruncated: false,
};

/** GetObject on A's object over plain HTTP: the bucket policy's Deny wins; the Allow is listed too (as recorded). */
export const explicitDenyInsecureTransport: SimulatePolicyResponse = {
  EvaluationResults: [
    { EvalActionName: "s3:GetObject", EvalResourceName: OBJECT_A, EvalDecision: "explicitDeny", MatchedStatements: [denyInsecureTransport, ownFolderObjects], MissingContextValues: [], EvalDecisionDetails: {} },
  ],
  IsTruncated: false,
};

/** A GetObject result plus one for an action the call never asked about. */
export const resultForUnaskedAction: SimulatePolicyResponse = {
  EvaluationResults: [
    { EvalActionName: "s3:GetObject", EvalResourceName: OBJECT_A, EvalDecision: "allowed", MatchedStatements: [ownFolderObjects], MissingContextValues: [] },
    { EvalActionName: "s3:DeleteObject", EvalResourceName: OBJECT_A, EvalDecision: "allowed", MatchedStatements: [ownFolderObjects], MissingContextValues: [] },
  ],
  IsTruncated: false,
};

/**
 * SimulatePrincipalPolicy on a deployed role, 2026 shape: the matched statement is in the role's
 * inline policy `users-storage-grants` as IAM stores it (SourcePolicyId = policy name,
 * SourcePolicyType `role`: Statement docs), at a position in a document this tool never sent.
 */
export const deployedRoleGetObject: SimulatePolicyResponse = {
  EvaluationResults: [
    {
      EvalActionName: "s3:GetObject",
      EvalResourceName: OBJECT_TEMPLATE,
      EvalDecision: "allowed",
      MatchedStatements: [{ SourcePolicyId: "users-storage-grants", SourcePolicyType: "role", StartPosition: { Line: 1, Column: 41 }, EndPosition: { Line: 1, Column: 253 } }],
      MissingContextValues: [],
      EvalDecisionDetails: {},
      ResourceSpecificResults: [
        {
          EvalResourceName: OBJECT_A,
          EvalResourceDecision: "allowed",
          MatchedStatements: [{ SourcePolicyId: "users-storage-grants", SourcePolicyType: "role", StartPosition: { Line: 1, Column: 41 }, EndPosition: { Line: 1, Column: 253 } }],
          MissingContextValues: [],
        },
      ],
    },
  ],
  IsTruncated: false,
};
