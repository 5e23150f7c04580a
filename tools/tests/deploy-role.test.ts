// The CI deploy role against what the layers actually declare: all four layers are rendered here (the
// same renderer as `npm run plan`, so this cannot go stale), every AWS resource is turned into the IAM
// requests creating and destroying it makes (deploy-role-requests.ts), and each request is decided by
// IAM's evaluation rules (@mlapi/testing's simulate) against the role's two inline policies as the
// bootstrap builds them. A resource a layer adds without a matching permission, or of a type nobody
// wrote the requests of, fails here instead of on the first deploy in a real account. Checked in
// us-east-1 and in another region, where the edge still puts its CloudFront pieces in us-east-1.
import * as path from "node:path";
import type { LayerName } from "@mlapi/core";
import type { CiPermissionsContext } from "@mlapi/components";
import { deployStatePolicy, deployWritePolicy, workloadBoundaryPolicy } from "@mlapi/components";
import type { IamPolicyDocument, PlannedResource } from "@mlapi/testing";
import { MOCK_ACCOUNT_ID, policyDocument, programLoader, renderProgram, simulate } from "@mlapi/testing";
import { DEPLOY_ORDER, layerDir, pulumiProjectName, readStackConfig, UPSTREAM } from "../src/layers";
import type { RequiredRequest } from "./deploy-role-requests";
import { requiredRequests } from "./deploy-role-requests";

jest.setTimeout(120_000);

const STACK = "example";
const ZONE = "Z0123456789ABCDEFGHIJ";

interface RenderedLayer {
  layer: LayerName;
  resources: PlannedResource[];
  outputs: Record<string, unknown>;
}

/** All four layers in deploy order, as `npm run plan` renders them, in `region`, with per-layer config on top. */
async function renderStack(
  region: string,
  overrides: Partial<Record<LayerName, Record<string, unknown>>> = {},
): Promise<RenderedLayer[]> {
  const rendered: RenderedLayer[] = [];
  for (const layer of DEPLOY_ORDER) {
    const project = pulumiProjectName(layer);
    const stackOutputs = Object.fromEntries(
      UPSTREAM[layer].map((u) => [
        `organization/${pulumiProjectName(u)}/${STACK}`,
        rendered.find((d) => d.layer === u)?.outputs ?? {},
      ]),
    );
    const result = await renderProgram({
      project,
      stack: STACK,
      config: { ...readStackConfig(layer, STACK), "aws:region": region, ...overrides[layer] },
      stackOutputs,
      organization: "organization",
      load: programLoader(path.join(layerDir(layer), "index.ts")),
    });
    rendered.push({ layer, resources: result.resources, outputs: result.outputs });
  }
  return rendered;
}

const context = (region: string, hostedZoneIds: string[] = []): CiPermissionsContext => ({
  partition: "aws",
  accountId: MOCK_ACCOUNT_ID,
  region,
  app: "mlapi",
  stateBucketArn: `arn:aws:s3:::mlapi-state-${MOCK_ACCOUNT_ID}-${region}-shared`,
  stateKeyArn: `arn:aws:kms:${region}:${MOCK_ACCOUNT_ID}:key/state`,
  secretsKeyArn: `arn:aws:kms:${region}:${MOCK_ACCOUNT_ID}:key/secrets`,
  ciRoleArns: ["github-preview", "github-deploy"].map((n) => `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/mlapi-${n}-shared`),
  hostedZoneIds,
});

/** The deploy role's inline policies (ReadOnlyAccess grants no writes, so it adds nothing here). */
const deployPolicies = (c: CiPermissionsContext): IamPolicyDocument[] => [deployStatePolicy(c), deployWritePolicy(c)];

/** Each request the role would be refused, as `resource: action on ARN -> decision`. */
function refused(stack: RenderedLayer[], policies: IamPolicyDocument[], region: string): string[] {
  const target = { partition: "aws", accountId: MOCK_ACCOUNT_ID, region, app: "mlapi" };
  const requests: RequiredRequest[] = stack.flatMap((l) => requiredRequests(l.layer, l.resources, target).requests);
  expect(requests.length).toBeGreaterThan(300);
  return requests.flatMap((r) => {
    const d = simulate(policies, r);
    return d.decision === "allowed"
      ? []
      : [`${r.for}: ${r.action} on ${r.resource} -> ${d.decision}${"statement" in d ? ` (${d.statement})` : ""}`];
  });
}

describe.each(["us-east-1", "eu-west-1"])(
  "the deploy role can deploy and destroy the example stack in %s",
  (region) => {
    let stack: RenderedLayer[];
    beforeAll(async () => {
      stack = await renderStack(region);
    });

    it("knows the IAM requests of every AWS resource type the layers declare", () => {
      const target = { partition: "aws", accountId: MOCK_ACCOUNT_ID, region, app: "mlapi" };
      expect(stack.flatMap((l) => requiredRequests(l.layer, l.resources, target).unknownTypes)).toEqual([]);
      // Every ARN is whole: an input the table reads that the render lacks would leave an empty segment.
      const broken = stack
        .flatMap((l) => requiredRequests(l.layer, l.resources, target).requests)
        .filter((r) => r.resource !== "*" && !/^arn:aws:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:\S*[^:/\s]$/.test(r.resource))
        .map((r) => `${r.for}: ${r.action} on "${r.resource}"`);
      expect(broken).toEqual([]);
    });

    it("is allowed every request creating, tagging and deleting them makes", () => {
      expect(refused(stack, deployPolicies(context(region)), region)).toEqual([]);
    });

    it("puts the edge's CloudFront pieces in us-east-1 whatever the stack's region (what the role must cover there)", () => {
      const edge = stack.find((l) => l.layer === "edge")?.resources ?? [];
      const regions = new Set(
        edge.filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm").map((r) => r.inputs.region),
      );
      expect([...regions]).toEqual(["us-east-1"]);
    });
  },
);

describe("the deploy role with a custom domain (certificate and DNS records in the bootstrap's hosted zone)", () => {
  const region = "eu-west-1";
  let stack: RenderedLayer[];
  beforeAll(async () => {
    stack = await renderStack(region, {
      edge: {
        "mlapi-edge:domainName": "api.example.com",
        "mlapi-edge:hostedZoneId": ZONE,
        "mlapi-edge:allowDefaultCertificate": false,
        "mlapi-edge:alarmEmails": ["ops@example.com"],
      },
    });
  });

  it("creates the certificate, its validation record and the alias records", () => {
    const types = new Set(stack.flatMap((l) => l.resources.map((r) => r.type)));
    expect([...types]).toEqual(
      expect.arrayContaining([
        "aws:acm/certificate:Certificate",
        "aws:route53/record:Record",
        "aws:sns/topicSubscription:TopicSubscription",
      ]),
    );
  });

  it("is allowed all of it when the bootstrap names the zone, and refused the records when it does not", () => {
    expect(refused(stack, deployPolicies(context(region, [ZONE])), region)).toEqual([]);
    const withoutZone = refused(stack, deployPolicies(context(region)), region);
    expect(withoutZone.length).toBeGreaterThan(0);
    expect(withoutZone.every((line) => line.includes("route53:ChangeResourceRecordSets"))).toBe(true);
  });
});

describe("the workload permissions boundary", () => {
  let stack: RenderedLayer[];
  beforeAll(async () => {
    stack = await renderStack("eu-west-1");
  });

  it("allows everything the layers' roles' inline policies grant (it caps them, never cuts them)", () => {
    const boundary = [workloadBoundaryPolicy({ partition: "aws", accountId: MOCK_ACCOUNT_ID, app: "mlapi" })];
    const policies = stack.flatMap((l) => l.resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy"));
    expect(policies.map((p) => p.inputs.role)).toEqual([
      "mlapi-flow-logs-example",
      "mlapi-api-task-example",
      "mlapi-api-execution-example",
    ]);
    const cut = policies.flatMap((p) =>
      policyDocument(p.inputs.policy).Statement.flatMap((s) => {
        const list = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : [v as string]);
        // The statement's own StringEquals conditions are what the request carries (kms:ViaService).
        const equals = ((s.Condition as Record<string, Record<string, string>> | undefined) ?? {}).StringEquals ?? {};
        return list(s.Action).flatMap((action) =>
          list(s.Resource)
            .filter((resource) => simulate(boundary, { action, resource, context: equals }).decision !== "allowed")
            .map((resource) => `${String(p.inputs.role)} ${String(s.Sid)}: ${action} on ${resource}`),
        );
      }),
    );
    expect(cut).toEqual([]);
  });

  it("is what lets the deploy role create the roles: without it CreateRole and PutRolePolicy are refused", async () => {
    const withoutBoundary = await renderStack("eu-west-1", {
      service: { "mlapi-service:permissionsBoundary": "none" },
    });
    const lines = refused(withoutBoundary, deployPolicies(context("eu-west-1")), "eu-west-1");
    expect(lines.map((l) => l.replace(/ -> .*$/, ""))).toEqual([
      "service aws:iam/role:Role api-roles-execution: iam:CreateRole on arn:aws:iam::123456789012:role/mlapi-api-execution-example",
      "service aws:iam/role:Role api-roles-task: iam:CreateRole on arn:aws:iam::123456789012:role/mlapi-api-task-example",
      "service aws:iam/rolePolicy:RolePolicy api-roles-task-policy: iam:PutRolePolicy on arn:aws:iam::123456789012:role/mlapi-api-task-example",
      "service aws:iam/rolePolicy:RolePolicy api-roles-task-policy: iam:DeleteRolePolicy on arn:aws:iam::123456789012:role/mlapi-api-task-example",
      "service aws:iam/rolePolicy:RolePolicy api-roles-execution-policy: iam:PutRolePolicy on arn:aws:iam::123456789012:role/mlapi-api-execution-example",
      "service aws:iam/rolePolicy:RolePolicy api-roles-execution-policy: iam:DeleteRolePolicy on arn:aws:iam::123456789012:role/mlapi-api-execution-example",
    ]);
  });
});

describe("the check itself", () => {
  let stack: RenderedLayer[];
  beforeAll(async () => {
    stack = await renderStack("eu-west-1");
  });

  it("fails for a resource whose permission is taken away: the container insights log group", () => {
    const c = context("eu-west-1");
    const write = deployWritePolicy(c);
    const narrowed: IamPolicyDocument = {
      Statement: write.Statement.map((s) =>
        s.Sid === "LogGroupsNamed"
          ? { ...s, Resource: (s.Resource as string[]).filter((r) => !r.includes("containerinsights")) }
          : s,
      ),
    };
    expect(refused(stack, [deployStatePolicy(c), narrowed], "eu-west-1")).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^service aws:cloudwatch\/logGroup:LogGroup api-cluster-insights-log-group: logs:CreateLogGroup on arn:aws:logs:eu-west-1:123456789012:log-group:\/aws\/ecs\/containerinsights\/mlapi-cluster-example\/performance -> implicitDeny$/,
        ),
      ]),
    );
  });

  it("reports a resource type it has no requests for", () => {
    const target = { partition: "aws", accountId: MOCK_ACCOUNT_ID, region: "eu-west-1", app: "mlapi" };
    const [first] = stack[0].resources.filter((r) => r.custom);
    const lambda = { ...first, type: "aws:lambda/function:Function" };
    expect(requiredRequests("network", [lambda], target).unknownTypes).toEqual(["aws:lambda/function:Function"]);
  });
});
