/**
 * The HTTP application as one fetch handler, without a socket (http.ts serves it;
 * tests call it in process). Routes: /health and /ready (no auth, no secrets),
 * /.well-known/oauth-protected-resource (JWT mode), /metrics, /mcp. Order of checks
 * on /mcp: Host, Origin, query credentials, auth, method, body, protocol version, Mcp-Method, rate.
 */
import type { Config } from "../config.ts";
import type { HttpConfig } from "../config_http.ts";
import type { SandboxClient } from "../sandbox/client.ts";
import type { GitHubRawClient } from "../github/raw_client.ts";
import { createServer } from "../server.ts";
import { TOOLS } from "../tools/mod.ts";
import { log } from "../observability/log.ts";
import { Metrics } from "../observability/metrics.ts";
import type { Authenticator } from "../auth/types.ts";
import { digestMatches } from "../auth/api_keys.ts";
import { metadataDocument, metadataPaths, metadataUrl } from "../auth/protected_resource.ts";
import { jsonResponse, jsonRpcError } from "./http_responses.ts";
import { createMcpEndpoint, type McpEndpoint } from "./mcp_endpoint.ts";
import { toolLimits } from "./tool_limits.ts";
import {
  compose,
  type Handler,
  type HttpContext,
  type Middleware,
  newContext,
} from "./middleware/types.ts";
import { requestId } from "./middleware/request_id.ts";
import { accessLog } from "./middleware/access_log.ts";
import { hostCheck, hostSyntax } from "./middleware/host_check.ts";
import { originCheck } from "./middleware/origin_check.ts";
import {
  bearerAuth,
  bearerToken,
  type ChallengeParams,
  noQueryCredentials,
} from "./middleware/bearer_auth.ts";
import { protocolVersion, SERVED_PROTOCOL_VERSIONS } from "./middleware/protocol_version.ts";
import { jsonBody } from "./middleware/json_body.ts";
import { mcpMethodHeader } from "./middleware/mcp_method.ts";
import { rateLimit } from "./middleware/rate_limit.ts";
import { MEMORY_STATE, type SharedState } from "../state/shared.ts";
import { sharedLimiters } from "../state/limiters.ts";
import { sharedSlots } from "../state/slots.ts";

export const MCP_PATH = "/mcp";
/** Most run_linter calls waiting for a slot before the server answers "busy". */
export const MAX_QUEUED_LINTERS = 64;

export interface HttpAppDeps {
  config: Config;
  sandbox: SandboxClient;
  github: GitHubRawClient;
  /** Checks bearer credentials; undefined means no authentication (loopback, or accepted risk). */
  authenticator?: Authenticator;
  /** Where limits and linter slots live: Redis shared by every replica, or memory (default). */
  shared?: SharedState;
}

export interface HttpApp {
  handler(req: Request, remoteAddr: string): Promise<Response>;
  readonly metrics: Metrics;
  readonly endpoint: McpEndpoint;
  /** /ready answers 200 from now on (until drain()). */
  markReady(): void;
  /** /ready answers 503 and new /mcp requests are refused; in-flight ones go on. */
  drain(): void;
  /** Cancels every tool call still running; each answers "Cancelled" to its client. */
  cancelCalls(): void;
}

/** Answers GET (and HEAD) with `h`, anything else with 405. */
const getOnly = (h: Handler): Handler => (c) =>
  c.req.method === "GET" || c.req.method === "HEAD" ? h(c) : Promise.resolve(
    jsonRpcError(405, -32000, "Method not allowed", { headers: { allow: "GET" } }),
  );

/** /mcp takes POST, GET and DELETE. */
const mcpMethods: Middleware = (c, next) =>
  ["POST", "GET", "DELETE"].includes(c.req.method) ? next() : Promise.resolve(
    jsonRpcError(405, -32000, "Method not allowed", {
      headers: { allow: "GET, POST, DELETE" },
    }),
  );

/** Refuses new /mcp requests once shutdown has begun (in-flight ones go on). */
function notDraining(draining: () => boolean): Middleware {
  return (_c, next) =>
    draining()
      ? Promise.resolve(
        jsonRpcError(503, -32000, "Service Unavailable: the server is shutting down", {
          headers: { "retry-after": "1", connection: "close" },
        }),
      )
      : next();
}

/** The WWW-Authenticate parameters: the metadata document in JWT mode, a realm otherwise. */
function challengeFor(http: HttpConfig): ChallengeParams {
  return http.auth.mode === "jwt" && http.resourceUrl !== undefined
    ? { resourceMetadata: metadataUrl(http.resourceUrl) }
    : { realm: "code-review-mcp" };
}

/** /metrics' own check when a metrics token is set: that token, compared by digest. */
function metricsToken(tokenSha256: string, metrics: Metrics): Middleware {
  return (c, next) => {
    const token = bearerToken(c.req.headers.get("authorization"));
    if (token !== undefined && digestMatches(token, tokenSha256)) return next();
    metrics.recordAuthFailure("metrics_token");
    return Promise.resolve(
      jsonRpcError(401, -32000, "Unauthorized: /metrics needs the metrics token", {
        headers: { "www-authenticate": 'Bearer realm="metrics"' },
      }),
    );
  };
}

/** The metric label of a path: a known route, or "other". */
function routeOf(path: string, wellKnown: readonly string[]): string {
  if ([MCP_PATH, "/health", "/ready", "/metrics"].includes(path)) return path;
  if (wellKnown.includes(path)) return "/.well-known/oauth-protected-resource";
  return "other";
}

export function createHttpApp(deps: HttpAppDeps): HttpApp {
  const { config } = deps;
  const http = config.http;
  const logger = log("http");
  const shared = deps.shared ?? MEMORY_STATE;
  const limits = toolLimits({
    acquireSlot: sharedSlots(shared, "linters", http.maxConcurrentLinters),
    maxConcurrentLinters: http.maxConcurrentLinters,
    maxQueued: MAX_QUEUED_LINTERS,
    timeoutMs: http.requestTimeoutMs,
    onLinterRun: (linter, seconds) => metrics.recordLinter(linter, seconds),
  });
  const sessions = { count: () => 0 };
  const metrics: Metrics = new Metrics({
    github: () => deps.github.stats(),
    sessions: () => sessions.count(),
    workerStarts: () => deps.sandbox.stats().workerStarts,
    linterQueue: () => limits.queue(),
    sharedState: () => shared.status(),
    tools: TOOLS.map((t) => t.name),
  });
  const mcp = createMcpEndpoint({
    makeServer: () =>
      createServer({
        config,
        sandbox: deps.sandbox,
        github: deps.github,
        onToolCall: (e) => metrics.recordToolCall(e),
        around: limits.around,
      }),
    stateful: http.stateful,
    responseMode: http.responseMode,
    maxBodyBytes: http.maxBodyBytes,
    metrics,
    logger,
  });
  sessions.count = () => mcp.sessionCount();

  let state: "starting" | "ready" | "draining" = "starting";
  const auth = http.auth;
  const challenge = challengeFor(http);
  const authMw: Middleware[] = deps.authenticator
    ? [
      bearerAuth({
        authenticator: deps.authenticator,
        challenge,
        onFailure: (r) => metrics.recordAuthFailure(r),
      }),
    ]
    : [];
  const wellKnown = auth.mode === "jwt" && http.resourceUrl !== undefined
    ? metadataPaths(http.resourceUrl)
    : [];

  const mcpChain = compose([
    notDraining(() => state === "draining"),
    ...authMw,
    mcpMethods,
    jsonBody(http.maxBodyBytes),
    protocolVersion(SERVED_PROTOCOL_VERSIONS),
    mcpMethodHeader(),
    rateLimit({
      limits: http.rateLimits,
      limiters: sharedLimiters(shared),
      onLimited: (s) => metrics.recordRateLimited(s),
    }),
  ], (c) => mcp.handle(c));

  const metricsAuth: Middleware[] = http.metricsTokenSha256 !== undefined
    ? [metricsToken(http.metricsTokenSha256, metrics)]
    : authMw;
  const metricsChain = compose(metricsAuth, async () => {
    const { body, contentType } = await metrics.render();
    return new Response(body, {
      headers: { "content-type": contentType, "cache-control": "no-store" },
    });
  });

  const guarded = compose([
    hostCheck(http.allowedHosts),
    originCheck(http.allowedOrigins),
    noQueryCredentials(challenge),
  ], (c) => {
    switch (c.route) {
      case MCP_PATH:
        return mcpChain(c);
      case "/metrics":
        return getOnly(metricsChain)(c);
      case "/.well-known/oauth-protected-resource":
        if (auth.mode === "jwt" && http.resourceUrl !== undefined) {
          const doc = metadataDocument(http.resourceUrl, auth.issuer, auth.requiredScope);
          return getOnly(() => Promise.resolve(jsonResponse(200, doc)))(c);
        }
    }
    return Promise.resolve(jsonResponse(404, { error: "not found" }));
  });

  const routes: Handler = (c) => {
    switch (c.route) {
      case "/health":
        return getOnly(() => Promise.resolve(jsonResponse(200, { status: "ok" })))(c);
      case "/ready":
        return getOnly(() =>
          // Redis being down does not make a replica unready: it serves with its own limits.
          Promise.resolve(
            jsonResponse(state === "ready" ? 200 : 503, {
              status: state,
              shared_state: shared.status(),
            }),
          )
        )(c);
    }
    return guarded(c);
  };
  const app = compose([requestId(), accessLog(logger, metrics), hostSyntax()], routes);

  return {
    handler: (req, remoteAddr) => {
      const c: HttpContext = newContext(req, remoteAddr);
      c.route = routeOf(c.url.pathname, wellKnown);
      return app(c);
    },
    metrics,
    endpoint: mcp,
    markReady() {
      if (state === "starting") state = "ready";
    },
    drain() {
      state = "draining";
    },
    cancelCalls: () => limits.cancelAll(),
  };
}
