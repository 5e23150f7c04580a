/**
 * The cost report: pure, from plan documents, a price book and (optionally) a load profile to cost
 * lines. Each line names the plan resource it comes from, the unit, the quantity and the unit price;
 * a line whose price is unknown keeps `monthly: null` and is reported as not priced, never as $0.
 */
import type { LayerName } from "@mlapi/core";
import type { PlanDocument } from "../plan-document";
import type { Capacity } from "./capacity";
import { fixedLines } from "./fixed";
import type { CostLine } from "./lines";
import { LineBuilder, round } from "./lines";
import type { PriceBook } from "./prices";
import type { LimitFinding, LoadProfile } from "./usage";
import { usageLines } from "./usage";

export interface PlanSet {
  docs: PlanDocument[];
  prices: PriceBook;
}

export interface CostReport {
  stack: string;
  region: string;
  hoursPerMonth: number;
  lines: CostLine[];
  /** Resources without a charge of their own, by type, with the reason. */
  free: { layer: LayerName; type: string; count: number; reason: string }[];
  limits: LimitFinding[];
  assumptions: string[];
  totals: {
    layers: { layer: LayerName; fixed: number; usage: number; notPriced: number }[];
    fixed: number;
    usage: number;
    total: number;
    notPriced: number;
  };
  profile?: LoadProfile;
  capacity?: { file: string; measuredAt: string; peakRequestsPerSecondPerCore: number };
}

function assumptionsOf(prices: PriceBook, profile?: LoadProfile): string[] {
  const list = [
    `A month is ${prices.hoursPerMonth.value} hours (${prices.hoursPerMonth.note})`,
    `Fargate Spot at ${prices.assumptions.fargateSpotDiscount.value * 100} % off: ${prices.assumptions.fargateSpotDiscount.note}`,
    "Tasks split between FARGATE_SPOT and FARGATE by the strategy's weights as a long-run average (ECS places whole tasks)",
    "Account-wide free tiers (CloudWatch, CloudFront, DynamoDB, KMS requests) are not subtracted: another stack may use them",
    "KMS, Secrets Manager and CloudWatch API requests, cross-zone traffic and S3 request charges are not modelled",
    "The ALB's request rate is not checked against a quota: the price file holds none for it (it scales by LCU)",
  ];
  if (profile) {
    const logs = profile.logBytesPerRequest;
    list.push(
      `Load steady all month: ${profile.rpm} classify requests/min, ${profile.imageKb} KiB images, ` +
        `${profile.responseKb} KiB responses, ${profile.v2Share * 100} % on v2`,
      "A task serves its vCPU x the measured per-core peak (apps/ml-api/benchmarks/capacity.json, its own image size) " +
        `x ${profile.targetUtilization * 100} %; ${profile.newConnectionsPerRequest} new ALB connections per request; ` +
        `${profile.clients} client IPs`,
      "Usage lines price the whole load even where a limit binds (requests past a limit still reach CloudFront and the web ACLs)",
      `Aurora: one INSERT per request, ${profile.auroraInsertsPerAcuSecond} inserts/s per ACU above the minimum, ` +
        `${profile.predictionRowBytes} B per row, ${profile.auroraIosPerInsert} billed I/O per INSERT; ` +
        "backups stay within the free share (the cluster's own size)",
      `Log bytes per request: API ${logs.api}, each web ACL ${logs.waf}, CloudFront ${logs.cloudfront}, ` +
        `VPC flow logs ${logs.flow}; GB means GiB`,
    );
  }
  return list;
}

/** The whole report: fixed lines for every layer's resources, plus usage when a profile is given. */
export function costReport(
  plans: PlanSet,
  load?: { profile: LoadProfile; capacity: Capacity; capacityFile: string },
): CostReport {
  const { docs, prices } = plans;
  if (docs.length === 0) throw new Error("no plan documents to price");
  const b = new LineBuilder(prices);
  const free: CostReport["free"] = [];
  for (const doc of docs) {
    const byType = new Map<string, { count: number; reason: string }>();
    fixedLines(doc, docs, b, prices, byType);
    for (const [type, { count, reason }] of byType) free.push({ layer: doc.layer, type, count, reason });
  }
  const limits: LimitFinding[] = [];
  if (load) usageLines(docs, b, prices, load, limits);
  const sum = (lines: CostLine[]): number =>
    round(
      lines.reduce((n, l) => n + (l.monthly ?? 0), 0),
      2,
    );
  const layers = docs.map((d) => {
    const mine = b.lines.filter((l) => l.layer === d.layer);
    return {
      layer: d.layer,
      fixed: sum(mine.filter((l) => l.kind === "fixed")),
      usage: sum(mine.filter((l) => l.kind === "usage")),
      notPriced: mine.filter((l) => l.monthly === null).length,
    };
  });
  const fixed = round(
    layers.reduce((n, l) => n + l.fixed, 0),
    2,
  );
  const usage = round(
    layers.reduce((n, l) => n + l.usage, 0),
    2,
  );
  return {
    stack: docs[0].stack,
    region: prices.region,
    hoursPerMonth: prices.hoursPerMonth.value,
    lines: b.lines,
    free,
    limits,
    assumptions: assumptionsOf(prices, load?.profile),
    totals: {
      layers,
      fixed,
      usage,
      total: round(fixed + usage, 2),
      notPriced: b.lines.filter((l) => l.monthly === null).length,
    },
    ...(load
      ? {
          profile: load.profile,
          capacity: {
            file: load.capacityFile,
            measuredAt: load.capacity.measuredAt,
            peakRequestsPerSecondPerCore: load.capacity.api.peakRequestsPerSecond,
          },
        }
      : {}),
  };
}
