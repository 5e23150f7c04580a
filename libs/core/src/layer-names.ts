/** The four layers, in deploy order: each reads only the outputs of those before it. */
export const LAYERS = ["network", "data", "service", "edge"] as const;
export type LayerName = (typeof LAYERS)[number];
