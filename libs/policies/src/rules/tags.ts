import type { ResourceRule } from "../resource";
import { isObject } from "../resource";
import { isTaggableType } from "../taggable";

export const REQUIRED_TAGS = ["Project", "Environment", "Layer", "ManagedBy"] as const;

export const requiredTags: ResourceRule = {
  kind: "resource",
  name: "tags-required",
  description:
    "Every taggable AWS resource carries Project, Environment (= the suffix), Layer and ManagedBy (R18), so cost, ownership and teardown can be traced to a stack.",
  enforcementLevel: "mandatory",
  validate(r, ctx) {
    if (!r.type.startsWith("aws:")) return [];
    const tags = r.props["tags"];
    // List-shaped tags (e.g. autoscaling groups' propagate-at-launch entries) are not a tag map.
    if (Array.isArray(tags)) return [];
    if (tags === undefined && !isTaggableType(r.type)) return [];
    const map = isObject(tags) ? tags : {};
    const missing = REQUIRED_TAGS.filter((k) => typeof map[k] !== "string" || map[k] === "");
    const problems: string[] = [];
    if (missing.length > 0)
      problems.push(
        `missing tag${missing.length > 1 ? "s" : ""} ${missing.join(", ")}; startLayer() in @mlapi/core adds them to every taggable resource.`,
      );
    if (
      typeof map["Environment"] === "string" &&
      map["Environment"] !== "" &&
      map["Environment"] !== ctx.environmentSuffix
    ) {
      problems.push(
        `tag Environment is "${String(map["Environment"])}", not the environment suffix "${ctx.environmentSuffix}".`,
      );
    }
    return problems;
  },
};
