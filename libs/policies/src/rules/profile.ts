import type { PolicyResource } from "../resource";
import { isObject } from "../resource";

/**
 * The production profile as the rules see it: the `Profile` tag, which startLayer() in @mlapi/core
 * puts on every taggable resource from the stack's `<project>:profile` and merges over a resource's
 * own tags, so a component cannot claim it. The pack runs without @mlapi/core; a test checks that
 * these values are core's.
 */
export const PROFILE_TAG = "Profile";
export const PRODUCTION = "production";

/** Whether the resource belongs to a production stack (its `Profile` tag says so). */
export function isProduction(r: PolicyResource): boolean {
  const tags = r.props["tags"];
  return isObject(tags) && tags[PROFILE_TAG] === PRODUCTION;
}
