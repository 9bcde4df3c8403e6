/**
 * /mcp, serving both protocol eras from one endpoint. A 2026-07-28 request (its `_meta`
 * envelope names the version) goes to the SDK's createMcpHandler: stateless, a fresh
 * McpServer per request, so any replica answers any request. A 2025-era request (an
 * `initialize`, or anything without the envelope) is served statelessly by the SDK's
 * fallback (default), or with --stateful by sessions in memory (sessions.ts) with GET
 * streams and DELETE. All share the sandbox worker and the GitHub client.
 */
import type { Logger } from "@logtape/logtape";
import {
  type AuthInfo,
  createMcpHandler,
  isLegacyRequest,
  type McpServer,
  type McpServerFactory,
  WebStandardStreamableHTTPServerTransport,
} from "../sdk.ts";
import type { ResponseMode } from "../config_http.ts";
import type { Metrics } from "../observability/metrics.ts";
import { isEventStream, jsonRpcError, onBodyDone } from "./http_responses.ts";
import { newSessionId, SessionStore } from "./sessions.ts";
import type { HttpContext } from "./middleware/types.ts";

/** Bounds on stateful mode's memory. */
export const SESSION_LIMITS = { max: 1000, idleMs: 30 * 60 * 1000 } as const;

/** Request headers the MCP layer never sees: credentials stay in the HTTP layer. */
const HIDDEN_HEADERS = ["authorization", "cookie", "proxy-authorization"];

export interface McpEndpointOptions {
  makeServer: () => McpServer;
  stateful: boolean;
  responseMode: ResponseMode;
  maxBodyBytes: number;
  metrics: Metrics;
  logger: Logger;
  sessions?: { max: number; idleMs: number };
}

export interface McpEndpoint {
  handle(c: HttpContext): Promise<Response>;
  sessionCount(): number;
  /** POST exchanges whose response has not ended yet. */
  inflight(): number;
  /** Resolves once nothing is in flight. */
  idle(): Promise<void>;
  /** Ends the sessions' GET streams (on shutdown: those never end by themselves). */
  closeStreams(): void;
  /** Closes every server, aborting what still runs. */
  closeAll(): Promise<void>;
}

/**
 * The request the SDK sees: same URL, method and headers, minus credentials, plus the
 * request id; its signal aborts when the client drops a streamed answer (the body is read
 * already, by jsonBody, and travels as parsedBody).
 */
function sdkRequest(c: HttpContext, signal?: AbortSignal): Request {
  const headers = new Headers(c.req.headers);
  for (const h of HIDDEN_HEADERS) headers.delete(h);
  headers.set("x-request-id", c.requestId);
  return new Request(c.url, { method: c.req.method, headers, ...(signal ? { signal } : {}) });
}

function authInfoOf(c: HttpContext): AuthInfo | undefined {
  const p = c.principal;
  if (p === undefined) return undefined;
  return {
    // The token stays in the HTTP layer: nothing below it may pass it on.
    token: "",
    clientId: p.clientId,
    scopes: p.scopes,
    ...(p.expiresAt !== undefined ? { expiresAt: p.expiresAt } : {}),
    extra: { subject: p.subject, method: p.method },
  };
}

function isInitialize(body: unknown): boolean {
  const one = (m: unknown) =>
    typeof m === "object" && m !== null && (m as { method?: unknown }).method === "initialize";
  return Array.isArray(body) ? body.some(one) : one(body);
}

/**
 * Counts exchanges in flight, so shutdown can wait for them. `enter()` returns the exchange's
 * release, which counts once however often it is called.
 */
export class InFlight {
  #count = 0;
  #waiters: (() => void)[] = [];

  get count(): number {
    return this.#count;
  }

  enter(): () => void {
    this.#count++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#count--;
      if (this.#count === 0) {
        for (const w of this.#waiters) w();
        this.#waiters = [];
      }
    };
  }

  /** Resolves once nothing is in flight. */
  idle(): Promise<void> {
    return this.#count === 0
      ? Promise.resolve()
      : new Promise<void>((resolve) => this.#waiters.push(resolve));
  }
}

export function createMcpEndpoint(o: McpEndpointOptions): McpEndpoint {
  const store = new SessionStore(o.sessions ?? SESSION_LIMITS);
  /** Servers the SDK made for one request each (both eras), until they close. */
  const perRequest = new Set<McpServer>();
  const inflight = new InFlight();

  const factory = (_: Parameters<McpServerFactory>[0]): McpServer => {
    const server = o.makeServer();
    perRequest.add(server);
    server.server.onclose = () => perRequest.delete(server);
    return server;
  };
  const onerror = (err: Error) =>
    o.logger.debug("the MCP handler refused a request", { error: err.message });
  // "sse" (ours) is the SDK's "auto": one JSON body, upgraded to a stream when the call sends
  // progress or a log line first; "json": one JSON body, progress dropped. A client that goes
  // away (the connection closes, or a stream's body is cancelled) cancels the call.
  const handler = createMcpHandler(factory, {
    // 2025-era requests never reach it: routed below (isLegacyRequest) to our own wiring,
    // which honours --response-mode json and --stateful.
    legacy: "reject",
    responseMode: o.responseMode === "json" ? "json" : "auto",
    maxRequestBodySize: o.maxBodyBytes,
    onerror,
  });

  const transportFor = (
    sessionIdGenerator?: () => string,
    onsessioninitialized?: (id: string) => void,
  ) => {
    const t = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator,
      ...(onsessioninitialized ? { onsessioninitialized } : {}),
      enableJsonResponse: o.responseMode === "json",
      maxRequestBodySize: o.maxBodyBytes,
    });
    t.onerror = (err: Error) =>
      o.logger.debug("transport refused a message", { error: err.message });
    return t;
  };

  /** Counts a streamed answer as an open stream until it ends, then runs `after`. */
  const track = (res: Response, after: () => void): Response => {
    if (!isEventStream(res)) {
      after();
      return res;
    }
    o.metrics.openStreams.inc();
    return onBodyDone(res, () => {
      o.metrics.openStreams.dec();
      after();
    });
  };

  /**
   * Serves one POST exchange counted in flight until its answer has ended (a stream's last
   * byte) or `serve` throws; `cleanup` runs at that moment too.
   */
  const inFlightAnswer = async (
    serve: () => Promise<Response>,
    cleanup: () => void = () => {},
  ): Promise<Response> => {
    const release = inflight.enter();
    const done = () => {
      cleanup();
      release();
    };
    try {
      return track(await serve(), done);
    } catch (err) {
      done();
      throw err;
    }
  };

  /** The options every transport.handleRequest gets: the body read already, and who asks. */
  const requestOptions = (c: HttpContext) => {
    const authInfo = authInfoOf(c);
    return { parsedBody: c.body, ...(authInfo ? { authInfo } : {}) };
  };

  /** Whether the SDK would serve this request as 2025-era traffic (its own classification). */
  const isLegacy = (c: HttpContext) =>
    isLegacyRequest(sdkRequest(c), c.body, { maxRequestBodySize: o.maxBodyBytes });

  /** A 2026-07-28 request: the SDK's handler, stateless, whatever the mode. */
  const modern = (c: HttpContext): Promise<Response> => {
    const dropped = new AbortController();
    const authInfo = authInfoOf(c);
    const gone = AbortSignal.any([c.req.signal, dropped.signal]);
    // Once the answer has ended, aborting is a no-op; before that, it cancels the call.
    return inFlightAnswer(
      () =>
        handler.fetch(sdkRequest(c, gone), {
          parsedBody: c.body,
          ...(authInfo ? { authInfo } : {}),
        }),
      () => dropped.abort(),
    );
  };

  /** Stateless mode: a 2025-era POST gets a fresh McpServer and transport, as the SDK recommends. */
  const stateless = async (c: HttpContext): Promise<Response> => {
    if (c.req.method !== "POST") {
      return jsonRpcError(
        405,
        -32000,
        "Method not allowed: this server is stateless (no GET stream, no sessions to delete)",
        { headers: { allow: "POST" } },
      );
    }
    if (!(await isLegacy(c))) return modern(c);
    const server = factory({ era: "legacy" });
    const transport = transportFor(undefined);
    // A client that drops an SSE answer cancels its body, and closing the server aborts the call.
    return inFlightAnswer(async () => {
      await server.connect(transport);
      return transport.handleRequest(sdkRequest(c), requestOptions(c));
    }, () => void server.close().catch(() => {}));
  };

  /** A request inside a session: POSTs count in flight, a GET stream counts as the session's. */
  const inSession = async (c: HttpContext, id: string, owner: string): Promise<Response> => {
    const session = store.get(id, owner);
    if (session === undefined) return jsonRpcError(404, -32001, "Session not found");
    const serve = () => session.transport.handleRequest(sdkRequest(c), requestOptions(c));
    if (c.req.method === "POST") return inFlightAnswer(serve);
    const res = await serve();
    if (c.req.method !== "GET" || !isEventStream(res)) return res;
    session.streams++;
    return track(res, () => session.streams--);
  };

  /** An initialize without a session: a new server and session, if there is room. */
  const newSession = (c: HttpContext, owner: string): Promise<Response> | Response => {
    if (!store.hasRoom()) {
      return jsonRpcError(503, -32000, "Service Unavailable: too many open sessions; retry later", {
        headers: { "retry-after": "30" },
      });
    }
    const server = o.makeServer();
    let sessionId: string | undefined;
    // The SDK calls this once the initialize request is accepted, before answering it.
    const transport = transportFor(newSessionId, (sid) => {
      sessionId = sid;
      store.add(sid, { server, transport, owner });
    });
    transport.onclose = () => {
      if (sessionId !== undefined) store.delete(sessionId);
    };
    return inFlightAnswer(async () => {
      try {
        await server.connect(transport);
        const res = await transport.handleRequest(sdkRequest(c), requestOptions(c));
        if (sessionId === undefined) void server.close().catch(() => {});
        return res;
      } catch (err) {
        void server.close().catch(() => {});
        throw err;
      }
    });
  };

  /** Stateful mode: 2026-07-28 requests stay stateless; 2025 clients get sessions. */
  const stateful = async (c: HttpContext): Promise<Response> => {
    const isPost = c.req.method === "POST";
    if (isPost && !(await isLegacy(c))) return modern(c);
    const owner = c.principal?.subject ?? "";
    const id = c.req.headers.get("mcp-session-id");
    if (id !== null) return inSession(c, id, owner);
    if (!isPost || !isInitialize(c.body)) {
      return jsonRpcError(400, -32000, "Bad Request: Mcp-Session-Id header is required");
    }
    return newSession(c, owner);
  };

  return {
    handle: o.stateful ? stateful : stateless,
    sessionCount: () => store.size,
    inflight: () => inflight.count,
    idle: () => inflight.idle(),
    closeStreams() {
      for (const s of store.all()) s.transport.closeStandaloneSSEStream();
    },
    async closeAll() {
      const servers = [...perRequest, ...store.all().map((s) => s.server)];
      await Promise.all([
        handler.close().catch(() => {}),
        ...servers.map((s) => s.close().catch(() => {})),
      ]);
    },
  };
}
