/**
 * The socket side of the HTTP transport: a fetch-style handler served by Deno's
 * node:http server, because Deno.serve can neither close a connection nor bound one.
 * node:http bounds what a slow or idle client can hold: headers (and a connection that
 * sends nothing) within headersTimeoutMs, a whole request within requestTimeoutMs, an
 * idle keep-alive connection for keepAliveTimeoutMs; and an answer that says
 * `Connection: close` (408, 413, refusals before the body is read) closes it at once,
 * whatever the client is still sending.
 */
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from "node:http";
import type { Socket } from "node:net";
import { hostSyntaxValid } from "./middleware/host_check.ts";
import { UNPARSABLE_HOST_URL } from "./middleware/types.ts";

/** How long a client may take at each stage of a connection. */
export interface ConnectionTimeouts {
  /** From the connection's first byte (or its opening) to the end of the request headers. */
  headersTimeoutMs: number;
  /** From the first byte to the end of the request body; a backstop behind the body reader's own 408. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeoutMs: number;
  /** How often the timeouts above are checked (their resolution). */
  checkIntervalMs: number;
}

/** The bounds the server runs with (README, "Protection"; deploy/ configures the proxy alike). */
export const CONNECTION_TIMEOUTS: Readonly<ConnectionTimeouts> = Object.freeze({
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 45_000,
  keepAliveTimeoutMs: 5_000,
  checkIntervalMs: 1_000,
});

/**
 * Lingering close (nginx's lingering_close): a connection closed while the client may still
 * be sending first sends its answer and half-closes, then reads and discards input for at
 * most this long and this many bytes. Closing with unread input makes the kernel send a
 * reset, which can destroy the answer before the client reads it.
 */
export const LINGER = Object.freeze({ ms: 2_000, bytes: 4 * 1024 * 1024 });

const lingering = new WeakSet<Socket>();

/** Half-closes `socket` once what is written has gone, then drains input within LINGER's bounds. */
export function lingerClose(socket: Socket): void {
  if (lingering.has(socket) || socket.destroyed) return;
  lingering.add(socket);
  let seen = 0;
  const done = () => {
    clearTimeout(timer);
    socket.destroy();
  };
  const timer = setTimeout(done, LINGER.ms);
  socket.on("data", (chunk: Uint8Array) => {
    seen += chunk.byteLength;
    if (seen > LINGER.bytes) done();
  });
  socket.once("end", done);
  socket.once("close", () => clearTimeout(timer));
  socket.end();
  socket.resume();
}

/** Bytes of request body buffered ahead of the reader before the socket is paused. */
const BODY_HIGH_WATER_MARK = 64 * 1024;

/** Headers about this one connection (RFC 9110 7.6.1), set by node:http, not by the app. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "upgrade",
  "proxy-connection",
  "te",
  "trailer",
]);

export type FetchHandler = (req: Request, remoteAddr: string) => Promise<Response>;

export interface ListenOptions {
  hostname: string;
  port: number;
  timeouts?: Partial<ConnectionTimeouts>;
  /** Told about a failure of the adapter itself (never the client's bytes). */
  onError?: (what: string, err: unknown) => void;
  /** Told about every connection refused before a request could be formed (logs, metrics). */
  onConnectionRefused?: (refusal: ConnectionRefusal) => void;
}

/** Why a connection got no request through: a closed set, fit for a metric label. */
export type RefusalReason = "timeout" | "malformed" | "headers_too_large";

export interface ConnectionRefusal {
  status: 400 | 408 | 431;
  reason: RefusalReason;
  remoteAddr: string;
}

/** The answer node:http's parser errors deserve (as node's own default handler gives them). */
export function refusalFor(
  code: string | undefined,
): { status: 400 | 408 | 431; reason: RefusalReason } {
  if (code === "ERR_HTTP_REQUEST_TIMEOUT") return { status: 408, reason: "timeout" };
  if (code === "HPE_HEADER_OVERFLOW") return { status: 431, reason: "headers_too_large" };
  return { status: 400, reason: "malformed" };
}

export interface HttpListener {
  /** The bound address (port 0 resolved). */
  readonly addr: { hostname: string; port: number };
  /** Stops accepting and closes idle connections; resolves when every connection has ended. */
  shutdown(): Promise<void>;
  /** Closes every connection now, busy or not. */
  closeAll(): void;
}

/** Why listening failed, in the terms http.ts turns into a one-line error. */
export class ListenError extends Error {
  constructor(readonly kind: "permission" | "in-use" | "other", message: string) {
    super(message);
  }
}

/** "::ffff:127.0.0.1" -> "127.0.0.1": an IPv4 peer as itself. */
export function peerAddress(socket: Socket | undefined): string {
  const a = socket?.remoteAddress ?? "";
  return a.startsWith("::ffff:") && a.includes(".") ? a.slice("::ffff:".length) : a;
}

/**
 * The URL a handler sees: the request target's path and query under the Host the
 * client named when that Host is well formed (the local address when it sent none),
 * else under a placeholder; the Host
 * header itself stays in the headers for the host check to judge.
 */
export function requestUrlOf(
  target: string | undefined,
  host: string | undefined,
  local?: string,
): string {
  // No Host at all (HTTP/1.0; node refuses an HTTP/1.1 request without one): the address it reached.
  const named = host ?? local;
  const base = named !== undefined && hostSyntaxValid(named)
    ? `http://${named}`
    : UNPARSABLE_HOST_URL;
  let pathAndQuery = "/";
  if (target !== undefined && target.startsWith("/")) pathAndQuery = target;
  else if (target !== undefined && /^https?:\/\//i.test(target)) {
    // Absolute form (RFC 9112 3.2.2): keep only its path and query.
    try {
      const u = new URL(target);
      pathAndQuery = u.pathname + u.search;
    } catch {
      pathAndQuery = "/";
    }
  }
  try {
    // Concatenated, not resolved against the base: "//evil.example/x" is a path here, not an authority.
    return new URL(base + pathAndQuery).href;
  } catch {
    return `${base}/`;
  }
}

/**
 * The request body as a web stream that pauses the socket when the reader falls
 * behind. Cancelling it stops reading without destroying the socket, so the answer
 * (a 408 or 413 with Connection: close) can still be written before it closes.
 */
function bodyOf(req: IncomingMessage): ReadableStream<Uint8Array> {
  let settled = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on("data", (chunk: Uint8Array) => {
        if (settled) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.on("end", () => {
        if (settled) return;
        settled = true;
        controller.close();
      });
      const fail = (err: unknown) => {
        if (settled) return;
        settled = true;
        controller.error(err instanceof Error ? err : new Error("the request body was cut off"));
      };
      req.on("error", fail);
      req.on(
        "close",
        () => fail(new Error("the client closed the connection before the body ended")),
      );
    },
    pull() {
      req.resume();
    },
    cancel() {
      settled = true;
      req.pause();
    },
  }, { highWaterMark: BODY_HIGH_WATER_MARK, size: (c) => c.byteLength });
}

/** A web Request for a node request: method, headers as sent, URL from requestUrlOf, body streamed. */
export function toRequest(req: IncomingMessage, signal: AbortSignal): Request {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    try {
      headers.append(raw[i]!, raw[i + 1]!);
    } catch {
      // A value fetch's Headers will not hold (node:http already refused invalid names): dropped.
    }
  }
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  const s = req.socket;
  const local = s?.localAddress === undefined
    ? undefined
    : `${s.localAddress.includes(":") ? `[${s.localAddress}]` : s.localAddress}:${s.localPort}`;
  return new Request(requestUrlOf(req.url, req.headers.host, local), {
    method,
    headers,
    signal,
    ...(hasBody ? { body: bodyOf(req), duplex: "half" } : {}),
  } as RequestInit);
}

/** Writes a web Response to node, streaming its body with back-pressure; stops when the client goes. */
async function writeResponse(
  req: IncomingMessage,
  res: ServerResponse,
  response: Response,
  method: string,
): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie" && !HOP_BY_HOP.has(name)) headers[name] = value;
  });
  // Connection management belongs to this layer: an app may ask to close (408, 413, drain),
  // never to keep alive against the client's own "Connection: close".
  if (/(^|,)\s*close\s*(,|$)/i.test(response.headers.get("connection") ?? "")) {
    headers["connection"] = "close";
  }
  // Answered before the body was all in (a refusal, a 413, a 408): the rest is never read, so
  // the connection closes with this answer instead of waiting for a client that may trickle forever.
  if (!req.complete) headers["connection"] = "close";
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  const head = () => {
    if (response.statusText) res.writeHead(response.status, response.statusText, headers);
    else res.writeHead(response.status, headers);
  };
  if (response.body === null || method === "HEAD") {
    await response.body?.cancel().catch(() => {});
    head();
    res.end();
    return;
  }
  const reader = response.body.getReader();
  const gone = new Promise<void>((resolve) => res.once("close", resolve));
  const onClose = () => void reader.cancel().catch(() => {});
  res.once("close", onClose);
  try {
    if (/^text\/event-stream/i.test(response.headers.get("content-type") ?? "")) {
      // Headers go out now: a server-sent event stream may not write its first event for a while.
      head();
      res.flushHeaders();
    } else {
      // Most answers are one chunk: sent whole, with a Content-Length, in one write.
      const first = await reader.read();
      const second = first.done ? first : await reader.read();
      if (second.done) {
        const body = first.done ? new Uint8Array() : first.value;
        if (headers["content-length"] === undefined) {
          headers["content-length"] = String(body.byteLength);
        }
        head();
        res.end(body);
        return;
      }
      head();
      res.write(first.value!);
      if (!res.write(second.value)) {
        await Promise.race([new Promise<void>((resolve) => res.once("drain", resolve)), gone]);
      }
    }
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) return;
      if (!res.write(value)) {
        await Promise.race([new Promise<void>((resolve) => res.once("drain", resolve)), gone]);
      }
    }
    res.end();
  } catch {
    // The body failed or the client went away: nothing more can be said on this connection.
    res.destroy();
  } finally {
    res.off("close", onClose);
  }
}

/** Serves `handler` on hostname:port; rejects with ListenError when the address cannot be bound. */
export async function listen(handler: FetchHandler, o: ListenOptions): Promise<HttpListener> {
  const t = { ...CONNECTION_TIMEOUTS, ...o.timeouts };
  const server: Server = createServer({
    headersTimeout: t.headersTimeoutMs,
    requestTimeout: t.requestTimeoutMs,
    keepAliveTimeout: t.keepAliveTimeoutMs,
    connectionsCheckingInterval: t.checkIntervalMs,
  }, (req, res) => {
    const aborted = new AbortController();
    res.once("close", () => {
      if (!res.writableFinished) {
        aborted.abort(new DOMException("the client closed the connection", "AbortError"));
      }
    });
    let request: Request;
    try {
      request = toRequest(req, aborted.signal);
    } catch (err) {
      o.onError?.("building the request", err);
      res.writeHead(400, { "content-type": "text/plain", connection: "close" });
      res.end("Bad Request\n");
      return;
    }
    handler(request, peerAddress(req.socket)).then(
      (response) => writeResponse(req, res, response, request.method),
      (err) => {
        o.onError?.("handling a request", err);
        if (!res.headersSent) {
          res.writeHead(500, { "content-type": "text/plain", connection: "close" });
        }
        res.end();
      },
    ).catch((err) => {
      o.onError?.("writing a response", err);
      res.destroy();
    });
  });
  // A request too malformed to parse, too large or too slow: answered as node's default handler
  // answers it (400, 431, 408, then closed), and reported, so slow or broken clients show in
  // the logs and metrics like any other refusal.
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Socket) => {
    const busy =
      (socket as Socket & { _httpMessage?: NodeJS.EventEmitter & { writableFinished?: boolean } })
        ._httpMessage;
    if (err.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    if (lingering.has(socket)) return;
    if (busy) {
      // Bytes past the request being answered (more than its Content-Length said): that answer
      // still goes out, then the connection closes without reading another request. Parsing
      // stops here (the rest is not HTTP), and reading waits until the answer is written.
      socket.removeAllListeners("data");
      socket.pause();
      if (busy.writableFinished) lingerClose(socket);
      else {
        busy.once("finish", () => lingerClose(socket));
        busy.once("close", () => lingerClose(socket));
      }
      return;
    }
    const { status, reason } = refusalFor(err.code);
    socket.write(
      `HTTP/1.1 ${status} ${
        STATUS_CODES[status]
      }\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
    );
    lingerClose(socket);
    o.onConnectionRefused?.({ status, reason, remoteAddr: peerAddress(socket) });
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off("listening", onListening);
      reject(listenError(err, o.hostname, o.port));
    };
    const onListening = () => {
      server.off("error", onError);
      resolve();
    };
    server.once("error", onError);
    server.once("listening", onListening);
    try {
      server.listen(o.port, o.hostname);
    } catch (err) {
      server.off("error", onError);
      server.off("listening", onListening);
      reject(listenError(err as NodeJS.ErrnoException, o.hostname, o.port));
    }
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : o.port;
  const closed = new Promise<void>((resolve) => server.once("close", () => resolve()));
  return {
    addr: { hostname: o.hostname, port },
    shutdown() {
      server.close();
      server.closeIdleConnections();
      return closed;
    },
    closeAll() {
      server.closeAllConnections();
    },
  };
}

function listenError(err: NodeJS.ErrnoException, hostname: string, port: number): ListenError {
  const where = `${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
  if (
    err instanceof Deno.errors.NotCapable || err instanceof Deno.errors.PermissionDenied ||
    err?.code === "EACCES" || err?.code === "EPERM"
  ) {
    return new ListenError("permission", `cannot listen on ${where}: permission denied`);
  }
  if (err instanceof Deno.errors.AddrInUse || err?.code === "EADDRINUSE") {
    return new ListenError("in-use", `${where} is already in use`);
  }
  return new ListenError(
    "other",
    `cannot listen on ${where}: ${String(err?.message ?? err).replace(/\s+/g, " ")}`,
  );
}
