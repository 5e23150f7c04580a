/**
 * The production guard of the destroy command: a stack whose layer config says `profile: production`
 * (deletion protection, a final snapshot: docs/operations.md#production-profile) is destroyed only
 * with `--allow-production`, after its protections were turned off by a deploy with profile throwaway.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import type { LayerName } from "@mlapi/core/layers";
import { layerDir, pulumiProjectName } from "./layers";

/** The `profile` of a layer's stack file; `throwaway` when the file or the key is absent. */
export function stackProfile(layer: LayerName, stack: string): string {
  const file = path.join(layerDir(layer), `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) return "throwaway";
  const doc = (parse(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  const value = doc.config?.[`${pulumiProjectName(layer)}:profile`];
  return typeof value === "string" ? value : "throwaway";
}

/** The refusal for destroying `layers` of a production stack, or undefined when none is production. */
export function productionRefusal(layers: LayerName[], stack: string): string | undefined {
  const production = layers.filter((l) => stackProfile(l, stack) === "production");
  if (production.length === 0) return undefined;
  return [
    `Refusing to destroy ${production.join(", ")} (stack ${stack}): profile production (deletion protection, final snapshot).`,
    `To tear it down on purpose: set profile to throwaway in Pulumi.${stack}.yaml, deploy (turns the protections off),`,
    `then destroy with --allow-production. The final Aurora snapshot is kept only while profile is production.`,
  ].join("\n");
}
