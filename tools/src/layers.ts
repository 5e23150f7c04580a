import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import type { LayerName } from "@mlapi/core/layers";
import { DATA, EDGE, LAYERS, NETWORK, SERVICE } from "@mlapi/core/layers";

export const WORKSPACE_ROOT = path.resolve(__dirname, "..", "..");

/** The layers each layer reads through StackReference (SPEC §1). Deploy follows it, destroy reverses it. */
export const UPSTREAM: Record<LayerName, LayerName[]> = {
  network: [],
  data: ["network"],
  service: ["network", "data"],
  edge: ["service"],
};

/** The outputs SPEC R20 requires of each layer; the offline plan and docs list them. */
export const R20_OUTPUTS: Record<LayerName, string[]> = {
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

/** The `config:` map of `Pulumi.<stack>.yaml`, exactly as `pulumi up` would read it. */
export function readStackConfig(layer: LayerName, stack: string): Record<string, unknown> {
  const file = path.join(layerDir(layer), `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) {
    throw new Error(`No stack file ${path.relative(WORKSPACE_ROOT, file)}: copy Pulumi.example.yaml to it, or pass --stack <name> of an existing one.`);
  }
  const doc = (parse(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  return doc.config ?? {};
}
