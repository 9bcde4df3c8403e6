/**
 * DNS rebinding protection: the Host header must name this server. A page on
 * evil.example that rebinds its name to 127.0.0.1 still sends "Host: evil.example".
 */
import { jsonRpcError } from "../http_responses.ts";
import type { Middleware } from "./types.ts";

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

export function hostCheck(allowed: readonly string[]): Middleware {
  return (c, next) => {
    const host = c.req.headers.get("host") ?? c.url.host;
    if (!hostAllowed(host, allowed)) {
      return Promise.resolve(jsonRpcError(403, -32000, "Forbidden: the Host header does not name this server"));
    }
    return next();
  };
}
