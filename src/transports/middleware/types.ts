/**
 * Middleware as small named factories (after Hono): each takes its options and
 * returns (context, next) => Response. compose() chains them; each one is tested
 * in process with a plain Request.
 */
import type { Principal } from "../../auth/types.ts";

/** Per-request state the middleware share. */
export interface HttpContext {
  readonly req: Request;
  readonly url: URL;
  /** The peer's address (the proxy's, behind one). */
  readonly remoteAddr: string;
  /** performance.now() when the request arrived. */
  readonly started: number;
  /** Correlates log lines; honours a well-formed incoming X-Request-Id. */
  requestId: string;
  /** Label for metrics: a fixed set of routes, never the raw path. */
  route: string;
  /** Set by bearerAuth when authentication is configured and passed. */
  principal?: Principal;
  /** The parsed JSON body of a POST, set by jsonBody. */
  body?: unknown;
}

export type Next = () => Promise<Response>;
export type Middleware = (c: HttpContext, next: Next) => Promise<Response>;
export type Handler = (c: HttpContext) => Promise<Response>;

/** Runs the middleware in order around the handler. */
export function compose(middleware: readonly Middleware[], handler: Handler): Handler {
  return (c) => {
    const run = (i: number): Promise<Response> => {
      const mw = middleware[i];
      return mw === undefined ? handler(c) : mw(c, () => run(i + 1));
    };
    return run(0);
  };
}

/** Stands for the host of a request whose URL cannot be parsed (a malformed Host header). */
export const UNPARSABLE_HOST_URL = "http://host.invalid";

/**
 * The request's URL. A server that builds it from a malformed Host header (as Deno.serve did)
 * hands over a string no URL parser accepts: then the path alone is kept, under
 * UNPARSABLE_HOST_URL, so a hostile Host can neither throw here nor change the route.
 */
export function requestUrl(raw: string): URL {
  try {
    return new URL(raw);
  } catch {
    const path = raw.match(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*(\/[^#]*)?/)?.[1] ?? "/";
    try {
      // Concatenated, not resolved: "//evil.example/x" stays a path.
      return new URL(UNPARSABLE_HOST_URL + path);
    } catch {
      return new URL("/", UNPARSABLE_HOST_URL);
    }
  }
}

/** A context for a request, as the HTTP app and tests build it. */
export function newContext(req: Request, remoteAddr: string, route = "other"): HttpContext {
  return {
    req,
    url: requestUrl(req.url),
    remoteAddr,
    started: performance.now(),
    requestId: "",
    route,
  };
}
