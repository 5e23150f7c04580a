import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import type { LayerName } from "@mlapi/core";
import { LAYERS } from "@mlapi/core";

export const WORKSPACE_ROOT = path.resolve(__dirname, "..", "..");

/** The layers each layer reads through StackReference (SPEC §1). Deploy follows it, destroy reverses it. */
export const UPSTREAM: Record<LayerName, LayerName[]> = {
  network: [],
  data: ["network"],
  service: ["network", "data"],
  edge: ["service"],
};

export function layerDir(layer: LayerName): string {
  return path.join(WORKSPACE_ROOT, "projects", layer);
}

export function isLayer(name: string): name is LayerName {
  return (LAYERS as readonly string[]).includes(name);
}

/** The Pulumi project name from the layer's Pulumi.yaml. */
export function pulumiProjectName(layer: LayerName): string {
  const doc = parse(fs.readFileSync(path.join(layerDir(layer), "Pulumi.yaml"), "utf8")) as { name: string };
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
