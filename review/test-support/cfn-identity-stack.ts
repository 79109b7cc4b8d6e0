/**
 * A small CloudFormation stack for the template-reader tests: one bucket, an identity pool, and
 * one role that trusts only the pool's authenticated identities, with the statements given.
 */

export interface IdentityStackParts {
  /** YAML before `Resources:` (Parameters, Conditions). */
  head?: string;
  /** The bucket's Properties, as YAML lines indented 6. */
  bucketProperties: string;
  /** The role's policy statements, as YAML list items indented 14. */
  grants: string;
  /** Text after the role (more resources, indented 2). */
  extra?: string;
}

export const cfnIdentityStack = ({ head = "", bucketProperties, grants, extra = "" }: IdentityStackParts) => `
${head}Resources:
  Files:
    Type: AWS::S3::Bucket
    Properties:
${bucketProperties}
  Pool:
    Type: AWS::Cognito::IdentityPool
    Properties: { AllowUnauthenticatedIdentities: false }
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: { Federated: cognito-identity.amazonaws.com }
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              StringEquals: { 'cognito-identity.amazonaws.com:aud': !Ref Pool }
              ForAnyValue:StringLike: { 'cognito-identity.amazonaws.com:amr': authenticated }
      Policies:
        - PolicyName: grants
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
${grants}
${extra}`;
