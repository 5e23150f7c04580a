import * as pulumi from "@pulumi/pulumi";

/**
 * A stack's profile (`<project>:profile`, issue 26): `throwaway` (the default) keeps every layer fully
 * destroyable (R19); `production` turns on deletion protection (ALB, Aurora, DynamoDB), a final Aurora
 * snapshot on destroy, one NAT gateway per zone, at least one Aurora reader and allows a longer log
 * retention. Set it in every layer's stack file alike; docs/operations.md says what destroy then does.
 */
export const PROFILES = ["throwaway", "production"] as const;
export type Profile = (typeof PROFILES)[number];
export const DEFAULT_PROFILE: Profile = "throwaway";

/** The tag that carries the profile to every taggable resource, where the policy pack reads it. */
export const PROFILE_TAG = "Profile";

/** R14's retention; a throwaway stack keeps exactly this, a production stack at least this. */
export const DEFAULT_LOG_RETENTION_DAYS = 30;

/** The values CloudWatch Logs accepts for `retentionInDays` (PutRetentionPolicy), in days. */
export const CLOUDWATCH_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** The retentions a production stack may choose: the valid values from R14's 30 days up. */
export const PRODUCTION_LOG_RETENTION_DAYS = CLOUDWATCH_RETENTION_DAYS.filter((d) => d >= DEFAULT_LOG_RETENTION_DAYS);

const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";

/**
 * Gives every CloudWatch log group of the stack `days` of retention, from one place like the tags
 * (registerStandardTags): the components keep declaring R14's 30 days, a production stack's longer
 * `logRetentionDays` replaces it in each group's own inputs, where previews and policies see it.
 */
export function registerLogRetention(days: number): void {
  if (days === DEFAULT_LOG_RETENTION_DAYS) return;
  pulumi.runtime.registerStackTransformation((args) => {
    if (args.type !== LOG_GROUP) return undefined;
    return { props: { ...args.props, retentionInDays: days }, opts: args.opts };
  });
}
