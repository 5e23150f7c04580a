import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Logger } from "../log";

// Connection-level edges of node:http: answers sent before the body is read, client errors
// (request timeouts, malformed requests) and requests whose client went away.

/** True when the request announces a body (Content-Length > 0 or a Transfer-Encoding). */
export function bodyExpected(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  return req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

/**
 * For an answer sent while the body is still unread (415, 404, 413, 503 `overloaded`, …): the
 * connection closes after the answer. Left alone, node:http would read and discard the rest of
 * the body, however large, to keep the connection alive. The body is still drained for a
 * bounded while (up to `maxBytes`, at most `maxMs` after the answer) so that a client still
 * uploading a normal-sized image reads the answer instead of a connection reset.
 */
export function closeAfterAnswer(req: IncomingMessage, res: ServerResponse, maxBytes: number, maxMs: number): void {
  if (req.complete || !bodyExpected(req)) return;
  if (!res.headersSent) res.setHeader("Connection", "close");
  let seen = 0;
  let overLimit = false;
  const close = () => req.socket.destroy();
  req.on("data", (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > maxBytes && !overLimit) {
      overLimit = true;
      if (res.writableFinished) close();
    }
  });
  res.once("finish", () => {
    if (overLimit) close();
    else setTimeout(close, maxMs).unref();
  });
  req.resume();
}

/** How a request ended, for its log line. */
export interface Outcome {
  status: number;
  /**
   * Set when the handler's answer did not reach the client: `client_disconnected` (logged as 499), or
   * the connection-level error answered instead (`request_timeout` 408, `bad_request` 400, …).
   */
  error?: string;
}

/**
 * Tracks the response in flight on each socket and answers client errors (node:http's
 * `clientError`: request timeouts, malformed requests) with the API's JSON error shape.
 */
export class ConnectionTracker {
  private readonly responses = new WeakMap<Socket, ServerResponse>();
  private readonly clientErrors = new WeakMap<Socket, Required<Outcome>>();

  /**
   * `observe` is called for a client error answered with no request in flight (no request log line
   * of its own): its status is counted, and the fields it returns join the log line written here.
   */
  constructor(
    server: Server,
    private readonly log: Logger,
    private readonly observe: (status: number) => Record<string, unknown> = () => ({}),
  ) {
    server.on("clientError", (err: NodeJS.ErrnoException, socket: Socket) => this.onClientError(err, socket));
  }

  track(req: IncomingMessage, res: ServerResponse): void {
    this.responses.set(req.socket, res);
    res.once("close", () => {
      if (this.responses.get(req.socket) === res) this.responses.delete(req.socket);
    });
  }

  /** The answer the client got, or why it got none. Call once the response has closed. */
  outcome(req: IncomingMessage, res: ServerResponse): Outcome {
    if (res.writableFinished) return { status: res.statusCode };
    const clientError = this.clientErrors.get(req.socket);
    if (clientError) return clientError;
    // 499: nginx's "client closed request"; never counted as a server error.
    return { status: 499, error: "client_disconnected" };
  }

  private onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
    const res = this.responses.get(socket);
    // the client went away (reset, or closed its side mid-request): nobody to answer
    if (err.code === "ECONNRESET" || err.code === "EPIPE" || err.code === "HPE_INVALID_EOF_STATE" || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, code, message] =
      err.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "request_timeout", "the request was not received in time"]
        : err.code === "HPE_HEADER_OVERFLOW"
          ? [431, "headers_too_large", "request headers are too large"]
          : [400, "bad_request", "malformed HTTP request"];
    this.clientErrors.set(socket, { status, error: code });
    if (!res?.headersSent) socket.write(rawJson(status, code, message));
    socket.destroy();
    // A request already in flight logs its own line (with this outcome); otherwise log one here.
    if (!res) this.log.info("request", { status, error: code, reason: err.code, ...this.observe(status) });
  }
}

const REASONS: Record<number, string> = {
  400: "Bad Request",
  408: "Request Timeout",
  431: "Request Header Fields Too Large",
};

function rawJson(status: number, code: string, message: string): string {
  const body = JSON.stringify({ error: { code, message } });
  return (
    `HTTP/1.1 ${status} ${REASONS[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`
  );
}
