import { ConfigReader } from "@mlapi/core";
import {
  DATA_ALARM_RULES,
  EDGE_ALARM_RULES,
  readAlarmSubscriptions,
  readDataAlarmConfig,
  readEdgeAlarmConfig,
  readServiceAlarmConfig,
  SERVICE_ALARM_RULES,
  subscriptionProtocol,
  thresholdDefaults,
} from "./thresholds";

const readerFor = (values: Record<string, string>, name = "mlapi-service") =>
  new ConfigReader({ name, get: (key) => values[key] }, {}, () => "dev");

/** Runs `read` against `values` and returns what `done()` throws (or undefined). */
function problem<T>(read: (r: ConfigReader) => T, values: Record<string, string>, name?: string): string | undefined {
  const reader = readerFor(values, name);
  read(reader);
  try {
    reader.done();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

describe("alarm threshold defaults", () => {
  it("are sound for the service: errors, latency, saturation, capacity and WAF", () => {
    expect(readServiceAlarmConfig(readerFor({}))).toEqual({
      alb5xxPerMinute: 10,
      target5xxRatePercent: 5,
      targetP95Seconds: 3,
      inferenceP95Ms: 150,
      unhealthyHostMinutes: 3,
      cpuPercent: 80,
      memoryPercent: 85,
      wafBlockedRatePercent: 25,
      minRequestsForRates: 20,
      evaluationPeriods: 3,
    });
  });

  it("are sound for the data stores: near the ACU ceiling, never a throttle", () => {
    expect(readDataAlarmConfig(readerFor({}, "mlapi-data"))).toEqual({
      acuUtilizationPercent: 90,
      cpuPercent: 80,
      freeableMemoryMib: 256,
      connections: 150,
      dynamoThrottledRequests: 0,
      dynamoSystemErrors: 0,
    });
  });

  it("are sound for the edge", () => {
    expect(readEdgeAlarmConfig(readerFor({}, "mlapi-edge"))).toEqual({
      cloudFront5xxRatePercent: 5,
      cloudFrontTotalErrorRatePercent: 15,
      wafBlockedRatePercent: 25,
      minRequestsForRates: 20,
      evaluationPeriods: 5,
    });
  });

  it.each([
    ["service", SERVICE_ALARM_RULES],
    ["data", DATA_ALARM_RULES],
    ["edge", EDGE_ALARM_RULES],
  ])("are the components' defaults too (%s)", (_area, table) => {
    const defaults = thresholdDefaults(table as typeof SERVICE_ALARM_RULES);
    expect(Object.keys(defaults)).toEqual(Object.keys(table));
    for (const [field, rule] of Object.entries(table))
      expect((defaults as unknown as Record<string, number>)[field]).toBe(rule.default);
  });

  it("use one config key per threshold within a layer", () => {
    for (const table of [SERVICE_ALARM_RULES, DATA_ALARM_RULES, EDGE_ALARM_RULES]) {
      const keys = Object.values(table).map((r) => r.key);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys.every((k) => k.startsWith("alarm"))).toBe(true);
    }
  });
});

describe("alarm thresholds from config", () => {
  it("takes every service threshold from its key", () => {
    const t = readServiceAlarmConfig(
      readerFor({
        alarmAlb5xxPerMinute: "25",
        alarmTarget5xxRatePercent: "2.5",
        alarmTargetP95Seconds: "1.5",
        alarmInferenceP95Ms: "90",
        alarmUnhealthyHostMinutes: "4",
        alarmCpuPercent: "70",
        alarmMemoryPercent: "90",
        alarmWafBlockedRatePercent: "50",
        alarmMinRequestsForRates: "100",
        alarmEvaluationPeriods: "5",
      }),
    );
    expect(t).toEqual({
      alb5xxPerMinute: 25,
      target5xxRatePercent: 2.5,
      targetP95Seconds: 1.5,
      inferenceP95Ms: 90,
      unhealthyHostMinutes: 4,
      cpuPercent: 70,
      memoryPercent: 90,
      wafBlockedRatePercent: 50,
      minRequestsForRates: 100,
      evaluationPeriods: 5,
    });
  });

  describe.each([
    [
      "a negative count",
      "alarmAlb5xxPerMinute",
      "-1",
      'mlapi-service:alarmAlb5xxPerMinute = "-1": must be a number >= 0, a whole number',
    ],
    [
      "a percentage above 100",
      "alarmCpuPercent",
      "120",
      'mlapi-service:alarmCpuPercent = "120": must be a number >= 0, <= 100',
    ],
    [
      "a negative percentage",
      "alarmTarget5xxRatePercent",
      "-5",
      'mlapi-service:alarmTarget5xxRatePercent = "-5": must be a number >= 0, <= 100',
    ],
    [
      "a memory percentage above 100",
      "alarmMemoryPercent",
      "101",
      'mlapi-service:alarmMemoryPercent = "101": must be a number >= 0, <= 100',
    ],
    [
      "a zero latency",
      "alarmTargetP95Seconds",
      "0",
      'mlapi-service:alarmTargetP95Seconds = "0": must be a number >= 0.01, <= 60',
    ],
    [
      "zero unhealthy minutes",
      "alarmUnhealthyHostMinutes",
      "0",
      'mlapi-service:alarmUnhealthyHostMinutes = "0": must be a number >= 1, <= 30, a whole number',
    ],
    [
      "a fractional evaluation period",
      "alarmEvaluationPeriods",
      "2.5",
      'mlapi-service:alarmEvaluationPeriods = "2.5": must be a number >= 1, <= 30, a whole number',
    ],
    [
      "a word",
      "alarmWafBlockedRatePercent",
      "lots",
      'mlapi-service:alarmWafBlockedRatePercent = "lots": must be a number >= 0, <= 100',
    ],
  ])("service config with %s", (_what, key, value, message) => {
    it("fails with the key, the value and the rule", () => {
      expect(problem(readServiceAlarmConfig, { [key]: value })).toBe(`Invalid configuration: ${message}`);
    });
  });

  describe.each([
    [
      "an ACU percentage above 100",
      "alarmAcuUtilizationPercent",
      "150",
      'mlapi-data:alarmAcuUtilizationPercent = "150": must be a number >= 0, <= 100',
    ],
    [
      "a negative memory floor",
      "alarmDbFreeableMemoryMib",
      "-256",
      'mlapi-data:alarmDbFreeableMemoryMib = "-256": must be a number >= 0, a whole number',
    ],
    [
      "a negative connection count",
      "alarmDbConnections",
      "-1",
      'mlapi-data:alarmDbConnections = "-1": must be a number >= 0, a whole number',
    ],
    [
      "a negative throttle count",
      "alarmDynamoThrottledRequests",
      "-3",
      'mlapi-data:alarmDynamoThrottledRequests = "-3": must be a number >= 0, a whole number',
    ],
  ])("data config with %s", (_what, key, value, message) => {
    it("fails with the key, the value and the rule", () => {
      expect(problem(readDataAlarmConfig, { [key]: value }, "mlapi-data")).toBe(`Invalid configuration: ${message}`);
    });
  });

  describe.each([
    [
      "a 5xx rate above 100",
      "alarmCloudFront5xxRatePercent",
      "200",
      'mlapi-edge:alarmCloudFront5xxRatePercent = "200": must be a number >= 0, <= 100',
    ],
    [
      "a negative total error rate",
      "alarmCloudFrontTotalErrorRatePercent",
      "-1",
      'mlapi-edge:alarmCloudFrontTotalErrorRatePercent = "-1": must be a number >= 0, <= 100',
    ],
  ])("edge config with %s", (_what, key, value, message) => {
    it("fails with the key, the value and the rule", () => {
      expect(problem(readEdgeAlarmConfig, { [key]: value }, "mlapi-edge")).toBe(`Invalid configuration: ${message}`);
    });
  });

  it("reports every bad threshold at once", () => {
    expect(problem(readServiceAlarmConfig, { alarmCpuPercent: "120", alarmAlb5xxPerMinute: "-1" })).toBe(
      "Invalid configuration (2 problems):\n" +
        '  - mlapi-service:alarmAlb5xxPerMinute = "-1": must be a number >= 0, a whole number\n' +
        '  - mlapi-service:alarmCpuPercent = "120": must be a number >= 0, <= 100',
    );
  });
});

describe("alarmEmails", () => {
  it("is empty by default: the topic exists and can be subscribed later", () => {
    expect(readAlarmSubscriptions(readerFor({}))).toEqual([]);
  });

  it("takes email addresses and https endpoints", () => {
    const list = readAlarmSubscriptions(
      readerFor({ alarmEmails: '["oncall@example.com", "https://events.example.com/hook"]' }),
    );
    expect(list).toEqual(["oncall@example.com", "https://events.example.com/hook"]);
    expect(list.map(subscriptionProtocol)).toEqual(["email", "https"]);
  });

  describe.each([
    [
      "a bare name",
      '["oncall"]',
      'mlapi-service:alarmEmails[0] = "oncall": must be an email address or an https:// URL',
    ],
    [
      "a plain-http endpoint",
      '["http://hooks.example.com/x"]',
      'mlapi-service:alarmEmails[0] = "http://hooks.example.com/x": must be an email address or an https:// URL',
    ],
    [
      "a duplicate",
      '["a@example.com", "A@example.com"]',
      'mlapi-service:alarmEmails[1] = "A@example.com": is listed twice',
    ],
    [
      "a string instead of a list",
      '"a@example.com"',
      'mlapi-service:alarmEmails = "\\"a@example.com\\"": must be a list of strings',
    ],
  ])("with %s", (_what, raw, message) => {
    it("fails naming the entry", () => {
      expect(problem((r) => readAlarmSubscriptions(r), { alarmEmails: raw })).toBe(`Invalid configuration: ${message}`);
    });
  });
});
