/**
 * One structured log line and one metrics sample per HTTP request: request id, method,
 * route, path (never the query), status, duration, subject and peer. Also keeps the
 * open-requests gauge, released when a streamed body ends. Headers are never logged.
 */
import type { Logger } from "@logtape/logtape";
import type { Metrics } from "../../observability/metrics.ts";
import { jsonRpcError, onBodyDone } from "../http_responses.ts";
import type { Middleware } from "./types.ts";

/** Routes polled by probes: logged at debug level so they do not drown the rest. */
const QUIET_ROUTES = new Set(["/health", "/ready"]);

export function accessLog(logger: Logger, metrics: Metrics): Middleware {
  return async (c, next) => {
    metrics.openRequests.inc();
    let res: Response;
    try {
      res = await next();
    } catch (err) {
      logger.error("request failed unexpectedly", {
        requestId: c.requestId,
        error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
        stack: err instanceof Error ? err.stack : undefined,
      });
      res = jsonRpcError(500, -32603, `Internal error (request ${c.requestId})`);
    }
    const headersAt = performance.now();
    metrics.recordHttp(c.req.method, c.route, res.status, (headersAt - c.started) / 1000);
    return onBodyDone(res, () => {
      metrics.openRequests.dec();
      const fields = {
        requestId: c.requestId,
        method: c.req.method,
        route: c.route,
        path: c.url.pathname.slice(0, 200),
        status: res.status,
        durationMs: Math.round((performance.now() - c.started) * 10) / 10,
        subject: c.principal?.subject,
        remote: c.remoteAddr,
      };
      if (QUIET_ROUTES.has(c.route)) logger.debug("http request", fields);
      else logger.info("http request", fields);
    });
  };
}
