import * as ec2 from "@pulumi/aws/ec2";
import * as iam from "@pulumi/aws/iam";
import * as kms from "@pulumi/aws/kms";
import * as rds from "@pulumi/aws/rds";
import type * as pulumi from "@pulumi/pulumi";
import { isTaggable, standardTags } from "./tags";

// isTaggable only reads the resource's class, so bare prototypes stand in for constructed resources.
const instanceOf = (cls: { prototype: object }) => Object.create(cls.prototype) as pulumi.Resource;

describe("standardTags (R18)", () => {
  it("carries Project, Environment, Layer, ManagedBy and the profile (throwaway unless given)", () => {
    expect(standardTags("data", "dev")).toEqual({
      Project: "mlapi",
      Environment: "dev",
      Layer: "data",
      ManagedBy: "pulumi",
      Profile: "throwaway",
    });
    expect(standardTags("data", "dev", "production")).toMatchObject({ Profile: "production" });
  });
});

describe("isTaggable", () => {
  it.each([
    ["aws.ec2.Vpc", ec2.Vpc, true],
    ["aws.rds.Cluster", rds.Cluster, true],
    ["aws.ec2.Route", ec2.Route, false],
    ["aws.kms.Alias", kms.Alias, false],
    ["aws.iam.RolePolicy", iam.RolePolicy, false],
  ])("%s → %s", (_name, cls, expected) => {
    expect(isTaggable(instanceOf(cls))).toBe(expected);
  });
});
