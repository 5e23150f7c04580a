/** The four layers, in deploy order: each reads only the outputs of those before it. */
export const LAYERS = ["network", "data", "service", "edge"] as const;
export type LayerName = (typeof LAYERS)[number];

/**
 * The account bootstrap (projects/bootstrap): state bucket, secrets key and CI roles, deployed once
 * per account by an administrator. A Pulumi project of the platform, but not a layer: it is in no
 * deploy order, reads no stack and is read by none.
 */
export const BOOTSTRAP = "bootstrap";
/** What the Layer tag of a platform resource names: one of the four layers, or the bootstrap. */
export type PlatformProject = LayerName | typeof BOOTSTRAP;
