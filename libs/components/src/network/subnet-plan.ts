/** How the VPC range is carved: 8 equal blocks; public subnets take the first 3, private the next 3. */
export const SUBNET_BITS = 3;

/** The `index`-th subnet of `newBits` extra prefix bits inside `cidr` (like Terraform's cidrsubnet). */
export function cidrSubnet(cidr: string, newBits: number, index: number): string {
  const [address, prefixText] = cidr.split("/");
  const prefix = Number(prefixText);
  const newPrefix = prefix + newBits;
  if (newPrefix > 28)
    throw new Error(`${cidr} is too small to split into /${newPrefix} subnets (AWS allows /16 to /28)`);
  if (index < 0 || index >= 2 ** newBits) throw new Error(`subnet index ${index} is outside 0..${2 ** newBits - 1}`);
  const base = address.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
  const start = base + index * 2 ** (32 - newPrefix);
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(start / 2 ** shift) % 256);
  return `${octets.join(".")}/${newPrefix}`;
}

export interface SubnetPlan {
  publicCidrs: string[];
  privateCidrs: string[];
}

export function planSubnets(vpcCidr: string, azCount: number): SubnetPlan {
  return {
    publicCidrs: Array.from({ length: azCount }, (_, i) => cidrSubnet(vpcCidr, SUBNET_BITS, i)),
    privateCidrs: Array.from({ length: azCount }, (_, i) => cidrSubnet(vpcCidr, SUBNET_BITS, azCount + i)),
  };
}
