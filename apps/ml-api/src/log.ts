// Structured logs: one JSON object per line on stdout (CloudWatch via the awslogs driver).
type Level = "debug" | "info" | "warn" | "error";
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function createLogger(
  level: Level = "info",
  write: (line: string) => void = (l) => process.stdout.write(l + "\n"),
): Logger {
  const min = ORDER[level];
  const emit =
    (lvl: Level) =>
    (msg: string, fields: Record<string, unknown> = {}) => {
      if (ORDER[lvl] < min) return;
      write(JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...fields }, errorReplacer));
    };
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error") };
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error)
    return { name: value.name, message: value.message, code: (value as { code?: unknown }).code };
  return value;
}

/**
 * Routes process warnings into the JSON log. Node prints them to stderr as multi-line text (the
 * AWS SDK's Node-version notice, a dependency's deprecation), which breaks the one-JSON-object-
 * per-line contract of the logs; replacing its default listener keeps the content, as one line.
 */
export function routeProcessWarnings(log: Logger): void {
  process.removeAllListeners("warning");
  process.on("warning", (w: Error) => log.warn("process warning", { name: w.name, message: w.message }));
}

type SdkLogger = Record<"trace" | "debug" | "info" | "warn" | "error", (...m: unknown[]) => void>;

/**
 * The AWS SDK's logger interface, writing warnings and errors into the JSON log. The SDK's HTTP
 * handler otherwise warns through `console` (multi-line text on stderr); its info/debug output
 * (every call's input and output) is dropped.
 */
export function awsSdkLogger(log: Logger): SdkLogger {
  const fields = (m: unknown[]) => ({
    message: m.map((x) => (typeof x === "string" ? x : JSON.stringify(x))).join(" "),
  });
  const ignore = () => undefined;
  return {
    trace: ignore,
    debug: ignore,
    info: ignore,
    warn: (...m) => log.warn("aws sdk", fields(m)),
    error: (...m) => log.error("aws sdk", fields(m)),
  };
}
