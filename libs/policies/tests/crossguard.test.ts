// The CrossGuard adapter: the same rules, called the way @pulumi/policy calls a pack.
import type {
  PolicyResource as SdkResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { RULES } from "../src";
import { crossGuardContext, stackOfUrn, toCrossGuardPolicies } from "../src/crossguard";

const urn = (type: string, name: string, stack = "dev") => `urn:pulumi:${stack}::mlapi-data::${type}::${name}`;

function resourceArgs(
  type: string,
  name: string,
  props: Record<string, unknown>,
  protect = false,
): ResourceValidationArgs {
  return {
    type,
    name,
    urn: urn(type, name),
    props,
    opts: { protect, ignoreChanges: [], aliases: [], additionalSecretOutputs: [] },
  } as unknown as ResourceValidationArgs;
}

async function runResource(
  policyName: string,
  args: ResourceValidationArgs,
  env: NodeJS.ProcessEnv = {},
): Promise<string[]> {
  const policy = toCrossGuardPolicies(RULES, env).find((p) => p.name === policyName) as ResourceValidationPolicy;
  const reported: string[] = [];
  const validate = policy.validateResource;
  if (typeof validate !== "function") throw new Error(`${policyName} is not a resource policy`);
  await validate(args, (message) => reported.push(message));
  return reported;
}

describe("the CrossGuard adaptation", () => {
  it("turns every rule into one policy with its name, description and enforcement level", () => {
    const policies = toCrossGuardPolicies(RULES, {});
    expect(policies.map((p) => [p.name, p.enforcementLevel])).toEqual(RULES.map((r) => [r.name, r.enforcementLevel]));
    expect(policies.filter((p) => "validateStack" in p).map((p) => p.name)).toEqual(
      RULES.filter((r) => r.kind === "stack").map((r) => r.name),
    );
  });

  it("reports a 14-day log group through validateResource", async () => {
    expect(
      await runResource(
        "log-group-retention-kms",
        resourceArgs("aws:cloudwatch/logGroup:LogGroup", "logs", {
          name: "/mlapi/x-dev",
          retentionInDays: 14,
          kmsKeyId: "arn:key",
        }),
      ),
    ).toEqual(["retentionInDays is 14; every log group keeps exactly 30 days (use EncryptedLogGroup)."]);
  });

  it("reads the protect option from the SDK's resource options", async () => {
    expect(await runResource("destroyable", resourceArgs("aws:sns/topic:Topic", "t", {}, true))).toEqual([
      "the protect option is set; destroy would refuse to delete it.",
    ]);
  });

  it("takes the suffix from ENVIRONMENT_SUFFIX, else from the stack in the URN, and the project from the URN", async () => {
    const args = resourceArgs("aws:dynamodb/table:Table", "sessions", { name: "mlapi-sessions-dev" });
    expect(await runResource("naming-suffix", args)).toEqual([]);
    expect(await runResource("naming-suffix", args, { ENVIRONMENT_SUFFIX: "qa" })).toEqual([
      'name "mlapi-sessions-dev" does not contain the environment suffix "qa"; name it with Naming.name()/logGroupName() from @mlapi/core.',
    ]);
    expect(stackOfUrn(urn("aws:x", "y", "pr-12"))).toBe("pr-12");
    expect(crossGuardContext(urn("aws:x", "y", "pr-12"), {})).toEqual({
      environmentSuffix: "pr-12",
      project: "mlapi-data",
    });
  });

  it("treats a name still unknown at preview as a reference, not a violation", async () => {
    const props = Object.defineProperty({ identifier: "mlapi-db-1-dev" }, "clusterIdentifier", {
      enumerable: true,
      get() {
        throw new Error("unknown during preview");
      },
    });
    expect(
      await runResource("naming-suffix", resourceArgs("aws:rds/clusterInstance:ClusterInstance", "db-1", props)),
    ).toEqual([]);
  });

  it("runs stack rules through validateStack, linking resources by property dependencies and reporting the offender's URN", async () => {
    const bucket = {
      type: "aws:s3/bucket:Bucket",
      name: "pages",
      urn: urn("aws:s3/bucket:Bucket", "pages"),
      props: {},
      opts: { protect: false },
      propertyDependencies: {},
    };
    const other = {
      type: "aws:s3/bucket:Bucket",
      name: "logs",
      urn: urn("aws:s3/bucket:Bucket", "logs"),
      props: {},
      opts: { protect: false },
      propertyDependencies: {},
    };
    const sse = {
      type: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      name: "pages-sse",
      urn: urn("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "pages-sse"),
      props: { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }] },
      opts: { protect: false },
      propertyDependencies: { bucket: [bucket] },
    };
    const policy = toCrossGuardPolicies(RULES, {}).find(
      (p) => p.name === "s3-bucket-encryption",
    ) as StackValidationPolicy;
    const reported: [string, string | undefined][] = [];
    await policy.validateStack(
      { resources: [bucket, other, sse] as unknown as SdkResource[] } as StackValidationArgs,
      (message, u) => reported.push([message, u]),
    );
    expect(reported).toEqual([
      ["no BucketServerSideEncryptionConfiguration (aws:kms or AES256) for this bucket in the stack.", other.urn],
    ]);
  });
});
