// What the CI deploy role must be allowed for a rendered plan: for each AWS resource type the layers
// declare, the IAM requests (action, ARN, request context) that creating it, tagging it on create and
// destroying it make with the caller's credentials, built from the resource's rendered inputs. A type
// without an entry is reported, so a resource a layer starts to declare fails the deploy-role test until
// someone writes down what it needs (and the role allows it). Updates are left out: each type's update
// actions are in the same statements as its create and delete actions.
//
// Context keys are what the service sends: aws:RequestTag/* when the create call carries the tags (every
// service here tags on create), aws:ResourceTag/* for a resource that exists (its own tags as the plan
// declares them, or Project=<app> for one another layer created: R18 and the policy pack's tagging
// rule make that true), iam:PassedToService, iam:AWSServiceName, iam:PermissionsBoundary.
// Read actions the providers call (Describe*, Get*, List*) come from ReadOnlyAccess and are not listed.
import type { IamContext, IamRequest, PlannedResource } from "@mlapi/testing";

export interface DeployTarget {
  partition: string;
  accountId: string;
  /** The stack's region (`aws:region`): a resource without its own `region` input is created there. */
  region: string;
  /** Value of the Project tag of every platform resource. */
  app: string;
}

/** One required request, with the resource it is for (in messages). */
export interface RequiredRequest extends IamRequest {
  /** `layer type name` of the planned resource that needs it. */
  for: string;
}

interface At {
  target: DeployTarget;
  /** The resource's region: its `region` input, else the stack's. */
  region: string;
  arn: (service: string, resource: string, region?: string) => string;
  /** Context of a create call that carries the resource's tags. */
  created: IamContext;
  /** Context of a call on the resource once it exists, tagged as planned. */
  existing: IamContext;
  /** Context of a call on a resource another component or layer created (tagged Project=<app>). */
  platform: IamContext;
  /** All resources of the plan, to look up what a resource refers to (a role's boundary). */
  plan: readonly PlannedResource[];
}

type Needs = (r: PlannedResource, at: At) => IamRequest[];

const str = (v: unknown): string => (typeof v === "string" ? v : "");
const tagsOf = (r: PlannedResource): Record<string, string> =>
  typeof r.inputs.tags === "object" && r.inputs.tags !== null ? (r.inputs.tags as Record<string, string>) : {};
const tagContext = (r: PlannedResource, key: "RequestTag" | "ResourceTag"): IamContext => {
  const tags = tagsOf(r);
  const context: Record<string, string | string[]> = Object.fromEntries(
    Object.entries(tags).map(([k, v]) => [`aws:${key}/${k}`, v]),
  );
  if (key === "RequestTag" && Object.keys(tags).length > 0) context["aws:TagKeys"] = Object.keys(tags);
  return context;
};
/** The last path segment of an ARN or id (`.../key/<id>` → `<id>`). */
const lastSegment = (v: unknown): string => str(v).split("/").pop() ?? "";

const req = (action: string, resource: string, context: IamContext = {}): IamRequest => ({ action, resource, context });
/** The same context for several actions on one resource. */
const each = (actions: string[], resource: string, context: IamContext = {}): IamRequest[] =>
  actions.map((a) => req(a, resource, context));

/** A customer managed key another resource names: what the service checks of the caller (kms:ViaService aside). */
const keyUse = (at: At, keyArn: unknown, actions = ["kms:DescribeKey", "kms:CreateGrant"]): IamRequest[] =>
  str(keyArn) === "" ? [] : each(actions, str(keyArn), at.platform);

/** EC2: create with tags (CreateTags is authorized with the create), delete by tag. */
const ec2 =
  (
    type: string,
    create: string,
    remove: string,
    more: (r: PlannedResource, at: At, arn: string) => IamRequest[] = () => [],
  ): Needs =>
  (r, at) => {
    const arn = at.arn("ec2", `${type}/${r.id}`);
    return [
      req(create, arn, at.created),
      req("ec2:CreateTags", arn, { ...at.created, "ec2:CreateAction": create.split(":")[1] }),
      ...more(r, at, arn),
      req(remove, arn, at.existing),
    ];
  };

const roleArn = (at: At, name: string) => `arn:${at.target.partition}:iam::${at.target.accountId}:role/${name}`;
/** iam:PermissionsBoundary of a role the plan declares (by name), when it has one. */
const boundaryOf = (at: At, roleName: string): IamContext => {
  const role = at.plan.find((p) => p.type === "aws:iam/role:Role" && p.inputs.name === roleName);
  const boundary = str(role?.inputs.permissionsBoundary);
  return boundary === "" ? {} : { "iam:PermissionsBoundary": boundary };
};
const passRole = (arn: unknown, service: string): IamRequest[] =>
  str(arn) === "" ? [] : [req("iam:PassRole", str(arn), { "iam:PassedToService": service })];
const serviceLinkedRole = (at: At, service: string): IamRequest =>
  req("iam:CreateServiceLinkedRole", roleArn(at, `aws-service-role/${service}/*`), { "iam:AWSServiceName": service });

const s3Bucket = (at: At, bucket: unknown) => `arn:${at.target.partition}:s3:::${str(bucket)}`;
const bucketSetting =
  (put: string, remove?: string): Needs =>
  (r, at) => [req(put, s3Bucket(at, r.inputs.bucket)), ...(remove ? [req(remove, s3Bucket(at, r.inputs.bucket))] : [])];

const logGroup = (at: At, name: unknown, region = at.region) => at.arn("logs", `log-group:${str(name)}`, region);
const alarm = (at: At, name: string) => at.arn("cloudwatch", `alarm:${name}`);

/** WAF rules as the render passes them: an array, or the JSON string the component serialises. */
const wafRules = (v: unknown): Array<Record<string, unknown>> =>
  (typeof v === "string" ? JSON.parse(v) : (v ?? [])) as Array<Record<string, unknown>>;
const managedRuleGroups = (rules: Array<Record<string, unknown>>): Array<{ vendorName: string; name: string }> =>
  rules.flatMap((rule) => {
    const statement = (rule.statement ?? rule.Statement ?? {}) as Record<string, unknown>;
    const managed = (statement.managedRuleGroupStatement ?? statement.ManagedRuleGroupStatement) as
      Record<string, unknown> | undefined;
    return managed
      ? [{ vendorName: str(managed.vendorName ?? managed.VendorName), name: str(managed.name ?? managed.Name) }]
      : [];
  });

/** Sources: each service's "Actions, resources, and condition keys" page of the Service Authorization Reference. */
export const DEPLOY_NEEDS: Readonly<Record<string, Needs>> = {
  // --- network ---
  "aws:ec2/vpc:Vpc": ec2("vpc", "ec2:CreateVpc", "ec2:DeleteVpc", (_r, at, arn) => [
    req("ec2:ModifyVpcAttribute", arn, at.existing),
  ]),
  "aws:ec2/subnet:Subnet": ec2("subnet", "ec2:CreateSubnet", "ec2:DeleteSubnet", (_r, at, arn) => [
    req("ec2:ModifySubnetAttribute", arn, at.existing),
  ]),
  "aws:ec2/internetGateway:InternetGateway": ec2(
    "internet-gateway",
    "ec2:CreateInternetGateway",
    "ec2:DeleteInternetGateway",
    (_r, at, arn) => [
      req("ec2:AttachInternetGateway", arn, at.existing),
      req("ec2:DetachInternetGateway", arn, at.existing),
    ],
  ),
  "aws:ec2/routeTable:RouteTable": ec2("route-table", "ec2:CreateRouteTable", "ec2:DeleteRouteTable"),
  "aws:ec2/eip:Eip": ec2("elastic-ip", "ec2:AllocateAddress", "ec2:ReleaseAddress"),
  "aws:ec2/natGateway:NatGateway": ec2("natgateway", "ec2:CreateNatGateway", "ec2:DeleteNatGateway"),
  "aws:ec2/vpcEndpoint:VpcEndpoint": ec2("vpc-endpoint", "ec2:CreateVpcEndpoint", "ec2:DeleteVpcEndpoints"),
  "aws:ec2/securityGroup:SecurityGroup": ec2(
    "security-group",
    "ec2:CreateSecurityGroup",
    "ec2:DeleteSecurityGroup",
    // The provider revokes the allow-all egress rule AWS adds to a new group.
    (_r, at, arn) => [req("ec2:RevokeSecurityGroupEgress", arn, at.existing)],
  ),
  "aws:ec2/flowLog:FlowLog": ec2("vpc-flow-log", "ec2:CreateFlowLogs", "ec2:DeleteFlowLogs", (r) =>
    passRole(r.inputs.iamRoleArn, "vpc-flow-logs.amazonaws.com"),
  ),
  // Adopted, not created: tagged Project=<app> first, then its rules are revoked.
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": (r, at) => {
    const arn = at.arn("ec2", `security-group/${r.id}`);
    return [
      req("ec2:CreateTags", arn, at.created),
      req("ec2:RevokeSecurityGroupIngress", arn, at.existing),
      req("ec2:RevokeSecurityGroupEgress", arn, at.existing),
    ];
  },
  "aws:ec2/route:Route": (r, at) =>
    each(
      ["ec2:CreateRoute", "ec2:DeleteRoute"],
      at.arn("ec2", `route-table/${str(r.inputs.routeTableId)}`),
      at.platform,
    ),
  "aws:ec2/routeTableAssociation:RouteTableAssociation": (r, at) => [
    ...each(
      ["ec2:AssociateRouteTable", "ec2:DisassociateRouteTable"],
      at.arn("ec2", `route-table/${str(r.inputs.routeTableId)}`),
      at.platform,
    ),
    req("ec2:AssociateRouteTable", at.arn("ec2", `subnet/${str(r.inputs.subnetId)}`), at.platform),
  ],
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (r, at) => {
    const group = at.arn("ec2", `security-group/${str(r.inputs.securityGroupId)}`);
    const rule = at.arn("ec2", `security-group-rule/${r.id}`);
    return [
      req("ec2:AuthorizeSecurityGroupIngress", group, { ...at.platform, ...at.created }),
      req("ec2:CreateTags", rule, { ...at.created, "ec2:CreateAction": "AuthorizeSecurityGroupIngress" }),
      req("ec2:RevokeSecurityGroupIngress", group, at.platform),
    ];
  },
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": (r, at) => {
    const group = at.arn("ec2", `security-group/${str(r.inputs.securityGroupId)}`);
    const rule = at.arn("ec2", `security-group-rule/${r.id}`);
    return [
      req("ec2:AuthorizeSecurityGroupEgress", group, { ...at.platform, ...at.created }),
      req("ec2:CreateTags", rule, { ...at.created, "ec2:CreateAction": "AuthorizeSecurityGroupEgress" }),
      req("ec2:RevokeSecurityGroupEgress", group, at.platform),
    ];
  },

  // --- IAM: the layers' roles and their inline policies ---
  "aws:iam/role:Role": (r, at) => {
    const arn = roleArn(at, str(r.inputs.name));
    const boundary = boundaryOf(at, str(r.inputs.name));
    return [
      req("iam:CreateRole", arn, { ...at.created, ...boundary }),
      req("iam:TagRole", arn, at.created),
      req("iam:DeleteRole", arn, boundary),
    ];
  },
  "aws:iam/rolePolicy:RolePolicy": (r, at) => {
    // `role` is the role's name (its id) in the render.
    const role = str(r.inputs.role);
    return each(["iam:PutRolePolicy", "iam:DeleteRolePolicy"], roleArn(at, role), boundaryOf(at, role));
  },

  // --- KMS ---
  "aws:kms/key:Key": (r, at) => {
    const arn = at.arn("kms", `key/${r.id}`);
    return [
      req("kms:CreateKey", "*", at.created),
      req("kms:TagResource", arn, at.created),
      req("kms:EnableKeyRotation", arn, at.existing),
      req("kms:ScheduleKeyDeletion", arn, at.existing),
    ];
  },
  // Both the alias and the key it points at are authorized.
  "aws:kms/alias:Alias": (r, at) => [
    ...each(["kms:CreateAlias", "kms:DeleteAlias"], at.arn("kms", str(r.inputs.name))),
    ...keyUse(at, at.arn("kms", `key/${lastSegment(r.inputs.targetKeyId)}`), ["kms:CreateAlias", "kms:DeleteAlias"]),
  ],

  // --- CloudWatch Logs, alarms, dashboards ---
  "aws:cloudwatch/logGroup:LogGroup": (r, at) => {
    const arn = logGroup(at, r.inputs.name);
    return [
      req("logs:CreateLogGroup", arn, at.created),
      req("logs:TagResource", arn, at.created),
      req("logs:PutRetentionPolicy", arn, at.existing),
      req("logs:DeleteLogGroup", arn, at.existing),
    ];
  },
  "aws:cloudwatch/metricAlarm:MetricAlarm": (r, at) => {
    const arn = alarm(at, str(r.inputs.name));
    return [
      req("cloudwatch:PutMetricAlarm", arn, at.created),
      req("cloudwatch:TagResource", arn, at.created),
      req("cloudwatch:DeleteAlarms", arn, at.existing),
    ];
  },
  "aws:cloudwatch/dashboard:Dashboard": (r, at) =>
    each(
      ["cloudwatch:PutDashboard", "cloudwatch:DeleteDashboards"],
      `arn:${at.target.partition}:cloudwatch::${at.target.accountId}:dashboard/${str(r.inputs.dashboardName)}`,
    ),
  "aws:cloudwatch/logDeliverySource:LogDeliverySource": (r, at) => {
    const arn = at.arn("logs", `delivery-source:${str(r.inputs.name)}`);
    return [
      req("logs:PutDeliverySource", arn, at.created),
      req("logs:TagResource", arn, at.created),
      // CloudFront checks the caller may have the distribution's logs delivered.
      req("cloudfront:AllowVendedLogDeliveryForResource", str(r.inputs.resourceArn), at.platform),
      req("logs:DeleteDeliverySource", arn, at.existing),
    ];
  },
  "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": (r, at) => {
    const arn = at.arn("logs", `delivery-destination:${str(r.inputs.name)}`);
    return [
      req("logs:PutDeliveryDestination", arn, at.created),
      req("logs:TagResource", arn, at.created),
      req("logs:DeleteDeliveryDestination", arn, at.existing),
    ];
  },
  "aws:cloudwatch/logDelivery:LogDelivery": (r, at) => [
    ...each(["logs:CreateDelivery", "logs:TagResource"], at.arn("logs", `delivery:${r.id}`), at.created),
    req("logs:CreateDelivery", at.arn("logs", `delivery-source:${str(r.inputs.deliverySourceName)}`), at.platform),
    req("logs:CreateDelivery", str(r.inputs.deliveryDestinationArn), at.platform),
    req("logs:DeleteDelivery", at.arn("logs", `delivery:${r.id}`), at.existing),
  ],

  // --- SNS ---
  "aws:sns/topic:Topic": (r, at) => {
    const arn = at.arn("sns", str(r.inputs.name));
    return [
      req("sns:CreateTopic", arn, at.created),
      req("sns:TagResource", arn, at.created),
      req("sns:SetTopicAttributes", arn, at.existing),
      req("sns:DeleteTopic", arn, at.existing),
    ];
  },
  "aws:sns/topicPolicy:TopicPolicy": (r, _at) => [req("sns:SetTopicAttributes", str(r.inputs.arn))],
  "aws:sns/topicSubscription:TopicSubscription": (r, _at) => [
    req("sns:Subscribe", str(r.inputs.topic)),
    req("sns:Unsubscribe", str(r.inputs.topic)),
  ],

  // --- data ---
  "aws:dynamodb/table:Table": (r, at) => {
    const arn = at.arn("dynamodb", `table/${str(r.inputs.name)}`);
    const sse = (r.inputs.serverSideEncryption ?? {}) as Record<string, unknown>;
    return [
      ...each(
        [
          "dynamodb:CreateTable",
          "dynamodb:TagResource",
          "dynamodb:UpdateTimeToLive",
          "dynamodb:UpdateContinuousBackups",
        ],
        arn,
      ),
      ...keyUse(at, sse.kmsKeyArn),
      req("dynamodb:DeleteTable", arn),
    ];
  },
  "aws:rds/clusterParameterGroup:ClusterParameterGroup": (r, at) =>
    each(
      [
        "rds:CreateDBClusterParameterGroup",
        "rds:AddTagsToResource",
        "rds:ModifyDBClusterParameterGroup",
        "rds:DeleteDBClusterParameterGroup",
      ],
      at.arn("rds", `cluster-pg:${str(r.inputs.name)}`),
    ),
  "aws:rds/subnetGroup:SubnetGroup": (r, at) =>
    each(
      ["rds:CreateDBSubnetGroup", "rds:AddTagsToResource", "rds:DeleteDBSubnetGroup"],
      at.arn("rds", `subgrp:${str(r.inputs.name)}`),
    ),
  "aws:rds/cluster:Cluster": (r, at) => {
    const id = str(r.inputs.clusterIdentifier);
    const final = str(r.inputs.finalSnapshotIdentifier);
    return [
      ...each(["rds:CreateDBCluster", "rds:AddTagsToResource", "rds:DeleteDBCluster"], at.arn("rds", `cluster:${id}`)),
      // RDS also authorizes the parameter and subnet groups the cluster names.
      req("rds:CreateDBCluster", at.arn("rds", `cluster-pg:${str(r.inputs.dbClusterParameterGroupName)}`)),
      req("rds:CreateDBCluster", at.arn("rds", `subgrp:${str(r.inputs.dbSubnetGroupName)}`)),
      ...keyUse(at, r.inputs.kmsKeyId),
      serviceLinkedRole(at, "rds.amazonaws.com"),
      // The managed master secret (R7) is created with the caller's permissions.
      ...(r.inputs.manageMasterUserPassword === true
        ? [
            ...each(
              [
                "secretsmanager:CreateSecret",
                "secretsmanager:TagResource",
                "secretsmanager:RotateSecret",
                "secretsmanager:DeleteSecret",
              ],
              at.arn("secretsmanager", `secret:rds!cluster-${r.id}-abcdef`),
            ),
            ...keyUse(at, r.inputs.masterUserSecretKmsKeyId, ["kms:DescribeKey", "kms:GenerateDataKey", "kms:Decrypt"]),
          ]
        : []),
      ...(r.inputs.skipFinalSnapshot === true || final === ""
        ? []
        : [req("rds:CreateDBClusterSnapshot", at.arn("rds", `cluster-snapshot:${final}`))]),
    ];
  },
  "aws:rds/clusterInstance:ClusterInstance": (r, at) => [
    ...each(
      ["rds:CreateDBInstance", "rds:AddTagsToResource", "rds:DeleteDBInstance"],
      at.arn("rds", `db:${str(r.inputs.identifier)}`),
    ),
    req("rds:CreateDBInstance", at.arn("rds", `cluster:${str(r.inputs.clusterIdentifier)}`)),
  ],

  // --- S3 ---
  // A bucket without an explicit `bucket` input is auto-named: its id is the physical name.
  "aws:s3/bucket:Bucket": (r, at) =>
    each(
      ["s3:CreateBucket", "s3:PutBucketTagging", "s3:DeleteBucket", "s3:ListBucketVersions"],
      s3Bucket(at, str(r.inputs.bucket) || r.id),
    ),
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": bucketSetting("s3:PutBucketOwnershipControls"),
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": bucketSetting("s3:PutBucketPublicAccessBlock"),
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": bucketSetting(
    "s3:PutEncryptionConfiguration",
  ),
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": bucketSetting("s3:PutLifecycleConfiguration"),
  "aws:s3/bucketVersioning:BucketVersioning": bucketSetting("s3:PutBucketVersioning"),
  "aws:s3/bucketPolicy:BucketPolicy": bucketSetting("s3:PutBucketPolicy", "s3:DeleteBucketPolicy"),
  "aws:s3/bucketObjectv2:BucketObjectv2": (r, at) =>
    each(
      ["s3:PutObject", "s3:PutObjectTagging", "s3:DeleteObject", "s3:DeleteObjectVersion"],
      `${s3Bucket(at, r.inputs.bucket)}/${str(r.inputs.key)}`,
    ),

  // --- service ---
  "aws:ecr/repository:Repository": (r, at) => {
    const arn = at.arn("ecr", `repository/${str(r.inputs.name)}`);
    const encryption = ((r.inputs.encryptionConfigurations ?? []) as Array<Record<string, unknown>>)[0] ?? {};
    return [
      ...each(
        ["ecr:CreateRepository", "ecr:TagResource", "ecr:PutImageScanningConfiguration", "ecr:DeleteRepository"],
        arn,
      ),
      ...keyUse(at, encryption.kmsKey),
    ];
  },
  "aws:ecr/lifecyclePolicy:LifecyclePolicy": (r, at) =>
    each(
      ["ecr:PutLifecyclePolicy", "ecr:DeleteLifecyclePolicy"],
      at.arn("ecr", `repository/${str(r.inputs.repository)}`),
    ),
  "aws:ecs/cluster:Cluster": (r, at) => [
    ...each(
      ["ecs:CreateCluster", "ecs:TagResource", "ecs:DeleteCluster"],
      at.arn("ecs", `cluster/${str(r.inputs.name)}`),
    ),
    serviceLinkedRole(at, "ecs.amazonaws.com"),
  ],
  "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": (r, at) => [
    req("ecs:PutClusterCapacityProviders", at.arn("ecs", `cluster/${str(r.inputs.clusterName)}`)),
  ],
  "aws:ecs/taskDefinition:TaskDefinition": (r, at) => [
    req("ecs:RegisterTaskDefinition", "*", at.created),
    req("ecs:TagResource", at.arn("ecs", `task-definition/${str(r.inputs.family)}:1`), at.created),
    ...passRole(r.inputs.executionRoleArn, "ecs-tasks.amazonaws.com"),
    ...passRole(r.inputs.taskRoleArn, "ecs-tasks.amazonaws.com"),
    req("ecs:DeregisterTaskDefinition", "*"),
  ],
  "aws:ecs/service:Service": (r, at) => {
    const arn = at.arn("ecs", `service/${lastSegment(r.inputs.cluster)}/${str(r.inputs.name)}`);
    return each(["ecs:CreateService", "ecs:TagResource", "ecs:UpdateService", "ecs:DeleteService"], arn);
  },
  "aws:appautoscaling/target:Target": (_r, at) => [
    ...each(
      [
        "application-autoscaling:RegisterScalableTarget",
        "application-autoscaling:TagResource",
        "application-autoscaling:DeregisterScalableTarget",
      ],
      at.arn("application-autoscaling", "scalable-target/0123456789abcdef0123456789abcdef"),
    ),
    serviceLinkedRole(at, "ecs.application-autoscaling.amazonaws.com"),
  ],
  // Target tracking creates and deletes its alarms TargetTracking-<resourceId>-AlarmHigh|Low-<uuid> with the
  // caller's permissions: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/auto-scaling-IAM.html
  "aws:appautoscaling/policy:Policy": (r, at) => [
    ...each(
      ["application-autoscaling:PutScalingPolicy", "application-autoscaling:DeleteScalingPolicy"],
      at.arn("application-autoscaling", "scalable-target/0123456789abcdef0123456789abcdef"),
    ),
    ...(r.inputs.policyType === "TargetTrackingScaling"
      ? ["AlarmHigh", "AlarmLow"].flatMap((which) =>
          each(
            ["cloudwatch:PutMetricAlarm", "cloudwatch:DescribeAlarms", "cloudwatch:DeleteAlarms"],
            alarm(at, `TargetTracking-${str(r.inputs.resourceId)}-${which}-0f2c4a6e-1b3d-4f5a-8c7e-9d0b1a2c3e4f`),
          ),
        )
      : []),
  ],
  "aws:lb/loadBalancer:LoadBalancer": (r, at) => [
    req("elasticloadbalancing:CreateLoadBalancer", r.id, at.created),
    req("elasticloadbalancing:AddTags", r.id, at.created),
    req("elasticloadbalancing:ModifyLoadBalancerAttributes", r.id, at.existing),
    req("elasticloadbalancing:DeleteLoadBalancer", r.id, at.existing),
    serviceLinkedRole(at, "elasticloadbalancing.amazonaws.com"),
  ],
  "aws:lb/targetGroup:TargetGroup": (r, at) => [
    req("elasticloadbalancing:CreateTargetGroup", r.id, at.created),
    req("elasticloadbalancing:AddTags", r.id, at.created),
    req("elasticloadbalancing:ModifyTargetGroupAttributes", r.id, at.existing),
    req("elasticloadbalancing:DeleteTargetGroup", r.id, at.existing),
  ],
  "aws:lb/listener:Listener": (r, at) => [
    req("elasticloadbalancing:CreateListener", str(r.inputs.loadBalancerArn), at.platform),
    req("elasticloadbalancing:AddTags", r.id, at.created),
    req("elasticloadbalancing:DeleteListener", r.id, at.existing),
  ],
  "aws:lb/listenerRule:ListenerRule": (r, at) => [
    req("elasticloadbalancing:CreateRule", str(r.inputs.listenerArn), at.platform),
    req("elasticloadbalancing:AddTags", r.id, at.created),
    req("elasticloadbalancing:DeleteRule", r.id, at.existing),
  ],
  "aws:wafv2/webAcl:WebAcl": (r, at) => {
    const scope = r.inputs.scope === "CLOUDFRONT" ? "global" : "regional";
    const arn = at.arn("wafv2", `${scope}/webacl/${str(r.inputs.name)}/${r.id}`);
    return [
      ...each(["wafv2:CreateWebACL", "wafv2:TagResource", "wafv2:UpdateWebACL", "wafv2:DeleteWebACL"], arn, at.created),
      ...managedRuleGroups(wafRules(r.inputs.rules)).map((g) =>
        req("wafv2:CreateWebACL", at.arn("wafv2", `${scope}/managedruleset/${g.vendorName}/${g.name}`)),
      ),
    ];
  },
  "aws:wafv2/webAclAssociation:WebAclAssociation": (r, at) => [
    ...each(["wafv2:AssociateWebACL", "wafv2:DisassociateWebACL"], str(r.inputs.webAclArn)),
    ...each(["wafv2:AssociateWebACL", "elasticloadbalancing:SetWebAcl"], str(r.inputs.resourceArn), at.platform),
  ],
  // WAF registers a CloudWatch Logs delivery and a resource policy on the log group with the caller's permissions.
  "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": (r) => [
    ...each(["wafv2:PutLoggingConfiguration", "wafv2:DeleteLoggingConfiguration"], str(r.inputs.resourceArn)),
    ...each(["logs:CreateLogDelivery", "logs:DeleteLogDelivery", "logs:PutResourcePolicy"], "*"),
  ],

  // --- edge (CloudFront ARNs carry ids only) ---
  "aws:cloudfront/distribution:Distribution": (r, at) =>
    each(
      ["cloudfront:CreateDistributionWithTags", "cloudfront:UpdateDistribution", "cloudfront:DeleteDistribution"],
      `arn:${at.target.partition}:cloudfront::${at.target.accountId}:distribution/${r.id}`,
    ),
  "aws:cloudfront/originAccessControl:OriginAccessControl": (r, at) =>
    each(
      ["cloudfront:CreateOriginAccessControl", "cloudfront:DeleteOriginAccessControl"],
      `arn:${at.target.partition}:cloudfront::${at.target.accountId}:origin-access-control/${r.id}`,
    ),
  "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": (r, at) =>
    each(
      ["cloudfront:CreateResponseHeadersPolicy", "cloudfront:DeleteResponseHeadersPolicy"],
      `arn:${at.target.partition}:cloudfront::${at.target.accountId}:response-headers-policy/${r.id}`,
    ),
  // A VPC origin needs CloudFront's service-linked role on first use (AWSCloudFrontVPCOriginServiceRolePolicy):
  // https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-vpc-origins.html
  "aws:cloudfront/vpcOrigin:VpcOrigin": (r, at) => [
    ...each(
      ["cloudfront:CreateVpcOrigin", "cloudfront:TagResource", "cloudfront:DeleteVpcOrigin"],
      `arn:${at.target.partition}:cloudfront::${at.target.accountId}:vpcorigin/${r.id}`,
    ),
    serviceLinkedRole(at, "vpcorigin.cloudfront.amazonaws.com"),
  ],
  "aws:acm/certificate:Certificate": (r, at) =>
    each(
      ["acm:RequestCertificate", "acm:AddTagsToCertificate", "acm:DeleteCertificate"],
      at.arn("acm", `certificate/${lastSegment(r.id)}`),
    ),
  "aws:acm/certificateValidation:CertificateValidation": () => [],
  "aws:route53/record:Record": (r, at) => [
    req("route53:ChangeResourceRecordSets", `arn:${at.target.partition}:route53:::hostedzone/${str(r.inputs.zoneId)}`),
  ],
};

/** Every request the deploy role makes for the plan's AWS resources, and the types the table lacks. */
export function requiredRequests(
  layer: string,
  resources: readonly PlannedResource[],
  target: DeployTarget,
): { requests: RequiredRequest[]; unknownTypes: string[] } {
  const requests: RequiredRequest[] = [];
  const unknownTypes = new Set<string>();
  for (const r of resources) {
    if (!r.custom || !r.type.startsWith("aws:")) continue;
    const needs = DEPLOY_NEEDS[r.type];
    if (!needs) {
      unknownTypes.add(r.type);
      continue;
    }
    const region = str(r.inputs.region) || target.region;
    const at: At = {
      target,
      region,
      arn: (service, resource, inRegion = region) =>
        `arn:${target.partition}:${service}:${inRegion}:${target.accountId}:${resource}`,
      created: tagContext(r, "RequestTag"),
      existing: tagContext(r, "ResourceTag"),
      platform: { "aws:ResourceTag/Project": target.app },
      plan: resources,
    };
    for (const request of needs(r, at)) requests.push({ ...request, for: `${layer} ${r.type} ${r.name}` });
  }
  return { requests, unknownTypes: [...unknownTypes].sort() };
}
