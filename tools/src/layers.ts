import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import type { LayerName } from "@mlapi/core/layers";
import { DATA, EDGE, LAYERS, NETWORK, SERVICE } from "@mlapi/core/layers";

export const WORKSPACE_ROOT = path.resolve(__dirname, "..", "..");

/** The layers each layer reads through StackReference (docs/requirements.md, Layers). Deploy follows it, destroy reverses it. */
export const UPSTREAM: Record<LayerName, LayerName[]> = {
  network: [],
  data: ["network"],
  service: ["network", "data"],
  edge: ["service"],
};

/**
 * The outputs every layer must export for people and tests, not only for the next layer (requirement
 * R20 in docs/requirements.md): endpoints, names and ids an operator or the integration tests look up.
 * The offline plan's summary lists them and marks a missing one.
 */
export const REQUIRED_STACK_OUTPUTS: Record<LayerName, string[]> = {
  network: ["vpcId"],
  data: ["rdsClusterEndpoint", "rdsClusterReaderEndpoint", "sessionsTableName"],
  service: ["albDnsName", "ecsClusterName", "ecsServiceName"],
  edge: ["cloudFrontUrl", "cloudFrontDistributionId"],
};

/** Layers in deploy order (every layer after the layers it reads). */
export const DEPLOY_ORDER: readonly LayerName[] = LAYERS;

/** Layers in destroy order: the reverse of deploy order. */
export const DESTROY_ORDER: readonly LayerName[] = [...LAYERS].reverse();

/**
 * Every layer that reads `layer`, directly or through another layer, in destroy order: the stacks
 * that must be gone before `layer` can be destroyed (data -> edge, service).
 */
export function dependentsOf(layer: LayerName): LayerName[] {
  const found = new Set<LayerName>();
  const visit = (l: LayerName): void => {
    for (const d of LAYERS) {
      if (UPSTREAM[d].includes(l) && !found.has(d)) {
        found.add(d);
        visit(d);
      }
    }
  };
  visit(layer);
  return DESTROY_ORDER.filter((l) => found.has(l));
}

/**
 * In one teardown, the layers whose resources must be gone before a layer's own can be deleted: what
 * `--cascade` waits for, and each layer's `destroy` dependsOn in project.json (a test keeps the two
 * equal). A destroy works from the stack's state and reads no upstream stack, so layers that only read
 * each other's outputs can go down side by side. What AWS itself refuses: deleting the service's ALB
 * while the edge's CloudFront VPC origin points at it, and deleting the VPC, its subnets and security
 * groups while the database, the tasks, the ALB or the VPC origin's network interfaces are in them.
 */
export const DESTROY_AFTER: Record<LayerName, readonly LayerName[]> = {
  network: ["data", "service", "edge"],
  data: [],
  service: ["edge"],
  edge: [],
};

/** `layers` in destroy waves: a wave's layers go down side by side, after every layer their DESTROY_AFTER names. */
export function destroyWaves(layers: readonly LayerName[]): LayerName[][] {
  const waves: LayerName[][] = [];
  let left = DESTROY_ORDER.filter((l) => layers.includes(l));
  while (left.length > 0) {
    const wave = left.filter((l) => !DESTROY_AFTER[l].some((first) => left.includes(first)));
    waves.push(wave);
    left = left.filter((l) => !wave.includes(l));
  }
  return waves;
}

/** Each layer's output contract (Pulumi project, output names, secret outputs). */
export const CONTRACTS = { network: NETWORK, data: DATA, service: SERVICE, edge: EDGE } as const;

export function layerDir(layer: LayerName): string {
  return path.join(WORKSPACE_ROOT, "projects", layer);
}

export function isLayer(name: string): name is LayerName {
  return (LAYERS as readonly string[]).includes(name);
}

/** The Pulumi project name from the layer's Pulumi.yaml (else its contract's, e.g. mlapi-data). */
export function pulumiProjectName(layer: LayerName): string {
  const file = path.join(layerDir(layer), "Pulumi.yaml");
  if (!fs.existsSync(file)) return CONTRACTS[layer].project;
  const doc = parse(fs.readFileSync(file, "utf8")) as { name: string };
  return doc.name;
}

/** A layer's `Pulumi.<stack>.yaml`: its `config:` map and the ESC environments it imports, if any. */
export interface StackFile {
  /** Path relative to the workspace root, for messages. */
  file: string;
  config: Record<string, unknown>;
  /** The `environment:` block (Pulumi ESC imports), resolved by the Pulumi CLI only. */
  environments: string[];
}

const stackFilePath = (layer: LayerName, stack: string): string => path.join(layerDir(layer), `Pulumi.${stack}.yaml`);

/** The layer's stack file, or undefined when there is none. */
export function findStackFile(layer: LayerName, stack: string): StackFile | undefined {
  const file = stackFilePath(layer, stack);
  if (!fs.existsSync(file)) return undefined;
  const doc = (parse(fs.readFileSync(file, "utf8")) ?? {}) as {
    config?: Record<string, unknown>;
    environment?: unknown;
  };
  const environments = Array.isArray(doc.environment)
    ? doc.environment.map(String)
    : doc.environment
      ? [String(doc.environment)]
      : [];
  return { file: path.relative(WORKSPACE_ROOT, file), config: doc.config ?? {}, environments };
}

/** The layer's stack file; a missing one is an error that says how to create the stack. */
export function readStackFile(layer: LayerName, stack: string): StackFile {
  const found = findStackFile(layer, stack);
  if (!found) {
    throw new Error(
      `No stack file ${path.relative(WORKSPACE_ROOT, stackFilePath(layer, stack))}: create the stack with ` +
        `\`nx run ${layer}:stack-init --stack ${stack}\`, or pass --stack <name> of an existing one.`,
    );
  }
  return found;
}

/** The `config:` map of `Pulumi.<stack>.yaml`, as `pulumi up` would read it (ESC imports aside). */
export function readStackConfig(layer: LayerName, stack: string): Record<string, unknown> {
  return readStackFile(layer, stack).config;
}

/** The environment suffix pinned in the stack's config (`<project>:environmentSuffix`), if any. */
export function pinnedSuffix(layer: LayerName, config: Record<string, unknown>): string | undefined {
  const value = config[`${pulumiProjectName(layer)}:environmentSuffix`];
  return value === undefined || value === null ? undefined : String(value);
}
