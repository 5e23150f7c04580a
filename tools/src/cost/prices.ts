/**
 * The price book: one JSON file per Region (prices.<region>.json beside this module), list prices with
 * the AWS page each comes from and the date it was read. A price AWS publishes but the file lacks is
 * `usd: null`, and every line that needs it is reported as not priced, never as $0.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface Price {
  /** US dollars per unit; null when the price was not found (the line is then not priced). */
  usd: number | null;
  unit: string;
  /** The AWS pricing page the price belongs to. */
  source: string;
  /** The stored copy the figure was read from, when it is not the AWS page itself. */
  via?: string;
  /** When it was read (YYYY-MM-DD). */
  read: string;
  note?: string;
}

export interface PriceBook {
  region: string;
  currency: string;
  hoursPerMonth: { value: number; note: string };
  prices: Record<string, Price>;
  /** Service quotas the load profile is checked against. */
  quotas: Record<
    "cloudfrontRequestsPerSecond" | "cloudfrontGbps",
    { value: number; unit: string; source: string; read: string }
  >;
  assumptions: { fargateSpotDiscount: { value: number; note: string } };
}

export const PRICES_DIR = __dirname;

const priceFile = (region: string, dir: string): string => path.join(dir, `prices.${region}.json`);

/** The regions that have a price file. */
export function pricedRegions(dir = PRICES_DIR): string[] {
  return fs
    .readdirSync(dir)
    .map((f) => /^prices\.([a-z0-9-]+)\.json$/.exec(f)?.[1])
    .filter((r): r is string => r !== undefined)
    .sort();
}

/** The price book of `region`; a region without a price file is refused, naming the ones that have one. */
export function loadPrices(region: string, dir = PRICES_DIR): PriceBook {
  const file = priceFile(region, dir);
  if (!fs.existsSync(file)) {
    throw new Error(
      `No prices for region ${region}: the cost model only knows ${pricedRegions(dir).join(", ")}. ` +
        `Add tools/src/cost/prices.${region}.json (same shape as prices.us-east-1.json, ` +
        "every price with its source page and read date) to price it.",
    );
  }
  const book = JSON.parse(fs.readFileSync(file, "utf8")) as PriceBook;
  for (const [key, p] of Object.entries(book.prices)) {
    if (
      !(p.usd === null || (typeof p.usd === "number" && p.usd >= 0)) ||
      !p.unit ||
      !p.source ||
      !/^\d{4}-\d{2}-\d{2}$/.test(p.read)
    ) {
      const rule = "usd (a number >= 0, or null with a note), unit, source and read (YYYY-MM-DD)";
      throw new Error(`${path.basename(file)}: price ${key} needs ${rule}.`);
    }
    if (p.usd === null && !p.note)
      throw new Error(`${path.basename(file)}: price ${key} is null without a note saying why.`);
  }
  return book;
}
