// Components of the monitoring area; one file per ComponentResource, each exported here.
export * from "./thresholds";
export type { AlarmSpec, MetricSpec, MathSpec, MissingData } from "./alarm";
export * from "./alarm-topic";
export * from "./service-alarms";
export * from "./data-alarms";
export * from "./edge-alarms";
export * from "./dashboard";
