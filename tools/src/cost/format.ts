/** The cost report as a terminal table and as Markdown for a pull request comment. */
import type { CostLine } from "./lines";
import type { CostReport } from "./report";

const usd = (n: number | null): string => (n === null ? "not priced" : `$${n.toFixed(2)}`);
const unitPrice = (n: number | null): string => (n === null ? "-" : `$${Number(n.toPrecision(4))}`);
const qty = (n: number): string => (Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(5))));

interface Row {
  resource: string;
  item: string;
  quantity: string;
  unit: string;
  price: string;
  monthly: string;
}

const toRow = (l: CostLine): Row => ({
  resource: l.name,
  item: l.item,
  quantity: qty(l.quantity),
  unit: l.unit,
  price: unitPrice(l.unitPrice),
  monthly: usd(l.monthly),
});

function sections(report: CostReport): { title: string; rows: Row[]; subtotal: string }[] {
  const out: { title: string; rows: Row[]; subtotal: string }[] = [];
  for (const t of report.totals.layers) {
    for (const kind of ["fixed", "usage"] as const) {
      // Largest first; not priced last.
      const lines = report.lines
        .filter((l) => l.layer === t.layer && l.kind === kind)
        .sort((a, b) => (b.monthly ?? -1) - (a.monthly ?? -1));
      if (lines.length === 0) continue;
      const title = `${t.layer} - ${kind === "fixed" ? "fixed monthly" : "usage at the load profile"}`;
      out.push({ title, rows: lines.map(toRow), subtotal: usd(t[kind]) });
    }
  }
  return out;
}

const limitLines = (report: CostReport): string[] =>
  report.limits.map((l) => `${l.binds ? "BINDS" : "ok   "} ${l.limit}: ${l.message}`);

/** Why each not-priced line is not: its price is unknown, its quantity is, or no rule knows its type. */
const notPricedLines = (report: CostReport): string[] =>
  report.lines
    .filter((l) => l.monthly === null)
    .map((l) => `${l.layer}/${l.name}: ${l.item}${l.note ? ` (${l.note})` : ""}`);

function summary(report: CostReport): string[] {
  const lines = [
    `fixed ${usd(report.totals.fixed)}/month` +
      (report.profile ? `, usage ${usd(report.totals.usage)}/month, total ${usd(report.totals.total)}/month` : "") +
      ` (stack ${report.stack}, ${report.region}, ${report.hoursPerMonth} h/month)`,
  ];
  if (report.totals.notPriced > 0) {
    lines.push(`${report.totals.notPriced} lines not priced (listed above with the reason): the total leaves them out`);
  }
  return lines;
}

export function toTable(report: CostReport): string {
  const head: Row = {
    resource: "resource",
    item: "item",
    quantity: "quantity",
    unit: "unit",
    price: "unit price",
    monthly: "monthly",
  };
  const all = sections(report).flatMap((s) => s.rows);
  const widest = (k: keyof Row): number => Math.max(head[k].length, ...all.map((r) => r[k].length));
  const w = (k: keyof Row): number => Math.min(widest(k), k === "item" || k === "unit" ? 48 : 40);
  const cut = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}~` : s);
  const fmt = (r: Row): string =>
    [
      cut(r.resource, w("resource")).padEnd(w("resource")),
      cut(r.item, w("item")).padEnd(w("item")),
      r.quantity.padStart(w("quantity")),
      cut(r.unit, w("unit")).padEnd(w("unit")),
      r.price.padStart(w("price")),
      r.monthly.padStart(w("monthly")),
    ].reduce((line, cell) => `${line}  ${cell}`, "");
  const out: string[] = [];
  for (const s of sections(report)) {
    out.push(`${s.title}: ${s.subtotal}`, fmt(head), ...s.rows.map(fmt));
  }
  if (report.limits.length > 0) out.push("limits:", ...limitLines(report).map((l) => `  ${l}`));
  if (report.totals.notPriced > 0) out.push("not priced:", ...notPricedLines(report).map((l) => `  ${l}`));
  out.push(...summary(report));
  return out.join("\n");
}

export function toMarkdown(report: CostReport): string {
  const esc = (s: string): string => s.replace(/\|/g, "\\|");
  const out = [
    `### Monthly cost: ${usd(report.profile ? report.totals.total : report.totals.fixed)}`,
    "",
    ...summary(report),
    "",
  ];
  out.push("| layer | fixed | usage | not priced |", "|---|---:|---:|---:|");
  for (const t of report.totals.layers) out.push(`| ${t.layer} | ${usd(t.fixed)} | ${usd(t.usage)} | ${t.notPriced} |`);
  for (const s of sections(report)) {
    out.push("", `<details><summary>${s.title}: ${s.subtotal}</summary>`, "");
    out.push("| resource | item | quantity | unit | unit price | monthly |", "|---|---|---:|---|---:|---:|");
    for (const r of s.rows) {
      out.push(`| ${esc(r.resource)} | ${esc(r.item)} | ${r.quantity} | ${esc(r.unit)} | ${r.price} | ${r.monthly} |`);
    }
    out.push("", "</details>");
  }
  if (report.limits.length > 0) out.push("", "**Limits**", "", ...limitLines(report).map((l) => `- ${l}`));
  if (report.totals.notPriced > 0)
    out.push("", "**Not priced**", "", ...notPricedLines(report).map((l) => `- ${esc(l)}`));
  out.push(
    "",
    "<details><summary>Assumptions</summary>",
    "",
    ...report.assumptions.map((a) => `- ${a}`),
    "",
    "</details>",
  );
  return out.join("\n");
}
