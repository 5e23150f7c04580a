import * as fs from "node:fs";
import * as path from "node:path";

const cache = new Map<string, boolean>();
let awsRoot: string | undefined;

/**
 * Whether an `aws:` resource type accepts tags, read from the pinned @pulumi/aws provider itself:
 * its generated class for `aws:<module>/<file>:<Class>` copies `tags` into its inputs exactly when
 * the AWS resource supports tags. This is the same source of truth as isTaggable() in @mlapi/core
 * (which looks at a live resource's class), so the policy and the tagging transformation agree,
 * with no hand-kept list to fall out of date.
 */
export function isTaggableType(type: string): boolean {
  const cached = cache.get(type);
  if (cached !== undefined) return cached;
  const match = /^aws:([\w/]+)\/(\w+):\w+$/.exec(type);
  let taggable = false;
  if (match) {
    awsRoot ??= path.dirname(require.resolve("@pulumi/aws/package.json"));
    const file = path.join(awsRoot, match[1], `${match[2]}.js`);
    taggable = fs.existsSync(file) && fs.readFileSync(file, "utf8").includes('resourceInputs["tags"]');
  }
  cache.set(type, taggable);
  return taggable;
}
