/**
 * Rate limits per client (the authenticated subject, else the peer address) and per
 * tool and client, in requests per minute (rate-limiter-flexible: in memory per replica, or
 * shared by every replica through Redis, see src/state/limiters.ts). Over a limit: 429 with
 * Retry-After and a JSON-RPC error naming the limit.
 */
import { type RateLimiterAbstract, RateLimiterRes } from "rate-limiter-flexible";
import { type LimiterFactory, memoryLimiters, subjectKey } from "../../state/limiters.ts";
import type { RateLimits } from "../../config_http.ts";
import { RATE_LIMITED_TOOLS } from "../../config_http.ts";
import { jsonRpcError, type JsonRpcId } from "../http_responses.ts";
import type { HttpContext, Middleware } from "./types.ts";

interface Message {
  method?: unknown;
  id?: unknown;
  params?: { name?: unknown };
}

/** Who a request counts against. */
export function clientKey(c: HttpContext): string {
  return c.principal !== undefined ? `subject:${c.principal.subject}` : `addr:${c.remoteAddr}`;
}

/** The tool a tools/call message names, limited to known names so keys stay bounded. */
function toolOf(m: Message): string | undefined {
  if (m.method !== "tools/call") return undefined;
  const name = m.params?.name;
  return typeof name === "string" && (RATE_LIMITED_TOOLS as readonly string[]).includes(name)
    ? name
    : "other";
}

export interface RateLimitOptions {
  limits: RateLimits;
  /** Where counters live: this replica's memory (default) or Redis (src/state/limiters.ts). */
  limiters?: LimiterFactory;
  /** Told the scope of every refusal (metrics). */
  onLimited?: (scope: string) => void;
}

export function rateLimit(o: RateLimitOptions): Middleware {
  const make = o.limiters ?? memoryLimiters;
  const client = make("client", o.limits.client);
  const tools = new Map<string, RateLimiterAbstract>();
  const toolLimiter = (tool: string) => {
    let l = tools.get(tool);
    if (!l) {
      l = make(`tool:${tool}`, o.limits.perTool[tool] ?? o.limits.tool);
      tools.set(tool, l);
    }
    return l;
  };

  return async (c, next) => {
    if (c.req.method !== "POST" || c.body === undefined) return next();
    const messages = (Array.isArray(c.body) ? c.body : [c.body]) as Message[];
    // Hashed: neither a subject nor an address is written to a shared store.
    const key = subjectKey(clientKey(c));
    const id = (messages.length === 1 &&
        (typeof messages[0]!.id === "string" || typeof messages[0]!.id === "number")
      ? messages[0]!.id
      : null) as JsonRpcId;
    for (const m of messages) {
      const tool = toolOf(m);
      const checks: [RateLimiterAbstract, string, string, number][] = [[
        client,
        key,
        "client",
        o.limits.client,
      ]];
      if (tool !== undefined) {
        checks.push([
          toolLimiter(tool),
          key,
          tool,
          o.limits.perTool[tool] ?? o.limits.tool,
        ]);
      }
      for (const [limiter, k, scope, points] of checks) {
        try {
          await limiter.consume(k, 1);
        } catch (err) {
          if (!(err instanceof RateLimiterRes)) throw err;
          o.onLimited?.(scope);
          const retry = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
          const what = scope === "client" ? "requests" : `${scope} calls`;
          return jsonRpcError(
            429,
            -32000,
            `Too Many Requests: at most ${points} ${what} per minute; retry after ${retry} s`,
            {
              id,
              headers: { "retry-after": String(retry) },
            },
          );
        }
      }
    }
    return next();
  };
}
