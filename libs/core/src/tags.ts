import * as pulumi from "@pulumi/pulumi";
import type { PlatformProject } from "./layer-names";
import { APP } from "./naming";
import type { Profile } from "./profile";
import { DEFAULT_PROFILE } from "./profile";

/**
 * The four tags R18 requires on every taggable resource, and the stack's profile (profile.ts),
 * which the policy pack reads to accept a production stack's deletion protection and log retention.
 */
export interface StandardTags {
  Project: string;
  Environment: string;
  Layer: PlatformProject;
  ManagedBy: string;
  Profile: Profile;
  [key: string]: string;
}

export function standardTags(
  layer: PlatformProject,
  environmentSuffix: string,
  profile: Profile = DEFAULT_PROFILE,
): StandardTags {
  return { Project: APP, Environment: environmentSuffix, Layer: layer, ManagedBy: "pulumi", Profile: profile };
}

const taggableByClass = new WeakMap<object, boolean>();

/**
 * Whether a resource accepts a `tags` input. The generated @pulumi/aws classes copy `tags` into
 * their inputs only when the AWS resource supports tags, so the class itself is the source of
 * truth for the pinned provider version, with no hand-kept list to fall out of date.
 */
export function isTaggable(resource: pulumi.Resource): boolean {
  const cls = resource.constructor;
  let taggable = taggableByClass.get(cls);
  if (taggable === undefined) {
    taggable = cls.toString().includes('resourceInputs["tags"]');
    taggableByClass.set(cls, taggable);
  }
  return taggable;
}

/** Merges the standard tags over a resource's own (a resource may add tags, never change these five). */
export function withStandardTags(
  tags: pulumi.Input<Record<string, pulumi.Input<string>>> | undefined,
  standard: StandardTags,
) {
  return tags === undefined ? { ...standard } : pulumi.output(tags).apply((own) => ({ ...own, ...standard }));
}

/**
 * Tags every taggable AWS resource of the stack from one place. A stack transformation (rather
 * than provider defaultTags) puts the tags in each resource's own inputs, so previews, policy
 * packs and mock-based tests see them, and resources on any provider (the us-east-1 one too) get them.
 */
export function registerStandardTags(standard: StandardTags): void {
  pulumi.runtime.registerStackTransformation((args) => {
    if (!args.type.startsWith("aws:") || !isTaggable(args.resource)) return undefined;
    const tags = args.props["tags"];
    if (Array.isArray(tags)) return undefined;
    return { props: { ...args.props, tags: withStandardTags(tags, standard) }, opts: args.opts };
  });
}
