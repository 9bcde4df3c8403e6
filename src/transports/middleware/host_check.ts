/**
 * DNS rebinding protection: the Host header must name this server. A page on
 * evil.example that rebinds its name to 127.0.0.1 still sends "Host: evil.example".
 */
import { jsonRpcError } from "../http_responses.ts";
import type { Middleware } from "./types.ts";

/**
 * A Host value as RFC 9110 allows it and a URL can hold: a DNS name or IPv4 address
 * (letters, digits, ".", "-", "_"), or an IPv6 literal in brackets, then optionally ":"
 * and a port of at most 65535. Anything else cannot name any server.
 *
 * @example hostSyntaxValid("[::1]evil.example:8000") // false
 * @example hostSyntaxValid("localhost:99999") // false
 */
export function hostSyntaxValid(value: string): boolean {
  if (value.length === 0 || value.length > 260) return false;
  const m = value.match(
    /^(?:\[[0-9A-Fa-f:.]{2,45}\]|[A-Za-z0-9_](?:[A-Za-z0-9._-]{0,252}))(?::(\d{0,5}))?$/,
  );
  if (m === null) return false;
  return m[1] === undefined || m[1] === "" || Number(m[1]) <= 65535;
}

/** Splits "name:port", "[::1]:port" or "name" into a lower-case host and a port (or ""). */
export function splitHost(value: string): { host: string; port: string } {
  const v = value.trim().toLowerCase();
  const m = v.match(/^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/);
  return m ? { host: m[1]!, port: m[2] ?? "" } : { host: v, port: "" };
}

/**
 * True when `hostHeader` matches an entry: "name" matches any port, "name:port" only that port, "*" anything.
 *
 * @example hostAllowed("localhost:8000", ["localhost"]) // true
 * @example hostAllowed("evil.example:8000", ["localhost"]) // false
 */
export function hostAllowed(hostHeader: string, allowed: readonly string[]): boolean {
  if (allowed.includes("*")) return true;
  const { host, port } = splitHost(hostHeader);
  if (host === "") return false;
  return allowed.some((entry) => {
    const e = splitHost(entry);
    return e.host === host && (e.port === "" || e.port === port);
  });
}

/**
 * RFC 9112 section 3.2: a Host header that is not a valid host[:port] (or several of them)
 * is 400, on every route, before anything reads the request's URL.
 */
export function hostSyntax(): Middleware {
  return (c, next) => {
    const host = c.req.headers.get("host");
    if (host !== null && !hostSyntaxValid(host)) {
      return Promise.resolve(
        jsonRpcError(400, -32000, "Bad Request: the Host header is not a valid host[:port]"),
      );
    }
    return next();
  };
}

export function hostCheck(allowed: readonly string[]): Middleware {
  return (c, next) => {
    const host = c.req.headers.get("host") ?? c.url.host;
    if (!hostAllowed(host, allowed)) {
      return Promise.resolve(
        jsonRpcError(403, -32000, "Forbidden: the Host header does not name this server"),
      );
    }
    return next();
  };
}
