import { cidrSubnet, planSubnets } from "./subnet-plan";

describe("cidrSubnet", () => {
  describe.each([
    ["10.0.0.0/16", 3, 0, "10.0.0.0/19"],
    ["10.0.0.0/16", 3, 5, "10.0.160.0/19"],
    ["10.0.0.0/16", 3, 7, "10.0.224.0/19"],
    ["172.31.0.0/20", 3, 1, "172.31.2.0/23"],
    ["10.20.30.0/24", 3, 4, "10.20.30.128/27"],
  ])("%s + %i bits, index %i", (cidr, bits, index, expected) => {
    it(`is ${expected}`, () => expect(cidrSubnet(cidr, bits, index)).toBe(expected));
  });

  it("refuses subnets smaller than AWS's /28 minimum", () => {
    expect(() => cidrSubnet("10.0.0.0/26", 3, 0)).toThrow(
      "10.0.0.0/26 is too small to split into /29 subnets (AWS allows /16 to /28)",
    );
  });

  it("refuses an index outside the split", () => {
    expect(() => cidrSubnet("10.0.0.0/16", 3, 8)).toThrow("subnet index 8 is outside 0..7");
  });
});

describe("planSubnets", () => {
  it("gives public subnets the first blocks and private subnets the next, without overlap", () => {
    expect(planSubnets("10.0.0.0/16", 3)).toEqual({
      publicCidrs: ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"],
      privateCidrs: ["10.0.96.0/19", "10.0.128.0/19", "10.0.160.0/19"],
    });
  });
});
