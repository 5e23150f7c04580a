import type { PlannedResource, RenderResult } from "@mlapi/testing";
import { ofType } from "@mlapi/testing";

export const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

/** The alarm with that physical name. */
export function alarmNamed(r: RenderResult, name: string): PlannedResource {
  const found = ofType(r, ALARM).filter((a) => a.inputs.name === name);
  if (found.length !== 1) throw new Error(`expected one alarm named ${name}, found ${found.length}`);
  return found[0];
}

/** Alarms declared by one component instance (`mlapi:monitoring:<Type>::<name>`). */
export const alarmsOf = (r: RenderResult, component: string): PlannedResource[] =>
  ofType(r, ALARM).filter((a) => a.parent === component);

/** The metric of a single-metric alarm, in the shape of the alarm's inputs. */
export const singleMetric = (a: PlannedResource) => ({
  namespace: a.inputs.namespace,
  metricName: a.inputs.metricName,
  dimensions: a.inputs.dimensions,
  statistic: a.inputs.statistic,
  extendedStatistic: a.inputs.extendedStatistic,
  period: a.inputs.period,
});

interface Query {
  id: string;
  expression?: string;
  returnData?: boolean;
  metric?: { namespace: string; metricName: string; dimensions: Record<string, string>; stat: string; period: number };
}

/** The expression and the input metrics (by id) of a metric-math alarm. */
export function mathOf(a: PlannedResource): {
  expression?: string;
  metrics: Record<string, NonNullable<Query["metric"]>>;
} {
  const queries = a.inputs.metricQueries as Query[];
  const returned = queries.filter((q) => q.returnData === true);
  if (returned.length !== 1) throw new Error(`alarm ${String(a.inputs.name)} returns ${returned.length} queries`);
  return {
    expression: returned[0].expression,
    metrics: Object.fromEntries(
      queries.filter((q) => q.metric).map((q) => [q.id, q.metric as NonNullable<Query["metric"]>]),
    ),
  };
}
