// Public API of @mlapi/policies: the platform's policy rules, written once as pure functions over a
// resource, the offline evaluator the plan runs, and (pack/) the CrossGuard pack built from the same rules.
export * from "./resource";
export * from "./rules";
export * from "./evaluate";
export { isTaggableType } from "./taggable";
export { crossGuardContext, toCrossGuardPolicies } from "./crossguard";
