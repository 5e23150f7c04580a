// HTTP/1.1 over a plain socket, for what fetch cannot send: invalid request targets, bodies that
// never end, requests abandoned half-way.
import { connect, type Socket } from "node:net";

export interface RawExchange {
  /** Everything the server sent. */
  response: string;
  /** Body bytes this side managed to write before the connection closed (or the time ran out). */
  bodyBytesWritten: number;
  /** True when the server closed the connection within the time allowed. */
  closedByServer: boolean;
  ms: number;
}

/**
 * Sends `head` (request line + headers, without the blank line), then body chunks of
 * `chunkBytes` as fast as the socket takes them, up to `bodyBytes` (Infinity: never stops),
 * until the server closes the connection or `maxMs` pass. `chunked` frames each chunk (send the
 * Transfer-Encoding header with it).
 */
export function rawExchange(
  port: number,
  head: string,
  opts: { bodyBytes?: number; chunkBytes?: number; chunked?: boolean; maxMs?: number } = {},
): Promise<RawExchange> {
  const { bodyBytes = 0, chunkBytes = 64 * 1024, chunked = false, maxMs = 5000 } = opts;
  const started = performance.now();
  return new Promise((resolve) => {
    const socket: Socket = connect(port, "127.0.0.1");
    const data = Buffer.alloc(chunkBytes, 0x61);
    // Transfer-Encoding: chunked framing around each piece
    const chunk = chunked
      ? Buffer.concat([Buffer.from(`${chunkBytes.toString(16)}\r\n`), data, Buffer.from("\r\n")])
      : data;
    let response = "";
    let written = 0;
    let done = false;
    const finish = (closedByServer: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ response, bodyBytesWritten: written, closedByServer, ms: performance.now() - started });
    };
    const timer = setTimeout(() => finish(false), maxMs);
    const pump = () => {
      while (!done && written < bodyBytes) {
        const n = Math.min(chunkBytes, bodyBytes - written);
        written += n;
        if (!socket.write(n === chunkBytes ? chunk : data.subarray(0, n))) return void socket.once("drain", pump);
      }
    };
    socket.on("data", (d: Buffer) => (response += d.toString("latin1")));
    socket.on("close", () => finish(true));
    socket.on("error", () => finish(true));
    socket.on("connect", () => {
      socket.write(`${head}\r\n\r\n`);
      pump();
    });
  });
}

/** Writes `prefix` as is (a request's head, complete or not), then `bodyBytes` bytes; returns the open socket. */
export function openRequest(port: number, prefix: string, bodyBytes: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.write(prefix);
      socket.write(Buffer.alloc(bodyBytes, 0x61), () => resolve(socket));
    });
    socket.on("error", reject);
  });
}

/** Status code and parsed JSON body of a raw response. */
export function parseResponse(raw: string): { status: number; headers: string; body: unknown } {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0);
  const split = raw.indexOf("\r\n\r\n");
  const text = split >= 0 ? raw.slice(split + 4) : "";
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status, headers: split >= 0 ? raw.slice(0, split).toLowerCase() : "", body };
}
