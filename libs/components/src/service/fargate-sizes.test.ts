import { fargateMemoryValues, fargateSizeProblem } from "./fargate-sizes";

describe("fargateSizeProblem", () => {
  describe.each<[number, number]>([
    [256, 512],
    [256, 2048],
    [512, 1024],
    [512, 4096],
    [1024, 2048],
    [1024, 8192],
    [2048, 16384],
    [4096, 8192],
    [4096, 30720],
    [8192, 61440],
    [16384, 122880],
  ])("cpu %i with memory %i", (cpu, memory) => {
    it("is a size Fargate offers", () => expect(fargateSizeProblem(cpu, memory)).toBeUndefined());
  });

  describe.each<[number, number, "cpu" | "memory", string]>([
    [300, 1024, "cpu", "Fargate accepts cpu 256, 512, 1024, 2048, 4096, 8192, 16384 (1024 = 1 vCPU)"],
    [4096, 1024, "memory", "with cpu 4096 Fargate accepts memory (MiB) 8192 to 30720 in steps of 1024"],
    [256, 1536, "memory", "with cpu 256 Fargate accepts memory (MiB) 512, 1024, 2048"],
    [256, 4096, "memory", "with cpu 256 Fargate accepts memory (MiB) 512, 1024, 2048"],
    [512, 512, "memory", "with cpu 512 Fargate accepts memory (MiB) 1024, 2048, 3072, 4096"],
    [8192, 20000, "memory", "with cpu 8192 Fargate accepts memory (MiB) 16384 to 61440 in steps of 4096"],
    [16384, 40000, "memory", "with cpu 16384 Fargate accepts memory (MiB) 32768 to 122880 in steps of 8192"],
  ])("cpu %i with memory %i", (cpu, memory, key, rule) => {
    it(`is rejected on ${key}, naming the valid sizes`, () =>
      expect(fargateSizeProblem(cpu, memory)).toEqual({ key, rule }));
  });
});

describe("fargateMemoryValues", () => {
  it("lists every memory size of a cpu value, and none for an unknown one", () => {
    expect(fargateMemoryValues(256)).toEqual([512, 1024, 2048]);
    expect(fargateMemoryValues(1024)).toEqual([2048, 3072, 4096, 5120, 6144, 7168, 8192]);
    expect(fargateMemoryValues(300)).toEqual([]);
  });
});
