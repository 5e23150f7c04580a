/**
 * The API's measured capacity (apps/ml-api/benchmarks/capacity.json, written by `npx nx run ml-api:bench`):
 * figures for ONE worker pinned to one core. The cost model never types a throughput figure by hand.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface Capacity {
  measuredAt: string;
  node: string;
  cpuModel: string;
  workers: number;
  coresPinned: number;
  image: { format: string; bytes: number; width: number; height: number };
  rawModel: { inferencesPerSecond: number };
  api: { route: string; peakRequestsPerSecond: number; p95MsAt1000Rpm: number; p50MsAt1000Rpm: number };
  ratio: number;
}

export const CAPACITY_FILE = path.join("apps", "ml-api", "benchmarks", "capacity.json");
export const CAPACITY_COMMAND = "npx nx run ml-api:bench";

/** The capacity file, checked; a missing or malformed one says which file and which command writes it. */
export function readCapacity(file: string): Capacity {
  if (!fs.existsSync(file)) {
    throw new Error(
      `A load profile needs the API's measured capacity, but ${CAPACITY_FILE} does not exist: ` +
        `run \`${CAPACITY_COMMAND}\` to measure it.`,
    );
  }
  const c = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<Capacity>;
  const peak = c.api?.peakRequestsPerSecond;
  if (typeof peak !== "number" || !(peak > 0) || c.coresPinned !== 1) {
    throw new Error(
      `${CAPACITY_FILE} has no api.peakRequestsPerSecond > 0 for one pinned core: measure it again with \`${CAPACITY_COMMAND}\`.`,
    );
  }
  return c as Capacity;
}
