/** Fargate task sizes (Linux, x86_64 and ARM64), from the ECS task-size table:
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size */
export interface FargateMemoryRange {
  /** CPU units (1024 = 1 vCPU). */
  cpu: number;
  /** Smallest memory in MiB. */
  min: number;
  /** Largest memory in MiB. */
  max: number;
  /** Memory must be `min + n * step`. */
  step: number;
}

export const FARGATE_SIZES: readonly FargateMemoryRange[] = [
  { cpu: 256, min: 512, max: 2048, step: 512 }, // 512, 1024, 2048 (1536 is not offered, see below)
  { cpu: 512, min: 1024, max: 4096, step: 1024 },
  { cpu: 1024, min: 2048, max: 8192, step: 1024 },
  { cpu: 2048, min: 4096, max: 16384, step: 1024 },
  { cpu: 4096, min: 8192, max: 30720, step: 1024 },
  { cpu: 8192, min: 16384, max: 61440, step: 4096 },
  { cpu: 16384, min: 32768, max: 122880, step: 8192 },
];

export const FARGATE_CPU_VALUES: readonly number[] = FARGATE_SIZES.map((s) => s.cpu);

/** Every memory value Fargate accepts with `cpu` (empty for an unknown cpu). */
export function fargateMemoryValues(cpu: number): number[] {
  const size = FARGATE_SIZES.find((s) => s.cpu === cpu);
  if (!size) return [];
  const values: number[] = [];
  for (let m = size.min; m <= size.max; m += size.step) values.push(m);
  // 0.25 vCPU comes with 0.5, 1 or 2 GB only.
  return cpu === 256 ? values.filter((m) => m !== 1536) : values;
}

/** Why `cpu`/`memory` is not a Fargate task size, naming the sizes that are; undefined when valid. */
export function fargateSizeProblem(cpu: number, memory: number): { key: "cpu" | "memory"; rule: string } | undefined {
  if (!FARGATE_CPU_VALUES.includes(cpu)) {
    return { key: "cpu", rule: `Fargate accepts cpu ${FARGATE_CPU_VALUES.join(", ")} (1024 = 1 vCPU)` };
  }
  const allowed = fargateMemoryValues(cpu);
  if (!allowed.includes(memory)) {
    const size = FARGATE_SIZES.find((s) => s.cpu === cpu);
    const list =
      allowed.length <= 4 || !size ? allowed.join(", ") : `${size.min} to ${size.max} in steps of ${size.step}`;
    return { key: "memory", rule: `with cpu ${cpu} Fargate accepts memory (MiB) ${list}` };
  }
  return undefined;
}
