// What the two CI roles may do, as plain policy documents built from plain values, so each grant can
// be read and tested as a table. The deploy role's write access is limited to the services the four
// layers manage and, per service, as narrowly as IAM allows:
//   named   the ARN carries the physical name: only `mlapi-*` (R18 names every resource so);
//   tagged  the service evaluates aws:RequestTag / aws:ResourceTag: only resources tagged Project=mlapi
//           (R18 tags every resource so) — EC2, Elastic Load Balancing, KMS keys, ECS task definitions;
//   account the ARN carries only an id and the service has no tag condition for the action: the
//           resource type in this account (CloudFront, ACM, Application Auto Scaling).
// Reads (what `pulumi refresh` and previews look up) come from the AWS managed ReadOnlyAccess policy,
// less an explicit deny of data reads (items, secret values, objects outside the platform's buckets).
// IAM roles only with the workload permissions boundary on them (workload-boundary.ts), so the deploy
// role cannot make a role more powerful than the platform's workloads. tools/tests/deploy-role.test.ts
// checks these policies against every request the rendered layers make.
import { CLOUDFRONT_REGION } from "../edge/cloudfront-region";
import type { PolicyDocument } from "./github-actions-role";
import { policyArn, WORKLOAD_BOUNDARY_POLICY_NAME } from "./workload-boundary";

type Statement = Record<string, unknown>;

export interface CiPermissionsContext {
  partition: string;
  accountId: string;
  /**
   * The region the layers deploy to (their `aws:region`). Regional grants also cover us-east-1, where
   * the edge puts CloudFront's pieces whatever the stack's region (CLOUDFRONT_REGION).
   */
  region: string;
  /** Prefix of every physical name and value of the Project tag (R18). */
  app: string;
  stateBucketArn: string;
  stateKeyArn: string;
  secretsKeyArn: string;
  /** ARNs of the CI roles themselves: the deploy role must not be able to widen its own access. */
  ciRoleArns: string[];
  /** Hosted zones the edge may write DNS records in (`hostedZoneId` of its stacks). */
  hostedZoneIds: string[];
}

/** The AWS managed policy both roles read through (not a *FullAccess policy: it grants no writes). */
export const READ_ONLY_ACCESS = "ReadOnlyAccess";
export const readOnlyAccessArn = (partition: string) => `arn:${partition}:iam::aws:policy/${READ_ONLY_ACCESS}`;

/** The services (IAM prefixes) the deploy role may change something in; the test checks the policy against it. */
export const DEPLOY_SERVICES = [
  "acm",
  "application-autoscaling",
  "cloudfront",
  "cloudwatch",
  "dynamodb",
  "ec2",
  "ecr",
  "ecs",
  "elasticloadbalancing",
  "iam",
  "kms",
  "logs",
  "rds",
  "route53",
  "s3",
  "secretsmanager",
  "sns",
  "wafv2",
] as const;

const tagged = (app: string, key: "RequestTag" | "ResourceTag") => ({ StringEquals: { [`aws:${key}/Project`]: app } });

/** Pulumi's DIY backend: the state objects, and the lock files even a preview writes. */
function stateStatements(c: CiPermissionsContext, access: "preview" | "deploy"): Statement[] {
  const objects = `${c.stateBucketArn}/*`;
  const write = access === "deploy" ? objects : `${c.stateBucketArn}/.pulumi/locks/*`;
  return [
    {
      Sid: "StateList",
      Effect: "Allow",
      Action: ["s3:ListBucket", "s3:GetBucketLocation"],
      Resource: c.stateBucketArn,
    },
    { Sid: "StateRead", Effect: "Allow", Action: ["s3:GetObject"], Resource: objects },
    {
      Sid: access === "deploy" ? "StateWrite" : "StateLocks",
      Effect: "Allow",
      Action: ["s3:PutObject", "s3:DeleteObject"],
      Resource: write,
    },
    {
      Sid: "StateKey",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
      Resource: c.stateKeyArn,
    },
    {
      Sid: "SecretsProvider",
      Effect: "Allow",
      // A preview decrypts the stack's secrets; a deploy also encrypts new ones.
      Action:
        access === "deploy"
          ? ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
          : ["kms:Decrypt", "kms:DescribeKey"],
      Resource: c.secretsKeyArn,
    },
  ];
}

/** ReadOnlyAccess reads data too: items, secret values, any object. Neither role needs them. */
function denyDataReads(c: CiPermissionsContext): Statement[] {
  return [
    {
      Sid: "DenyDataReads",
      Effect: "Deny",
      Action: [
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "dynamodb:Scan",
        "dynamodb:GetRecords",
        "secretsmanager:GetSecretValue",
        "ssm:GetParameter",
        "ssm:GetParameters",
        "ssm:GetParametersByPath",
      ],
      Resource: "*",
    },
    {
      Sid: "DenyObjectReadsOutsideThePlatform",
      Effect: "Deny",
      Action: ["s3:GetObject", "s3:GetObjectVersion"],
      NotResource: [`${c.stateBucketArn}/*`, `arn:${c.partition}:s3:::${c.app}-*/*`],
    },
  ];
}

/** The read-only role of pull-request previews and drift detection. */
export function previewPolicy(c: CiPermissionsContext): PolicyDocument {
  return { Version: "2012-10-17", Statement: [...stateStatements(c, "preview"), ...denyDataReads(c)] };
}

/** The deploy role's state, secrets-provider and data-read statements (its writes are in deployWritePolicy). */
export function deployStatePolicy(c: CiPermissionsContext): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [...stateStatements(c, "deploy"), ...denyDataReads(c), ...protectBootstrap(c)],
  };
}

/** ARN of the workload boundary (workload-boundary.ts) in the context's account. */
export const workloadBoundaryArn = (c: Pick<CiPermissionsContext, "partition" | "accountId">): string =>
  policyArn(c.partition, c.accountId, WORKLOAD_BOUNDARY_POLICY_NAME);

/**
 * What the deploy role may never do, whatever else allows it: touch the bootstrap's own resources,
 * or free a role from the workload boundary (remove it, put another one, edit the boundary policy).
 */
function protectBootstrap(c: CiPermissionsContext): Statement[] {
  const boundary = workloadBoundaryArn(c);
  return [
    { Sid: "DenyChangingTheCiRoles", Effect: "Deny", Action: "iam:*", Resource: c.ciRoleArns },
    {
      Sid: "DenyChangingTheWorkloadBoundary",
      Effect: "Deny",
      Action: [
        "iam:CreatePolicyVersion",
        "iam:DeletePolicyVersion",
        "iam:SetDefaultPolicyVersion",
        "iam:DeletePolicy",
        "iam:TagPolicy",
        "iam:UntagPolicy",
      ],
      Resource: boundary,
    },
    { Sid: "DenyRemovingRoleBoundaries", Effect: "Deny", Action: "iam:DeleteRolePermissionsBoundary", Resource: "*" },
    {
      Sid: "DenyOtherRoleBoundaries",
      Effect: "Deny",
      Action: "iam:PutRolePermissionsBoundary",
      Resource: "*",
      Condition: { StringNotEquals: { "iam:PermissionsBoundary": boundary } },
    },
    {
      Sid: "DenyChangingTheStateBucket",
      Effect: "Deny",
      Action: [
        "s3:DeleteBucket",
        "s3:DeleteBucketPolicy",
        "s3:PutBucketPolicy",
        "s3:PutBucketVersioning",
        "s3:PutLifecycleConfiguration",
        "s3:PutEncryptionConfiguration",
        "s3:PutBucketPublicAccessBlock",
        "s3:PutBucketOwnershipControls",
        "s3:DeleteObjectVersion",
      ],
      Resource: [c.stateBucketArn, `${c.stateBucketArn}/*`],
    },
    {
      Sid: "DenyChangingTheBootstrapKeys",
      Effect: "Deny",
      Action: [
        "kms:PutKeyPolicy",
        "kms:ScheduleKeyDeletion",
        "kms:DisableKey",
        "kms:DisableKeyRotation",
        "kms:CreateGrant",
        "kms:TagResource",
        "kms:UntagResource",
        "kms:UpdateAlias",
        "kms:DeleteAlias",
      ],
      Resource: [c.stateKeyArn, c.secretsKeyArn],
    },
  ];
}

/** The deploy role's writes, one statement per service and scope (see the header). */
export function deployWritePolicy(c: CiPermissionsContext): PolicyDocument {
  const { partition: p, accountId: a, region: r, app } = c;
  const named = (sid: string, actions: string[], resources: string[], extra: Statement = {}): Statement => ({
    Sid: sid,
    Effect: "Allow",
    Action: actions,
    Resource: resources,
    ...extra,
  });
  const onCreate = (sid: string, actions: string[]) =>
    named(sid, actions, ["*"], { Condition: tagged(app, "RequestTag") });
  const onTagged = (sid: string, actions: string[]) =>
    named(sid, actions, ["*"], { Condition: tagged(app, "ResourceTag") });
  const arn = (service: string, resource: string, region = r) => `arn:${p}:${service}:${region}:${a}:${resource}`;
  // The stack's region and CloudFront's: the edge creates its certificate, CLOUDFRONT-scope web ACL, log
  // groups and log delivery, alarms, their SNS topic and KMS keys and aliases in us-east-1 (per-resource
  // `region`) whatever `aws:region` is.
  const regions = [...new Set([r, CLOUDFRONT_REGION])];
  const inRegions = (service: string, resources: string[]) =>
    regions.flatMap((region) => resources.map((resource) => arn(service, resource, region)));

  const statements: Statement[] = [
    // --- network: EC2 has tag conditions for all of it; tags only on create, or with Project=mlapi ---
    onCreate("Ec2CreateTagged", [
      "ec2:CreateVpc",
      "ec2:CreateSubnet",
      "ec2:CreateRouteTable",
      "ec2:CreateInternetGateway",
      "ec2:CreateNatGateway",
      "ec2:AllocateAddress",
      "ec2:CreateSecurityGroup",
      "ec2:CreateVpcEndpoint",
      "ec2:CreateFlowLogs",
      // The default security group is adopted by tagging it; a tag other than Project=mlapi is refused.
      "ec2:CreateTags",
    ]),
    onTagged("Ec2ChangeTagged", [
      "ec2:DeleteVpc",
      "ec2:ModifyVpcAttribute",
      "ec2:DeleteSubnet",
      "ec2:ModifySubnetAttribute",
      "ec2:DeleteRouteTable",
      "ec2:CreateRoute",
      "ec2:ReplaceRoute",
      "ec2:DeleteRoute",
      "ec2:AssociateRouteTable",
      "ec2:DisassociateRouteTable",
      "ec2:AttachInternetGateway",
      "ec2:DetachInternetGateway",
      "ec2:DeleteInternetGateway",
      "ec2:DeleteNatGateway",
      "ec2:ReleaseAddress",
      "ec2:DisassociateAddress",
      "ec2:DeleteSecurityGroup",
      "ec2:AuthorizeSecurityGroupIngress",
      "ec2:AuthorizeSecurityGroupEgress",
      "ec2:RevokeSecurityGroupIngress",
      "ec2:RevokeSecurityGroupEgress",
      "ec2:ModifySecurityGroupRules",
      "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
      "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
      "ec2:ModifyVpcEndpoint",
      "ec2:DeleteVpcEndpoints",
      "ec2:DeleteFlowLogs",
      "ec2:DeleteTags",
    ]),
    // --- load balancer, listeners, rules, target groups ---
    onCreate("ElbCreateTagged", [
      "elasticloadbalancing:CreateLoadBalancer",
      "elasticloadbalancing:CreateTargetGroup",
      "elasticloadbalancing:AddTags",
    ]),
    onTagged("ElbChangeTagged", [
      "elasticloadbalancing:DeleteLoadBalancer",
      "elasticloadbalancing:ModifyLoadBalancerAttributes",
      "elasticloadbalancing:SetSecurityGroups",
      "elasticloadbalancing:SetSubnets",
      "elasticloadbalancing:SetWebAcl",
      "elasticloadbalancing:DeleteTargetGroup",
      "elasticloadbalancing:ModifyTargetGroup",
      "elasticloadbalancing:ModifyTargetGroupAttributes",
      "elasticloadbalancing:CreateListener",
      "elasticloadbalancing:ModifyListener",
      "elasticloadbalancing:DeleteListener",
      "elasticloadbalancing:CreateRule",
      "elasticloadbalancing:ModifyRule",
      "elasticloadbalancing:DeleteRule",
      "elasticloadbalancing:SetRulePriorities",
      "elasticloadbalancing:RemoveTags",
    ]),
    // --- KMS: keys by tag, aliases by name ---
    onCreate("KmsCreateTagged", ["kms:CreateKey", "kms:TagResource"]),
    onTagged("KmsChangeTagged", [
      "kms:PutKeyPolicy",
      "kms:EnableKeyRotation",
      "kms:UpdateKeyDescription",
      "kms:ScheduleKeyDeletion",
      "kms:CancelKeyDeletion",
      "kms:UntagResource",
      // What RDS, DynamoDB, ECR and Secrets Manager check of the caller when a resource names the key.
      "kms:CreateGrant",
      "kms:RetireGrant",
      "kms:DescribeKey",
      "kms:Encrypt",
      "kms:Decrypt",
      "kms:GenerateDataKey",
      "kms:CreateAlias",
      "kms:UpdateAlias",
      "kms:DeleteAlias",
    ]),
    named(
      "KmsAliasesNamed",
      ["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"],
      inRegions("kms", [`alias/${app}-*`]),
    ),
    // --- IAM: the layers' own roles (inline policies only: no managed policy is ever attached) ---
    // Creating a role and writing its permissions only with the workload boundary on it: the actions
    // IAM evaluates iam:PermissionsBoundary for (the role's boundary, or the one being set). Putting the
    // boundary on a role that predates it is allowed, so a deploy moves such a role under it.
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html
    named(
      "IamRolesUnderTheBoundary",
      ["iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary"],
      [`arn:${p}:iam::${a}:role/${app}-*`],
      { Condition: { StringEquals: { "iam:PermissionsBoundary": workloadBoundaryArn(c) } } },
    ),
    // IAM has no boundary condition for these. A trust policy change cannot raise a role above its
    // boundary; deleting a role removes permissions.
    named(
      "IamRolesNamed",
      [
        "iam:DeleteRole",
        "iam:UpdateRole",
        "iam:UpdateRoleDescription",
        "iam:UpdateAssumeRolePolicy",
        "iam:TagRole",
        "iam:UntagRole",
      ],
      [`arn:${p}:iam::${a}:role/${app}-*`],
    ),
    named("IamPassRolesToTheirService", ["iam:PassRole"], [`arn:${p}:iam::${a}:role/${app}-*`], {
      Condition: {
        StringEquals: { "iam:PassedToService": ["ecs-tasks.amazonaws.com", "vpc-flow-logs.amazonaws.com"] },
      },
    }),
    named("IamServiceLinkedRoles", ["iam:CreateServiceLinkedRole"], [`arn:${p}:iam::${a}:role/aws-service-role/*`], {
      Condition: {
        StringEquals: {
          "iam:AWSServiceName": [
            "ecs.amazonaws.com",
            "elasticloadbalancing.amazonaws.com",
            "rds.amazonaws.com",
            "ecs.application-autoscaling.amazonaws.com",
            // The edge's VPC origin: CloudFront creates it on first use (AWSCloudFrontVPCOriginServiceRolePolicy).
            "vpcorigin.cloudfront.amazonaws.com",
          ],
        },
      },
    }),
    // --- logs: the layers' groups, WAF log groups, the groups AWS services write to under their own
    // prefixes (ECS Container Insights, RDS, CloudFront's vended logs), CloudFront access-log delivery ---
    named(
      "LogGroupsNamed",
      [
        "logs:CreateLogGroup",
        "logs:DeleteLogGroup",
        "logs:PutRetentionPolicy",
        "logs:DeleteRetentionPolicy",
        "logs:AssociateKmsKey",
        "logs:DisassociateKmsKey",
        "logs:TagResource",
        "logs:UntagResource",
      ],
      inRegions("logs", [
        `log-group:/${app}/*`,
        `log-group:aws-waf-logs-${app}-*`,
        `log-group:/aws/rds/cluster/${app}-*`,
        `log-group:/aws/ecs/containerinsights/${app}-*`,
        `log-group:/aws/vendedlogs/${app}/*`,
      ]),
    ),
    named(
      "LogDeliveriesNamed",
      [
        "logs:PutDeliverySource",
        "logs:DeleteDeliverySource",
        "logs:PutDeliveryDestination",
        "logs:DeleteDeliveryDestination",
        "logs:PutDeliveryDestinationPolicy",
        "logs:CreateDelivery",
        "logs:DeleteDelivery",
        "logs:TagResource",
        "logs:UntagResource",
      ],
      [
        `arn:${p}:logs:*:${a}:delivery-source:${app}-*`,
        `arn:${p}:logs:*:${a}:delivery-destination:${app}-*`,
        `arn:${p}:logs:*:${a}:delivery:*`,
      ],
    ),
    // WAF logging registers a log delivery; CloudWatch Logs has no resource type for these actions.
    named("WafLogDelivery", ["logs:CreateLogDelivery", "logs:DeleteLogDelivery", "logs:PutResourcePolicy"], ["*"]),
    // --- storage and data ---
    named(
      "BucketsNamed",
      [
        "s3:CreateBucket",
        "s3:DeleteBucket",
        "s3:PutBucketPolicy",
        "s3:DeleteBucketPolicy",
        "s3:PutBucketPublicAccessBlock",
        "s3:PutBucketOwnershipControls",
        "s3:PutEncryptionConfiguration",
        "s3:PutBucketVersioning",
        "s3:PutLifecycleConfiguration",
        "s3:PutBucketTagging",
        "s3:ListBucketVersions",
      ],
      [`arn:${p}:s3:::${app}-*`],
    ),
    named(
      "BucketObjectsNamed",
      ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectTagging"],
      [`arn:${p}:s3:::${app}-*/*`],
    ),
    named(
      "DynamoDbTablesNamed",
      [
        "dynamodb:CreateTable",
        "dynamodb:DeleteTable",
        "dynamodb:UpdateTable",
        "dynamodb:UpdateTimeToLive",
        "dynamodb:UpdateContinuousBackups",
        "dynamodb:TagResource",
        "dynamodb:UntagResource",
      ],
      [arn("dynamodb", `table/${app}-*`)],
    ),
    named(
      "AuroraNamed",
      [
        "rds:CreateDBCluster",
        "rds:ModifyDBCluster",
        "rds:DeleteDBCluster",
        "rds:CreateDBClusterSnapshot",
        "rds:CreateDBInstance",
        "rds:ModifyDBInstance",
        "rds:DeleteDBInstance",
        "rds:CreateDBClusterParameterGroup",
        "rds:ModifyDBClusterParameterGroup",
        "rds:DeleteDBClusterParameterGroup",
        "rds:CreateDBSubnetGroup",
        "rds:ModifyDBSubnetGroup",
        "rds:DeleteDBSubnetGroup",
        "rds:AddTagsToResource",
        "rds:RemoveTagsFromResource",
      ],
      [
        arn("rds", `cluster:${app}-*`),
        arn("rds", `db:${app}-*`),
        arn("rds", `cluster-pg:${app}-*`),
        arn("rds", `subgrp:${app}-*`),
        arn("rds", `cluster-snapshot:${app}-*`),
      ],
    ),
    // RDS creates the master secret (R7) with the caller's permissions; its name starts with rds!.
    named(
      "RdsManagedMasterSecret",
      [
        "secretsmanager:CreateSecret",
        "secretsmanager:TagResource",
        "secretsmanager:RotateSecret",
        "secretsmanager:DeleteSecret",
      ],
      [arn("secretsmanager", "secret:rds!*")],
    ),
    // --- service ---
    named(
      "EcrRepositoriesNamed",
      [
        "ecr:CreateRepository",
        "ecr:DeleteRepository",
        "ecr:PutLifecyclePolicy",
        "ecr:DeleteLifecyclePolicy",
        "ecr:PutImageScanningConfiguration",
        "ecr:PutImageTagMutability",
        "ecr:TagResource",
        "ecr:UntagResource",
        "ecr:BatchCheckLayerAvailability",
        "ecr:InitiateLayerUpload",
        "ecr:UploadLayerPart",
        "ecr:CompleteLayerUpload",
        "ecr:PutImage",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
        "ecr:BatchDeleteImage",
      ],
      [arn("ecr", `repository/${app}-*`)],
    ),
    named("EcrLogin", ["ecr:GetAuthorizationToken"], ["*"]),
    named(
      "EcsNamed",
      [
        "ecs:CreateCluster",
        "ecs:UpdateCluster",
        "ecs:DeleteCluster",
        "ecs:PutClusterCapacityProviders",
        "ecs:CreateService",
        "ecs:UpdateService",
        "ecs:DeleteService",
        "ecs:TagResource",
        "ecs:UntagResource",
      ],
      [arn("ecs", `cluster/${app}-*`), arn("ecs", `service/${app}-*/*`), arn("ecs", `task-definition/${app}-*:*`)],
    ),
    onCreate("EcsTaskDefinitionsTagged", ["ecs:RegisterTaskDefinition"]),
    // Deregistering takes no resource in IAM: AWS accepts only "*" for it.
    named("EcsDeregisterTaskDefinitions", ["ecs:DeregisterTaskDefinition"], ["*"]),
    named(
      "ScalingInThisAccount",
      [
        "application-autoscaling:RegisterScalableTarget",
        "application-autoscaling:DeregisterScalableTarget",
        "application-autoscaling:PutScalingPolicy",
        "application-autoscaling:DeleteScalingPolicy",
        "application-autoscaling:TagResource",
      ],
      [arn("application-autoscaling", "scalable-target/*")],
    ),
    named(
      "WafNamed",
      [
        "wafv2:CreateWebACL",
        "wafv2:UpdateWebACL",
        "wafv2:DeleteWebACL",
        "wafv2:AssociateWebACL",
        "wafv2:DisassociateWebACL",
        "wafv2:PutLoggingConfiguration",
        "wafv2:DeleteLoggingConfiguration",
        "wafv2:TagResource",
        "wafv2:UntagResource",
      ],
      [
        arn("wafv2", `regional/webacl/${app}-*/*`),
        arn("wafv2", `global/webacl/${app}-*/*`, "us-east-1"),
        arn("wafv2", "regional/managedruleset/*/*"),
        arn("wafv2", "global/managedruleset/*/*", "us-east-1"),
        arn("elasticloadbalancing", `loadbalancer/app/${app}-*/*`),
      ],
    ),
    // --- monitoring ---
    named(
      "AlarmsAndDashboardsNamed",
      [
        "cloudwatch:PutMetricAlarm",
        "cloudwatch:DeleteAlarms",
        "cloudwatch:TagResource",
        "cloudwatch:UntagResource",
        "cloudwatch:PutDashboard",
        "cloudwatch:DeleteDashboards",
      ],
      [...inRegions("cloudwatch", [`alarm:${app}-*`]), `arn:${p}:cloudwatch::${a}:dashboard/${app}-*`],
    ),
    // Target tracking creates, reads and deletes its alarms (TargetTracking-<resource id>-AlarmHigh|Low-<uuid>)
    // with the caller's permissions: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/auto-scaling-IAM.html
    named(
      "TargetTrackingAlarms",
      ["cloudwatch:PutMetricAlarm", "cloudwatch:DescribeAlarms", "cloudwatch:DeleteAlarms"],
      [arn("cloudwatch", `alarm:TargetTracking-service/${app}-*`)],
    ),
    named(
      "AlarmTopicNamed",
      [
        "sns:CreateTopic",
        "sns:DeleteTopic",
        "sns:SetTopicAttributes",
        "sns:Subscribe",
        "sns:Unsubscribe",
        "sns:TagResource",
        "sns:UntagResource",
      ],
      inRegions("sns", [`${app}-*`]),
    ),
    // --- edge: CloudFront and ACM ARNs carry ids only ---
    named(
      "CloudFrontInThisAccount",
      [
        "cloudfront:CreateDistribution",
        "cloudfront:CreateDistributionWithTags",
        "cloudfront:UpdateDistribution",
        "cloudfront:DeleteDistribution",
        "cloudfront:TagResource",
        "cloudfront:UntagResource",
        "cloudfront:CreateOriginAccessControl",
        "cloudfront:UpdateOriginAccessControl",
        "cloudfront:DeleteOriginAccessControl",
        "cloudfront:CreateResponseHeadersPolicy",
        "cloudfront:UpdateResponseHeadersPolicy",
        "cloudfront:DeleteResponseHeadersPolicy",
        "cloudfront:CreateVpcOrigin",
        "cloudfront:UpdateVpcOrigin",
        "cloudfront:DeleteVpcOrigin",
        "cloudfront:AllowVendedLogDeliveryForResource",
      ],
      [
        `arn:${p}:cloudfront::${a}:distribution/*`,
        `arn:${p}:cloudfront::${a}:origin-access-control/*`,
        `arn:${p}:cloudfront::${a}:response-headers-policy/*`,
        `arn:${p}:cloudfront::${a}:vpcorigin/*`,
      ],
    ),
    named(
      "CertificatesInThisAccount",
      ["acm:RequestCertificate", "acm:DeleteCertificate", "acm:AddTagsToCertificate", "acm:RemoveTagsFromCertificate"],
      [`arn:${p}:acm:*:${a}:certificate/*`],
    ),
  ];
  if (c.hostedZoneIds.length > 0) {
    statements.push(
      named(
        "DnsRecordsInTheConfiguredZones",
        ["route53:ChangeResourceRecordSets"],
        c.hostedZoneIds.map((id) => `arn:${p}:route53:::hostedzone/${id}`),
      ),
    );
  }
  return { Version: "2012-10-17", Statement: statements };
}
