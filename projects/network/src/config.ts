import type { Profile } from "@mlapi/core";
import { ConfigReader } from "@mlapi/core";
import { readPermissionsBoundary, SECURITY_GROUPS_DEFAULTS, VPC_DEFAULTS } from "@mlapi/components";

/** The network layer's settings, validated as a whole before any resource is declared. */
export interface NetworkConfig {
  /** Suffix of every physical name (docs/requirements.md, Configuration). Default: env ENVIRONMENT_SUFFIX, else the stack name. */
  environmentSuffix: string;
  /** throwaway (default, fully destroyable) or production (profile.ts in @mlapi/core). */
  profile: Profile;
  /** Days every log group keeps: 30; a production stack may choose a longer CloudWatch period. */
  logRetentionDays: number;
  /** IPv4 range of the VPC, /16 to /24. Default VPC_DEFAULTS.cidrBlock. */
  vpcCidr: string;
  /** 1 shared NAT gateway (throwaway default, cost) or 3, one per AZ (no single-AZ egress failure; production: always). */
  natGateways: 1 | 3;
  /** Port the API container listens on and the ALB forwards to. Default SECURITY_GROUPS_DEFAULTS.appPort. */
  appPort: number;
  /** Policy name the flow-logs role carries as permissions boundary; undefined for `none`. Default mlapi-workload-boundary (the bootstrap's). */
  permissionsBoundary?: string;
}

export function loadConfig(reader = new ConfigReader()): NetworkConfig {
  const profile = reader.profile();
  const config: NetworkConfig = {
    environmentSuffix: reader.environmentSuffix(),
    profile,
    logRetentionDays: reader.logRetentionDays(profile),
    vpcCidr: reader.cidr("vpcCidr", { default: VPC_DEFAULTS.cidrBlock, minPrefix: 16, maxPrefix: 24 }),
    natGateways: reader.oneOf("natGateways", [1, 3] as const, profile === "production" ? 3 : VPC_DEFAULTS.natGateways),
    appPort: reader.number("appPort", { default: SECURITY_GROUPS_DEFAULTS.appPort, min: 1024, max: 65535, step: 1 }),
    permissionsBoundary: readPermissionsBoundary(reader),
  };
  if (profile === "production") {
    reader.check(
      config.natGateways === 3,
      "natGateways",
      config.natGateways,
      `a production stack has one NAT gateway per zone (3); remove the key or set ${reader.key("profile")}: throwaway`,
    );
  }
  reader.done();
  return config;
}
