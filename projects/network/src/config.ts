import { ConfigReader } from "@mlapi/core";

/** The network layer's settings, validated as a whole before any resource is declared. */
export interface NetworkConfig {
  /** Suffix of every physical name (SPEC §3). Default: env ENVIRONMENT_SUFFIX, else the stack name. */
  environmentSuffix: string;
  /** IPv4 range of the VPC, /16 to /24. Default 10.0.0.0/16. */
  vpcCidr: string;
  /** 1 shared NAT gateway (default, cost) or 3, one per AZ (no single-AZ egress failure). */
  natGateways: 1 | 3;
  /** Port the API container listens on and the ALB forwards to. Default 8080. */
  appPort: number;
}

export function loadConfig(reader = new ConfigReader()): NetworkConfig {
  const config: NetworkConfig = {
    environmentSuffix: reader.environmentSuffix(),
    vpcCidr: reader.cidr("vpcCidr", { default: "10.0.0.0/16", minPrefix: 16, maxPrefix: 24 }),
    natGateways: reader.oneOf("natGateways", [1, 3] as const, 1),
    appPort: reader.number("appPort", { default: 8080, min: 1024, max: 65535, step: 1 }),
  };
  reader.done();
  return config;
}
