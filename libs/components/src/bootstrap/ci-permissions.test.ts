import { evaluate, iamLeastPrivilege } from "@mlapi/policies";
import type { CiPermissionsContext } from "./ci-permissions";
import { DEPLOY_SERVICES, deployStatePolicy, deployWritePolicy, previewPolicy } from "./ci-permissions";
import type { PolicyDocument } from "./github-actions-role";
import { simulate } from "@mlapi/testing";

const STATE = "arn:aws:s3:::mlapi-state-123456789012-us-east-1-shared";
const STATE_KEY = "arn:aws:kms:us-east-1:123456789012:key/state";
const SECRETS_KEY = "arn:aws:kms:us-east-1:123456789012:key/secrets";
const CI_ROLES = [
  "arn:aws:iam::123456789012:role/mlapi-github-preview-shared",
  "arn:aws:iam::123456789012:role/mlapi-github-deploy-shared",
];
const ctx: CiPermissionsContext = {
  partition: "aws",
  accountId: "123456789012",
  region: "us-east-1",
  app: "mlapi",
  stateBucketArn: STATE,
  stateKeyArn: STATE_KEY,
  secretsKeyArn: SECRETS_KEY,
  ciRoleArns: CI_ROLES,
  hostedZoneIds: [],
};

type Statement = Record<string, unknown>;
const list = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : [v as string]);
const bySid = (doc: PolicyDocument, sid: string) => doc.Statement.find((s) => s.Sid === sid) as Statement;
const allows = (doc: PolicyDocument) => doc.Statement.filter((s) => s.Effect === "Allow");
/** The platform's own least-privilege rule (libs/policies), run on the document as on a RolePolicy. */
const leastPrivilegeFindings = (doc: PolicyDocument) =>
  evaluate(
    [
      {
        type: "aws:iam/rolePolicy:RolePolicy",
        urn: "urn",
        name: "p",
        props: { policy: JSON.stringify(doc) },
        protect: false,
        handles: [],
      },
    ],
    { environmentSuffix: "shared" },
    [iamLeastPrivilege],
  ).map((v) => v.message);

describe("previewPolicy (pull-request previews, drift detection)", () => {
  const doc = previewPolicy(ctx);

  it("reads the state and writes only the lock files a preview takes", () => {
    expect(bySid(doc, "StateRead")).toMatchObject({ Action: ["s3:GetObject"], Resource: `${STATE}/*` });
    expect(bySid(doc, "StateLocks")).toMatchObject({
      Action: ["s3:PutObject", "s3:DeleteObject"],
      Resource: `${STATE}/.pulumi/locks/*`,
    });
    expect(bySid(doc, "StateWrite")).toBeUndefined();
  });

  it("decrypts the stacks' secrets but cannot encrypt new ones", () => {
    expect(bySid(doc, "SecretsProvider")).toMatchObject({
      Action: ["kms:Decrypt", "kms:DescribeKey"],
      Resource: SECRETS_KEY,
    });
  });

  it("denies the data reads ReadOnlyAccess would allow: items, secret values, objects outside the platform", () => {
    expect(list(bySid(doc, "DenyDataReads").Action)).toEqual(
      expect.arrayContaining(["dynamodb:GetItem", "dynamodb:Scan", "secretsmanager:GetSecretValue"]),
    );
    expect(bySid(doc, "DenyObjectReadsOutsideThePlatform")).toMatchObject({
      Effect: "Deny",
      NotResource: [`${STATE}/*`, "arn:aws:s3:::mlapi-*/*"],
    });
  });

  it("passes the platform's least-privilege rule", () => {
    expect(leastPrivilegeFindings(doc)).toEqual([]);
  });
});

describe("deploy role policies", () => {
  const write = deployWritePolicy(ctx);
  const state = deployStatePolicy(ctx);

  it("writes the state and encrypts new secrets", () => {
    expect(bySid(state, "StateWrite")).toMatchObject({ Resource: `${STATE}/*` });
    expect(list(bySid(state, "SecretsProvider").Action)).toContain("kms:Encrypt");
  });

  it("changes only the services the four layers manage (Route 53 only with a hosted zone)", () => {
    const services = (doc: PolicyDocument) =>
      [...new Set(allows(doc).flatMap((s) => list(s.Action).map((a) => a.split(":")[0])))].sort();
    expect(services(write)).toEqual(DEPLOY_SERVICES.filter((s) => s !== "route53"));
    expect(services(deployWritePolicy({ ...ctx, hostedZoneIds: ["Z0123456789ABC"] }))).toEqual([...DEPLOY_SERVICES]);
  });

  it("names every resource it may change mlapi-*, or scopes * by the Project tag, or names an id-only type of this account", () => {
    for (const s of allows(write)) {
      for (const resource of list(s.Resource)) {
        const scoped =
          resource.includes("mlapi-") ||
          (resource === "*" && JSON.stringify(s.Condition ?? {}).includes('/Project":"mlapi"')) ||
          /^arn:aws:(cloudfront|acm|application-autoscaling|logs|wafv2|iam|secretsmanager|route53)/.test(resource) ||
          (resource === "*" && ["WafLogDelivery", "EcrLogin", "EcsDeregisterTaskDefinitions"].includes(String(s.Sid)));
        expect([s.Sid, resource, scoped]).toEqual([s.Sid, resource, true]);
      }
    }
  });

  it("passes the platform's least-privilege rule (no service:* action; * only under a tag condition or for unscopable actions)", () => {
    expect(leastPrivilegeFindings(write)).toEqual([]);
    expect(leastPrivilegeFindings(state)).toEqual([]);
  });

  it("creates and writes mlapi-* roles only with the workload boundary on them, and cannot remove or swap it", () => {
    const boundary = "arn:aws:iam::123456789012:policy/mlapi-workload-boundary";
    expect(bySid(write, "IamRolesUnderTheBoundary")).toEqual({
      Sid: "IamRolesUnderTheBoundary",
      Effect: "Allow",
      Action: ["iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary"],
      Resource: ["arn:aws:iam::123456789012:role/mlapi-*"],
      Condition: { StringEquals: { "iam:PermissionsBoundary": boundary } },
    });
    // The rest of the role actions have no boundary condition key in IAM; none of them adds permissions.
    expect(bySid(write, "IamRolesNamed")).toEqual({
      Sid: "IamRolesNamed",
      Effect: "Allow",
      Action: [
        "iam:DeleteRole",
        "iam:UpdateRole",
        "iam:UpdateRoleDescription",
        "iam:UpdateAssumeRolePolicy",
        "iam:TagRole",
        "iam:UntagRole",
      ],
      Resource: ["arn:aws:iam::123456789012:role/mlapi-*"],
    });
    // No other statement allows an IAM write.
    const iamWrites = allows(write)
      .filter((s) => list(s.Action).some((a) => a.startsWith("iam:")))
      .map((s) => s.Sid);
    expect(iamWrites).toEqual([
      "IamRolesUnderTheBoundary",
      "IamRolesNamed",
      "IamPassRolesToTheirService",
      "IamServiceLinkedRoles",
    ]);
    expect(bySid(state, "DenyRemovingRoleBoundaries")).toEqual({
      Sid: "DenyRemovingRoleBoundaries",
      Effect: "Deny",
      Action: "iam:DeleteRolePermissionsBoundary",
      Resource: "*",
    });
    expect(bySid(state, "DenyOtherRoleBoundaries")).toEqual({
      Sid: "DenyOtherRoleBoundaries",
      Effect: "Deny",
      Action: "iam:PutRolePermissionsBoundary",
      Resource: "*",
      Condition: { StringNotEquals: { "iam:PermissionsBoundary": boundary } },
    });
    expect(bySid(state, "DenyChangingTheWorkloadBoundary")).toMatchObject({ Effect: "Deny", Resource: boundary });
    expect(list(bySid(state, "DenyChangingTheWorkloadBoundary").Action)).toEqual(
      expect.arrayContaining(["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicy"]),
    );
  });

  it("decides role requests by the boundary (simulated)", () => {
    const role = "arn:aws:iam::123456789012:role/mlapi-api-task-dev";
    const boundary = { "iam:PermissionsBoundary": "arn:aws:iam::123456789012:policy/mlapi-workload-boundary" };
    const docs = [state, write];
    expect(simulate(docs, { action: "iam:CreateRole", resource: role, context: boundary }).decision).toBe("allowed");
    expect(simulate(docs, { action: "iam:CreateRole", resource: role }).decision).toBe("implicitDeny");
    expect(simulate(docs, { action: "iam:PutRolePolicy", resource: role }).decision).toBe("implicitDeny");
    expect(
      simulate(docs, {
        action: "iam:PutRolePolicy",
        resource: role,
        context: { "iam:PermissionsBoundary": "arn:aws:iam::aws:policy/AdministratorAccess" },
      }).decision,
    ).toBe("implicitDeny");
    expect(simulate(docs, { action: "iam:AttachRolePolicy", resource: role, context: boundary }).decision).toBe(
      "implicitDeny",
    );
    expect(
      simulate(docs, { action: "iam:PutRolePermissionsBoundary", resource: role, context: boundary }).decision,
    ).toBe("allowed");
    expect(
      simulate(docs, {
        action: "iam:PutRolePermissionsBoundary",
        resource: role,
        context: { "iam:PermissionsBoundary": "arn:aws:iam::aws:policy/AdministratorAccess" },
      }),
    ).toEqual({ decision: "explicitDeny", statement: "DenyOtherRoleBoundaries" });
    expect(simulate(docs, { action: "iam:DeleteRolePermissionsBoundary", resource: role, context: boundary })).toEqual({
      decision: "explicitDeny",
      statement: "DenyRemovingRoleBoundaries",
    });
  });

  it("passes roles only to the services that use them", () => {
    expect(bySid(write, "IamPassRolesToTheirService")).toMatchObject({
      Resource: ["arn:aws:iam::123456789012:role/mlapi-*"],
      Condition: {
        StringEquals: { "iam:PassedToService": ["ecs-tasks.amazonaws.com", "vpc-flow-logs.amazonaws.com"] },
      },
    });
  });

  it("can never change the CI roles, the state bucket's settings or history, or the bootstrap keys", () => {
    expect(bySid(state, "DenyChangingTheCiRoles")).toEqual({
      Sid: "DenyChangingTheCiRoles",
      Effect: "Deny",
      Action: "iam:*",
      Resource: CI_ROLES,
    });
    expect(bySid(state, "DenyChangingTheStateBucket")).toMatchObject({
      Effect: "Deny",
      Resource: [STATE, `${STATE}/*`],
    });
    expect(list(bySid(state, "DenyChangingTheStateBucket").Action)).toEqual(
      expect.arrayContaining([
        "s3:DeleteBucket",
        "s3:PutBucketPolicy",
        "s3:PutBucketVersioning",
        "s3:DeleteObjectVersion",
      ]),
    );
    expect(bySid(state, "DenyChangingTheBootstrapKeys")).toMatchObject({
      Effect: "Deny",
      Resource: [STATE_KEY, SECRETS_KEY],
    });
    expect(list(bySid(state, "DenyChangingTheBootstrapKeys").Action)).toEqual(
      expect.arrayContaining(["kms:ScheduleKeyDeletion", "kms:PutKeyPolicy"]),
    );
  });

  it("covers the log groups AWS services name under their own prefixes, in the stack's region and us-east-1", () => {
    const euWest = deployWritePolicy({ ...ctx, region: "eu-west-1" });
    const groups = (r: string) => [
      `arn:aws:logs:${r}:123456789012:log-group:/mlapi/*`,
      `arn:aws:logs:${r}:123456789012:log-group:aws-waf-logs-mlapi-*`,
      `arn:aws:logs:${r}:123456789012:log-group:/aws/rds/cluster/mlapi-*`,
      `arn:aws:logs:${r}:123456789012:log-group:/aws/ecs/containerinsights/mlapi-*`,
      `arn:aws:logs:${r}:123456789012:log-group:/aws/vendedlogs/mlapi/*`,
    ];
    expect(bySid(euWest, "LogGroupsNamed").Resource).toEqual([...groups("eu-west-1"), ...groups("us-east-1")]);
    // In us-east-1 the two regions are one.
    expect(bySid(write, "LogGroupsNamed").Resource).toEqual(groups("us-east-1"));
  });

  it("puts the edge's alarms, SNS topic and KMS aliases in us-east-1 too, outside it", () => {
    const euWest = deployWritePolicy({ ...ctx, region: "eu-west-1" });
    expect(bySid(euWest, "AlarmsAndDashboardsNamed").Resource).toEqual([
      "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:mlapi-*",
      "arn:aws:cloudwatch:us-east-1:123456789012:alarm:mlapi-*",
      "arn:aws:cloudwatch::123456789012:dashboard/mlapi-*",
    ]);
    expect(bySid(euWest, "AlarmTopicNamed").Resource).toEqual([
      "arn:aws:sns:eu-west-1:123456789012:mlapi-*",
      "arn:aws:sns:us-east-1:123456789012:mlapi-*",
    ]);
    expect(bySid(euWest, "KmsAliasesNamed").Resource).toEqual([
      "arn:aws:kms:eu-west-1:123456789012:alias/mlapi-*",
      "arn:aws:kms:us-east-1:123456789012:alias/mlapi-*",
    ]);
  });

  it("lets target tracking manage its own alarms on the platform's ECS services only", () => {
    expect(bySid(write, "TargetTrackingAlarms")).toEqual({
      Sid: "TargetTrackingAlarms",
      Effect: "Allow",
      Action: ["cloudwatch:PutMetricAlarm", "cloudwatch:DescribeAlarms", "cloudwatch:DeleteAlarms"],
      Resource: ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:TargetTracking-service/mlapi-*"],
    });
  });

  it("creates the service-linked roles of ECS, ELB, RDS, ECS auto scaling and CloudFront VPC origins only", () => {
    expect(bySid(write, "IamServiceLinkedRoles").Condition).toEqual({
      StringEquals: {
        "iam:AWSServiceName": [
          "ecs.amazonaws.com",
          "elasticloadbalancing.amazonaws.com",
          "rds.amazonaws.com",
          "ecs.application-autoscaling.amazonaws.com",
          "vpcorigin.cloudfront.amazonaws.com",
        ],
      },
    });
  });

  it("writes DNS records only in the configured hosted zones, and nowhere without one", () => {
    expect(bySid(write, "DnsRecordsInTheConfiguredZones")).toBeUndefined();
    const withZone = deployWritePolicy({ ...ctx, hostedZoneIds: ["Z0123456789ABC"] });
    expect(bySid(withZone, "DnsRecordsInTheConfiguredZones")).toMatchObject({
      Action: ["route53:ChangeResourceRecordSets"],
      Resource: ["arn:aws:route53:::hostedzone/Z0123456789ABC"],
    });
  });
});
