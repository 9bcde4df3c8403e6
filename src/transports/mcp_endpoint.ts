/**
 * /mcp over the SDK's web-standard Streamable HTTP transport. Stateless (default): a
 * fresh McpServer and transport per POST, as the SDK recommends, sharing the sandbox
 * worker and GitHub client, so any replica answers any request; GET and DELETE are
 * 405. Stateful: sessions in memory (sessions.ts), GET streams and DELETE.
 */
import type { Logger } from "@logtape/logtape";
import {
  type AuthInfo,
  isInitializeRequest,
  type McpServer,
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

/** The request the SDK sees: same URL, method and headers, minus credentials, plus the request id. */
function sdkRequest(c: HttpContext): Request {
  const headers = new Headers(c.req.headers);
  for (const h of HIDDEN_HEADERS) headers.delete(h);
  headers.set("x-request-id", c.requestId);
  return new Request(c.url, { method: c.req.method, headers });
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
  return Array.isArray(body) ? body.some((m) => isInitializeRequest(m)) : isInitializeRequest(body);
}

export function createMcpEndpoint(o: McpEndpointOptions): McpEndpoint {
  const store = new SessionStore(o.sessions ?? SESSION_LIMITS);
  const perRequest = new Set<McpServer>();
  let inflight = 0;
  let idleWaiters: (() => void)[] = [];
  const begin = () => inflight++;
  const end = () => {
    inflight--;
    if (inflight === 0) {
      for (const w of idleWaiters) w();
      idleWaiters = [];
    }
  };

  const transportFor = (sessionIdGenerator?: () => string, onsessioninitialized?: (id: string) => void) => {
    const t = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator,
      ...(onsessioninitialized ? { onsessioninitialized } : {}),
      enableJsonResponse: o.responseMode === "json",
      maxRequestBodySize: o.maxBodyBytes,
    });
    t.onerror = (err: Error) => o.logger.debug("transport refused a message", { error: err.message });
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

  const stateless = async (c: HttpContext): Promise<Response> => {
    if (c.req.method !== "POST") {
      return jsonRpcError(405, -32000, "Method not allowed: this server is stateless (no GET stream, no sessions to delete)", {
        headers: { allow: "POST" },
      });
    }
    const server = o.makeServer();
    const transport = transportFor(undefined);
    perRequest.add(server);
    begin();
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      perRequest.delete(server);
      void server.close().catch(() => {});
      end();
    };
    try {
      await server.connect(transport);
      // A client that drops an SSE answer cancels its body, and close() then aborts the call.
      const res = await transport.handleRequest(sdkRequest(c), { parsedBody: c.body, authInfo: authInfoOf(c) });
      return track(res, close);
    } catch (err) {
      close();
      throw err;
    }
  };

  const stateful = async (c: HttpContext): Promise<Response> => {
    const owner = c.principal?.subject ?? "";
    const id = c.req.headers.get("mcp-session-id");
    const isPost = c.req.method === "POST";
    if (id !== null) {
      const session = store.get(id, owner);
      if (session === undefined) return jsonRpcError(404, -32001, "Session not found");
      if (isPost) begin();
      const isGet = c.req.method === "GET";
      try {
        const res = await session.transport.handleRequest(sdkRequest(c), { parsedBody: c.body, authInfo: authInfoOf(c) });
        if (isGet && isEventStream(res)) session.streams++;
        return track(res, () => {
          if (isGet && isEventStream(res)) session.streams--;
          if (isPost) end();
        });
      } catch (err) {
        if (isPost) end();
        throw err;
      }
    }
    if (!isPost || !isInitialize(c.body)) {
      return jsonRpcError(400, -32000, "Bad Request: Mcp-Session-Id header is required");
    }
    if (!store.hasRoom()) {
      return jsonRpcError(503, -32000, "Service Unavailable: too many open sessions; retry later", { headers: { "retry-after": "30" } });
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
    begin();
    try {
      await server.connect(transport);
      const res = await transport.handleRequest(sdkRequest(c), { parsedBody: c.body, authInfo: authInfoOf(c) });
      if (sessionId === undefined) void server.close().catch(() => {});
      return track(res, end);
    } catch (err) {
      end();
      void server.close().catch(() => {});
      throw err;
    }
  };

  return {
    handle: o.stateful ? stateful : stateless,
    sessionCount: () => store.size,
    inflight: () => inflight,
    idle: () => inflight === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve)),
    closeStreams() {
      for (const s of store.all()) s.transport.closeStandaloneSSEStream();
    },
    async closeAll() {
      const servers = [...perRequest, ...store.all().map((s) => s.server)];
      await Promise.all(servers.map((s) => s.close().catch(() => {})));
    },
  };
}
