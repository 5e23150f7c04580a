import type { IamPolicyDocument } from "./iam-simulator";
import { iamGlob, simulate } from "./iam-simulator";

const ROLE = "arn:aws:iam::123456789012:role/mlapi-api-task-dev";
const BOUNDARY = "arn:aws:iam::123456789012:policy/mlapi-workload-boundary";
const doc = (...Statement: Array<Record<string, unknown>>): IamPolicyDocument => ({ Statement });

describe("simulate", () => {
  const policies = [
    doc(
      {
        Sid: "Roles",
        Effect: "Allow",
        Action: ["iam:CreateRole", "iam:PutRolePolicy"],
        Resource: "arn:aws:iam::123456789012:role/mlapi-*",
        Condition: { StringEquals: { "iam:PermissionsBoundary": BOUNDARY } },
      },
      {
        Sid: "Tagged",
        Effect: "Allow",
        Action: "ec2:Create*",
        Resource: "*",
        Condition: { StringEquals: { "aws:RequestTag/Project": "mlapi" } },
      },
      {
        Sid: "Untag",
        Effect: "Allow",
        Action: "ec2:DeleteTags",
        Resource: "*",
        Condition: { "ForAllValues:StringEquals": { "aws:TagKeys": ["Name"] } },
      },
    ),
    doc({ Sid: "NoCi", Effect: "Deny", Action: "iam:*", Resource: "arn:aws:iam::123456789012:role/mlapi-github-*" }),
  ];

  it("allows a request whose action, resource and conditions all match", () => {
    expect(
      simulate(policies, {
        action: "iam:CreateRole",
        resource: ROLE,
        context: { "iam:PermissionsBoundary": BOUNDARY },
      }),
    ).toEqual({
      decision: "allowed",
      statement: "Roles",
    });
  });

  it("refuses when a condition key is missing or different (a positive operator on a missing key is false)", () => {
    expect(simulate(policies, { action: "iam:CreateRole", resource: ROLE })).toEqual({ decision: "implicitDeny" });
    expect(
      simulate(policies, {
        action: "iam:CreateRole",
        resource: ROLE,
        context: { "iam:PermissionsBoundary": `${BOUNDARY}2` },
      }),
    ).toEqual({ decision: "implicitDeny" });
    expect(
      simulate(policies, { action: "ec2:CreateVpc", resource: "*", context: { "aws:RequestTag/Project": "other" } }),
    ).toEqual({
      decision: "implicitDeny",
    });
  });

  it("lets an explicit deny win over an allow", () => {
    const request = {
      action: "iam:CreateRole",
      resource: "arn:aws:iam::123456789012:role/mlapi-github-deploy",
      context: { "iam:PermissionsBoundary": BOUNDARY },
    };
    expect(simulate(policies, request)).toEqual({ decision: "explicitDeny", statement: "NoCi" });
  });

  it("matches actions case-insensitively with wildcards, ARNs case-sensitively", () => {
    expect(
      simulate(policies, { action: "EC2:createvpc", resource: "*", context: { "aws:RequestTag/Project": "mlapi" } })
        .decision,
    ).toBe("allowed");
    expect(
      simulate(policies, {
        action: "iam:CreateRole",
        resource: ROLE.toUpperCase(),
        context: { "iam:PermissionsBoundary": BOUNDARY },
      }).decision,
    ).toBe("implicitDeny");
  });

  it("evaluates set operators over multivalued keys", () => {
    expect(
      simulate(policies, { action: "ec2:DeleteTags", resource: "*", context: { "aws:TagKeys": ["Name"] } }).decision,
    ).toBe("allowed");
    expect(
      simulate(policies, { action: "ec2:DeleteTags", resource: "*", context: { "aws:TagKeys": ["Name", "Project"] } })
        .decision,
    ).toBe("implicitDeny");
  });

  it("holds negated operators on a missing key, and NotResource", () => {
    const p = [
      doc({
        Sid: "D",
        Effect: "Deny",
        Action: "s3:GetObject",
        NotResource: "arn:aws:s3:::mlapi-*/*",
        Condition: { StringNotEquals: { "aws:ResourceTag/Project": "mlapi" } },
      }),
    ];
    expect(simulate(p, { action: "s3:GetObject", resource: "arn:aws:s3:::other/x" })).toEqual({
      decision: "explicitDeny",
      statement: "D",
    });
    expect(simulate(p, { action: "s3:GetObject", resource: "arn:aws:s3:::mlapi-a/x" })).toEqual({
      decision: "implicitDeny",
    });
  });

  it("refuses to guess an operator it does not simulate", () => {
    const p = [
      doc({
        Sid: "Ip",
        Effect: "Allow",
        Action: "s3:*",
        Resource: "*",
        Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } },
      }),
    ];
    expect(() => simulate(p, { action: "s3:GetObject", resource: "*" })).toThrow(
      "statement Ip: condition operator IpAddress is not simulated",
    );
  });
});

describe("iamGlob", () => {
  it("lets * cross / and : and ? match one character", () => {
    expect(iamGlob("arn:aws:logs:*:1:log-group:/mlapi/*", "arn:aws:logs:eu-west-1:1:log-group:/mlapi/a/b:*")).toBe(
      true,
    );
    expect(iamGlob("alarm:mlapi-?", "alarm:mlapi-ab")).toBe(false);
  });
});
