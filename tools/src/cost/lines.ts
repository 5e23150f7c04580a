/**
 * Cost lines and what the rules share: the plan readers, the line builder that prices a quantity from
 * the price book, and the service's shape (task size, capacity range, Spot split) both parts read.
 */
import type { LayerName } from "@mlapi/core";
import type { PlanDocument, PlanStep } from "../plan-document";
import type { Price, PriceBook } from "./prices";

export type CostKind = "fixed" | "usage";

export interface CostLine {
  layer: LayerName;
  /** URN of the plan resource the line comes from. */
  resource: string;
  /** Its logical name. */
  name: string;
  type: string;
  kind: CostKind;
  /** What is charged ("NAT gateway hours"). */
  item: string;
  unit: string;
  quantity: number;
  /** US dollars per unit; null: not priced. */
  unitPrice: number | null;
  /** quantity x unitPrice; null: not priced. */
  monthly: number | null;
  note?: string;
}

/** Resources that exist in AWS: custom, and not Pulumi's own (stack, providers, references). */
export const awsResources = (doc: PlanDocument): PlanStep[] =>
  doc.steps.filter((s) => s.newState.custom && !s.newState.type.startsWith("pulumi:"));

export type Inputs = Record<string, unknown>;
export const inputs = (s: PlanStep): Inputs => s.newState.inputs;
/** A number, or a numeric string as Pulumi config often carries one ("0.5"). */
export const num = (v: unknown): number | undefined => {
  if (typeof v === "number") return v;
  return typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v)) ? Number(v) : undefined;
};
export const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
export const round = (n: number, digits = 6): number => Math.round(n * 10 ** digits) / 10 ** digits;

export class LineBuilder {
  readonly lines: CostLine[] = [];
  constructor(private readonly prices: PriceBook) {}

  price(key: string): Price {
    const p = this.prices.prices[key];
    if (!p) throw new Error(`price ${key} is missing from prices.${this.prices.region}.json`);
    return p;
  }

  /** A line priced by one key of the price book. */
  add(
    layer: LayerName,
    step: PlanStep,
    kind: CostKind,
    item: string,
    key: string,
    quantity: number,
    note?: string,
  ): void {
    const p = this.price(key);
    this.push(layer, step, kind, item, p.unit, quantity, p.usd, note ?? (p.usd === null ? p.note : undefined));
  }

  push(
    layer: LayerName,
    step: PlanStep,
    kind: CostKind,
    item: string,
    unit: string,
    quantity: number,
    unitPrice: number | null,
    note?: string,
  ): void {
    const q = round(quantity);
    this.lines.push({
      layer,
      resource: step.urn,
      name: step.name,
      type: step.newState.type,
      kind,
      item,
      unit,
      quantity: q,
      unitPrice,
      monthly: unitPrice === null ? null : round(q * unitPrice),
      ...(note ? { note } : {}),
    });
  }
}

// --- what the plan says about the service (shared by the fixed and the usage rules) ---

export interface ServiceShape {
  layer: LayerName;
  service: PlanStep;
  vcpu: number;
  memoryGb: number;
  minTasks: number;
  maxTasks: number;
  /** Share of tasks on FARGATE_SPOT once the base is placed, and the base on its provider. */
  spotShare: (tasks: number) => number;
  /** ALBRequestCountPerTarget target (requests per target per minute), when the service scales on it. */
  requestsPerTargetPerMinute?: number;
}

interface Strategy {
  capacityProvider: string;
  weight?: number;
  base?: number;
}

function spotSplit(strategies: Strategy[]): (tasks: number) => number {
  const weight = (p: string): number =>
    strategies.filter((s) => s.capacityProvider === p).reduce((n, s) => n + (s.weight ?? 0), 0);
  const base = strategies.find((s) => (s.base ?? 0) > 0);
  const spot = weight("FARGATE_SPOT");
  const all = spot + weight("FARGATE");
  return (tasks: number): number => {
    if (tasks <= 0) return 0;
    if (strategies.length === 0) return 0; // launchType FARGATE
    const baseTasks = Math.min(base?.base ?? 0, tasks);
    const baseSpot = base?.capacityProvider === "FARGATE_SPOT" ? baseTasks : 0;
    const rest = tasks - baseTasks;
    return (baseSpot + (all === 0 ? 0 : (rest * spot) / all)) / tasks;
  };
}

export function serviceShape(docs: PlanDocument[]): ServiceShape | undefined {
  for (const doc of docs) {
    const steps = awsResources(doc);
    const service = steps.find((s) => s.newState.type === "aws:ecs/service:Service");
    if (!service) continue;
    const svc = inputs(service);
    const family = /task-definition\/([^:]+)/.exec(str(svc.taskDefinition) ?? "")?.[1];
    const taskDef = steps.find(
      (s) =>
        s.newState.type === "aws:ecs/taskDefinition:TaskDefinition" &&
        (family === undefined || inputs(s).family === family),
    );
    const cpu = num(taskDef && inputs(taskDef).cpu);
    const memory = num(taskDef && inputs(taskDef).memory);
    if (cpu === undefined || memory === undefined) {
      throw new Error(
        `${doc.layer}: the ECS service ${service.name} has no task definition with cpu and memory in the plan`,
      );
    }
    const resourceId = `service/${String(svc.cluster ?? "")
      .split("/")
      .pop()}/${String(svc.name)}`;
    const target = steps.find(
      (s) => s.newState.type === "aws:appautoscaling/target:Target" && inputs(s).resourceId === resourceId,
    );
    // The request-count policy, next to which the service may track other metrics (CPU).
    const tracking = steps
      .filter((s) => s.newState.type === "aws:appautoscaling/policy:Policy" && inputs(s).resourceId === resourceId)
      .map((s) => inputs(s).targetTrackingScalingPolicyConfiguration as Inputs | undefined)
      .find(
        (t) =>
          (t?.predefinedMetricSpecification as Inputs | undefined)?.predefinedMetricType === "ALBRequestCountPerTarget",
      );
    const metric = (tracking?.predefinedMetricSpecification as Inputs | undefined)?.predefinedMetricType;
    const desired = num(svc.desiredCount) ?? 1;
    return {
      layer: doc.layer,
      service,
      vcpu: cpu / 1024,
      memoryGb: memory / 1024,
      minTasks: num(target && inputs(target).minCapacity) ?? desired,
      maxTasks: num(target && inputs(target).maxCapacity) ?? desired,
      spotShare: spotSplit((svc.capacityProviderStrategies as Strategy[] | undefined) ?? []),
      requestsPerTargetPerMinute: metric === "ALBRequestCountPerTarget" ? num(tracking?.targetValue) : undefined,
    };
  }
  return undefined;
}

/** The on-demand and Spot price of one task-hour. */
function taskHourPrices(
  shape: ServiceShape,
  b: LineBuilder,
  prices: PriceBook,
): { onDemand: number | null; spot: number | null } {
  const vcpu = b.price("fargateVcpuHour").usd;
  const gb = b.price("fargateGbHour").usd;
  if (vcpu === null || gb === null) return { onDemand: null, spot: null };
  const onDemand = shape.vcpu * vcpu + shape.memoryGb * gb;
  return { onDemand, spot: onDemand * (1 - prices.assumptions.fargateSpotDiscount.value) };
}

export function addTasks(
  b: LineBuilder,
  prices: PriceBook,
  shape: ServiceShape,
  kind: CostKind,
  tasks: number,
  floor: number,
  hours: number,
): void {
  // Tasks above `floor` (0 for the fixed part): the Spot share of the total minus that of the floor.
  const spotTasks = tasks * shape.spotShare(tasks) - floor * shape.spotShare(floor);
  const onDemandTasks = tasks - floor - spotTasks;
  const { onDemand, spot } = taskHourPrices(shape, b, prices);
  const size = `${shape.vcpu} vCPU, ${shape.memoryGb} GB`;
  const what = kind === "fixed" ? "at minCapacity" : "above minCapacity";
  const { layer, service } = shape;
  const spotItem = `FARGATE_SPOT tasks ${what} (${round(spotTasks, 3)} tasks)`;
  const onDemandItem = `FARGATE tasks ${what} (${round(onDemandTasks, 3)} tasks)`;
  b.push(layer, service, kind, spotItem, `task-hour (${size}, Spot)`, spotTasks * hours, spot);
  b.push(layer, service, kind, onDemandItem, `task-hour (${size})`, onDemandTasks * hours, onDemand);
}
