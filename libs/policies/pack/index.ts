// The platform's rules as a Pulumi CrossGuard policy pack: `pulumi preview --policy-pack libs/policies/pack`.
// Each rule is defined once in ../src/rules; this file only adapts them (see docs/policies.md).
import { PolicyPack } from "@pulumi/policy";
import { toCrossGuardPolicies } from "../src/crossguard";
import { RULES } from "../src/rules";

new PolicyPack("mlapi-platform", {
  description:
    "mlapi platform: naming, tags, log retention, encryption, exposure, IAM, TLS, destroyability, account-level and advisory rules.",
  policies: toCrossGuardPolicies(RULES),
});
