/**
 * The plan diff: two offline plans of the same layer (a base commit's and the working tree's)
 * compared resource by resource (by URN) and output by output, as a reviewer needs it:
 *   - resources added and removed, and for each changed resource every changed input (old → new);
 *   - changes that replace a resource flagged loudly: a changed physical name or identifier, or a
 *     property the provider documents as forcing a new resource (REPLACEMENT_PROPERTIES);
 *   - changed outputs, with the downstream layers that read them.
 * Pure and deterministic (sorted by URN and property path): the CLI side (plan-at-ref.ts) renders
 * the two plans, this module only compares documents and formats the result for a terminal or Markdown.
 */

/** The part of a plan document (tools/src/plan.ts writes them) the diff reads. */
export interface DiffablePlan {
  layer: string;
  stack: string;
  steps: {
    urn: string;
    name: string;
    physicalName?: string;
    newState: { type: string; custom: boolean; inputs: Record<string, unknown> };
  }[];
  outputs: Record<string, unknown>;
  secretOutputNames: string[];
}

export interface PropertyChange {
  /** `cidrBlock`, `rules[0].expiration.days`, `policy{}.Statement[1].Action` (`{}`: inside a JSON string). */
  path: string;
  old: unknown;
  new: unknown;
  /** Why this change replaces the resource, when it does. */
  replaces?: string;
}

export interface ResourceRef {
  urn: string;
  type: string;
  name: string;
  physicalName?: string;
}

export interface ResourceChange extends ResourceRef {
  properties: PropertyChange[];
  /** Whether any property change forces a new resource (delete and create, or create then delete). */
  replaces: boolean;
}

export interface OutputChange {
  name: string;
  old: unknown;
  new: unknown;
  /** Downstream layers that read this output through their StackReference. */
  readBy: string[];
}

export interface LayerDiff {
  layer: string;
  stack: string;
  added: ResourceRef[];
  removed: ResourceRef[];
  changed: ResourceChange[];
  outputs: OutputChange[];
}

const REGISTRY = "https://www.pulumi.com/registry/packages/aws/api-docs";

/** `aws:ec2/vpc:Vpc` → its page in the Pulumi AWS registry, where each replacing input is marked. */
export const docPage = (type: string): string => {
  const [, module, resource] = /^aws:([\w-]+)\/(\w+):\w+$/.exec(type) ?? [];
  return module === undefined ? REGISTRY : `${REGISTRY}/${module}/${resource.toLowerCase()}/`;
};

/**
 * Inputs whose change makes the provider replace the resource, for the resource types this repo
 * declares: those the Pulumi AWS registry page of each type marks "Changes to this property will
 * trigger replacement" (the Terraform provider schema's ForceNew), as of @pulumi/aws 7.x. Curated:
 * a type added to the platform belongs here too (the test lists the types the plans contain).
 * A nested path applies to anything under it. Types absent here replace on no input change.
 */
export const REPLACEMENT_PROPERTIES: Record<string, readonly string[]> = {
  "aws:acm/certificate:Certificate": [
    "domainName",
    "subjectAlternativeNames",
    "validationMethod",
    "keyAlgorithm",
    "certificateAuthorityArn",
  ],
  "aws:acm/certificateValidation:CertificateValidation": ["certificateArn", "validationRecordFqdns"],
  "aws:appautoscaling/policy:Policy": ["name", "resourceId", "scalableDimension", "serviceNamespace"],
  "aws:appautoscaling/target:Target": ["resourceId", "scalableDimension", "serviceNamespace"],
  // Updated in place whatever changes (the distribution keeps its id and domain name).
  "aws:cloudfront/distribution:Distribution": [],
  "aws:cloudfront/originAccessControl:OriginAccessControl": [],
  "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": [],
  // The provider updates it in place, but AWS refuses to update a VPC origin a distribution uses, so
  // ApiVpcOrigin replaces it (replaceOnChanges, new one first) whenever its endpoint changes.
  "aws:cloudfront/vpcOrigin:VpcOrigin": ["vpcOriginEndpointConfig"],
  "aws:cloudwatch/dashboard:Dashboard": ["dashboardName"],
  "aws:cloudwatch/logDelivery:LogDelivery": ["deliverySourceName", "deliveryDestinationArn"],
  "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": ["name", "deliveryDestinationType"],
  "aws:cloudwatch/logDeliverySource:LogDeliverySource": ["name", "logType", "resourceArn"],
  "aws:cloudwatch/logGroup:LogGroup": ["name", "namePrefix", "logGroupClass"],
  "aws:cloudwatch/metricAlarm:MetricAlarm": ["name"],
  "aws:dynamodb/table:Table": ["name", "hashKey", "rangeKey", "localSecondaryIndexes"],
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": ["vpcId"],
  "aws:ec2/eip:Eip": ["domain", "address", "publicIpv4Pool", "customerOwnedIpv4Pool", "networkBorderGroup"],
  "aws:ec2/internetGateway:InternetGateway": [],
  "aws:ec2/flowLog:FlowLog": [
    "vpcId",
    "subnetId",
    "eniId",
    "trafficType",
    "logDestination",
    "logDestinationType",
    "iamRoleArn",
    "logFormat",
    "maxAggregationInterval",
    "destinationOptions",
  ],
  "aws:ec2/natGateway:NatGateway": ["subnetId", "allocationId", "connectivityType", "privateIp"],
  "aws:ec2/route:Route": [
    "routeTableId",
    "destinationCidrBlock",
    "destinationIpv6CidrBlock",
    "destinationPrefixListId",
  ],
  "aws:ec2/routeTable:RouteTable": ["vpcId"],
  "aws:ec2/routeTableAssociation:RouteTableAssociation": ["subnetId", "gatewayId"],
  "aws:ec2/securityGroup:SecurityGroup": ["name", "namePrefix", "description", "vpcId"],
  "aws:ec2/subnet:Subnet": ["vpcId", "cidrBlock", "availabilityZone", "availabilityZoneId", "outpostArn"],
  "aws:ec2/vpc:Vpc": ["cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength"],
  "aws:ec2/vpcEndpoint:VpcEndpoint": ["vpcId", "serviceName", "vpcEndpointType"],
  "aws:ecr/lifecyclePolicy:LifecyclePolicy": ["repository"],
  "aws:ecr/repository:Repository": ["name", "encryptionConfigurations"],
  "aws:ecs/cluster:Cluster": ["name"],
  "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": ["clusterName"],
  "aws:ecs/service:Service": ["name", "cluster", "iamRole", "schedulingStrategy", "deploymentController"],
  // A task definition is immutable: any change registers a new revision, and the service rolls to it.
  "aws:ecs/taskDefinition:TaskDefinition": [
    "family",
    "containerDefinitions",
    "cpu",
    "memory",
    "networkMode",
    "executionRoleArn",
    "taskRoleArn",
    "requiresCompatibilities",
    "runtimePlatform",
    "volumes",
    "ephemeralStorage",
  ],
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": ["url"],
  "aws:iam/policy:Policy": ["name", "namePrefix", "path", "description"],
  "aws:iam/role:Role": ["name", "namePrefix", "path"],
  "aws:iam/rolePolicy:RolePolicy": ["name", "namePrefix", "role"],
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ["role", "policyArn"],
  "aws:kms/alias:Alias": ["name", "namePrefix"],
  "aws:kms/key:Key": ["customerMasterKeySpec", "keyUsage", "multiRegion", "customKeyStoreId", "xksKeyId"],
  "aws:lb/listener:Listener": ["loadBalancerArn"],
  "aws:lb/listenerRule:ListenerRule": ["listenerArn"],
  "aws:lb/loadBalancer:LoadBalancer": ["name", "namePrefix", "internal", "loadBalancerType", "customerOwnedIpv4Pool"],
  "aws:lb/targetGroup:TargetGroup": [
    "name",
    "namePrefix",
    "port",
    "protocol",
    "protocolVersion",
    "targetType",
    "vpcId",
    "ipAddressType",
  ],
  "aws:rds/cluster:Cluster": [
    "clusterIdentifier",
    "clusterIdentifierPrefix",
    "engine",
    "engineMode",
    "databaseName",
    "masterUsername",
    "storageEncrypted",
    "kmsKeyId",
    "availabilityZones",
    "dbSubnetGroupName",
    "snapshotIdentifier",
    "restoreToPointInTime",
  ],
  "aws:rds/clusterInstance:ClusterInstance": [
    "identifier",
    "identifierPrefix",
    "clusterIdentifier",
    "engine",
    "dbSubnetGroupName",
    "availabilityZone",
  ],
  "aws:rds/clusterParameterGroup:ClusterParameterGroup": ["name", "namePrefix", "family", "description"],
  "aws:rds/subnetGroup:SubnetGroup": ["name", "namePrefix"],
  "aws:route53/record:Record": ["zoneId", "name", "type", "setIdentifier"],
  "aws:s3/bucket:Bucket": ["bucket", "bucketPrefix", "objectLockEnabled"],
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": ["bucket", "expectedBucketOwner"],
  "aws:s3/bucketObjectv2:BucketObjectv2": ["bucket", "key"],
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": ["bucket"],
  "aws:s3/bucketPolicy:BucketPolicy": ["bucket"],
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ["bucket"],
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": [
    "bucket",
    "expectedBucketOwner",
  ],
  "aws:s3/bucketVersioning:BucketVersioning": ["bucket", "expectedBucketOwner"],
  "aws:sns/topic:Topic": ["name", "namePrefix", "fifoTopic"],
  "aws:sns/topicPolicy:TopicPolicy": ["arn"],
  "aws:sns/topicSubscription:TopicSubscription": ["topic", "protocol", "endpoint"],
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ["securityGroupId"],
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ["securityGroupId"],
  "aws:wafv2/webAcl:WebAcl": ["name", "scope", "namePrefix"],
  "aws:wafv2/webAclAssociation:WebAclAssociation": ["resourceArn", "webAclArn"],
  "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": ["resourceArn"],
};

/** The property name at the head of a path: `rules[0].days` → `rules`, `policy{}.Statement` → `policy`. */
const head = (path: string): string => /^[^.[{]+/.exec(path)?.[0] ?? path;

/** Replacements that are routine, with what they mean; still listed, so a reviewer sees them. */
const ROUTINE: Record<string, string> = {
  "aws:ecs/taskDefinition:TaskDefinition": "a new task definition revision; the service rolls to it",
};

/** Why changing `path` replaces a resource of `type`, or undefined. */
export function replacementReason(type: string, path: string): string | undefined {
  const forcing = REPLACEMENT_PROPERTIES[type];
  if (!forcing?.includes(head(path))) return undefined;
  return `${head(path)} forces a new resource${ROUTINE[type] ? `: ${ROUTINE[type]}` : ""} (${docPage(type)})`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A JSON string holding an object or array (policy documents, container definitions), parsed; else undefined. */
function parsedJson(v: unknown): unknown {
  if (typeof v !== "string" || !/^\s*[[{]/.test(v)) return undefined;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return undefined;
  }
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Every leaf that differs between two values, as paths; arrays of different lengths compare whole. */
export function changedPaths(a: unknown, b: unknown, path = ""): { path: string; old: unknown; new: unknown }[] {
  if (same(a, b)) return [];
  const [ja, jb] = [parsedJson(a), parsedJson(b)];
  if (ja !== undefined && jb !== undefined) return changedPaths(ja, jb, `${path}{}`);
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => changedPaths(a[k], b[k], path === "" ? k : `${path}.${k}`));
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    return a.flatMap((item, i) => changedPaths(item, b[i], `${path}[${i}]`));
  }
  return [{ path, old: a, new: b }];
}

type Step = DiffablePlan["steps"][number];

/** Only what exists in AWS: custom resources that are not Pulumi's own (stack, providers, references). */
const awsSteps = (plan: DiffablePlan | undefined): Map<string, Step> =>
  new Map(
    (plan?.steps ?? [])
      .filter((s) => s.newState.custom && !s.newState.type.startsWith("pulumi:"))
      .map((s) => [s.urn, s]),
  );

const ref = (s: Step): ResourceRef => ({
  urn: s.urn,
  type: s.newState.type,
  name: s.name,
  physicalName: s.physicalName || undefined,
});

const byUrn = (a: { urn: string }, b: { urn: string }) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0);

/**
 * Compares the base plan of a layer with the head plan (either may be missing: a layer added or
 * removed). `readersOf(output)` names the downstream layers that read an output of this layer.
 * Secret outputs compare by value but print as [secret].
 */
export function diffPlans(
  base: DiffablePlan | undefined,
  head: DiffablePlan | undefined,
  readersOf: (output: string) => string[] = () => [],
): LayerDiff {
  const layer = head?.layer ?? base?.layer ?? "";
  const [before, after] = [awsSteps(base), awsSteps(head)];
  const added = [...after.values()]
    .filter((s) => !before.has(s.urn))
    .map(ref)
    .sort(byUrn);
  const removed = [...before.values()]
    .filter((s) => !after.has(s.urn))
    .map(ref)
    .sort(byUrn);
  const changed: ResourceChange[] = [];
  for (const [urn, now] of after) {
    const was = before.get(urn);
    if (!was) continue;
    const properties = changedPaths(was.newState.inputs, now.newState.inputs).map((c): PropertyChange => {
      const reason = replacementReason(now.newState.type, c.path);
      return reason === undefined ? c : { ...c, replaces: reason };
    });
    if (properties.length > 0)
      changed.push({ ...ref(now), properties, replaces: properties.some((p) => p.replaces !== undefined) });
  }
  changed.sort(byUrn);

  const secret = new Set([...(base?.secretOutputNames ?? []), ...(head?.secretOutputNames ?? [])]);
  const hide = (name: string, v: unknown) => (secret.has(name) && v !== undefined ? "[secret]" : v);
  const names = [...new Set([...Object.keys(base?.outputs ?? {}), ...Object.keys(head?.outputs ?? {})])].sort();
  const outputs = names
    .filter((n) => !same(base?.outputs[n], head?.outputs[n]))
    .map((n) => ({ name: n, old: hide(n, base?.outputs[n]), new: hide(n, head?.outputs[n]), readBy: readersOf(n) }));
  return { layer, stack: head?.stack ?? base?.stack ?? "", added, removed, changed, outputs };
}

export const isEmpty = (d: LayerDiff): boolean =>
  d.added.length + d.removed.length + d.changed.length + d.outputs.length === 0;

const show = (v: unknown): string => (v === undefined ? "(none)" : JSON.stringify(v));
const label = (r: ResourceRef): string => `${r.type} ${r.name}${r.physicalName ? ` (${r.physicalName})` : ""}`;

function counts(d: LayerDiff): string {
  const replaced = d.changed.filter((c) => c.replaces).length;
  return `${d.added.length} to add, ${d.changed.length} to change (${replaced} replaced), ${d.removed.length} to delete, ${d.outputs.length} output${d.outputs.length === 1 ? "" : "s"} changed`;
}

/** Terminal output: one block per layer; replacements marked `!!` and upper-case, so they stand out without colour. */
export function renderText(diffs: LayerDiff[], baseRef: string): string {
  const lines = [`plan diff: ${baseRef} -> working tree`];
  for (const d of diffs) {
    lines.push("", `${d.layer} (stack ${d.stack}): ${isEmpty(d) ? "no changes" : counts(d)}`);
    for (const r of d.added) lines.push(`  + ${label(r)}`);
    for (const r of d.removed) lines.push(`  - ${label(r)}`);
    for (const c of d.changed) {
      lines.push(c.replaces ? `  !! REPLACE ${label(c)}` : `  ~ ${label(c)}`);
      for (const p of c.properties)
        lines.push(`      ${p.path}: ${show(p.old)} -> ${show(p.new)}${p.replaces ? `   !! ${p.replaces}` : ""}`);
    }
    for (const o of d.outputs) {
      lines.push(
        `  output ${o.name}: ${show(o.old)} -> ${show(o.new)}${o.readBy.length > 0 ? `   (read by ${o.readBy.join(", ")})` : ""}`,
      );
    }
  }
  const replacements = diffs.flatMap((d) => d.changed.filter((c) => c.replaces).map((c) => `${d.layer}: ${label(c)}`));
  if (replacements.length > 0)
    lines.push(
      "",
      `!! ${replacements.length} resource${replacements.length === 1 ? "" : "s"} will be REPLACED:`,
      ...replacements.map((r) => `!!   ${r}`),
    );
  return lines.join("\n");
}

const code = (v: unknown): string => `\`${show(v).replace(/`/g, "'").replace(/\|/g, "\\|")}\``;

/** Markdown for the pull-request comment: a summary table, replacements first in a warning, then per-layer detail. */
export function renderMarkdown(diffs: LayerDiff[], baseRef: string): string {
  const lines = [
    `### Plan diff against \`${baseRef}\``,
    "",
    "| layer | added | changed | replaced | deleted | outputs |",
    "|---|---|---|---|---|---|",
  ];
  for (const d of diffs) {
    const replaced = d.changed.filter((c) => c.replaces).length;
    lines.push(
      `| ${d.layer} | ${d.added.length} | ${d.changed.length} | ${replaced > 0 ? `**${replaced}**` : 0} | ${d.removed.length} | ${d.outputs.length} |`,
    );
  }
  const replacements = diffs.flatMap((d) => d.changed.filter((c) => c.replaces).map((c) => ({ d, c })));
  if (replacements.length > 0) {
    lines.push(
      "",
      "> [!WARNING]",
      `> **${replacements.length} resource${replacements.length === 1 ? "" : "s"} will be replaced** (deleted and created again):`,
    );
    for (const { d, c } of replacements) {
      const why = c.properties
        .filter((p) => p.replaces)
        .map((p) => `\`${p.path}\``)
        .join(", ");
      lines.push(
        `> - ${d.layer}: \`${c.type}\` **${c.name}**${c.physicalName ? ` (\`${c.physicalName}\`)` : ""} — ${why} ([forces replacement](${docPage(c.type)}))`,
      );
    }
  }
  for (const d of diffs.filter((x) => !isEmpty(x))) {
    lines.push("", `<details><summary><b>${d.layer}</b>: ${counts(d)}</summary>`, "");
    if (d.added.length + d.removed.length + d.changed.length > 0) {
      lines.push("| | resource | property | old | new |", "|---|---|---|---|---|");
      for (const r of d.added) lines.push(`| ➕ | \`${r.type}\` ${r.name} | | | |`);
      for (const r of d.removed) lines.push(`| ➖ | \`${r.type}\` ${r.name} | | | |`);
      for (const c of d.changed) {
        for (const p of c.properties) {
          lines.push(
            `| ${p.replaces ? "⚠️ replace" : "✏️"} | \`${c.type}\` ${c.name} | \`${p.path}\` | ${code(p.old)} | ${code(p.new)} |`,
          );
        }
      }
    }
    if (d.outputs.length > 0) {
      lines.push("", "| output | old | new | read by |", "|---|---|---|---|");
      for (const o of d.outputs)
        lines.push(`| \`${o.name}\` | ${code(o.old)} | ${code(o.new)} | ${o.readBy.join(", ") || "—"} |`);
    }
    lines.push("", "</details>");
  }
  if (diffs.every(isEmpty)) lines.push("", "No changes in any layer.");
  return `${lines.join("\n")}\n`;
}
