/**
 * Origin validation, as the MCP transport specification requires: a browser request
 * from a foreign origin (or the opaque origin "null") is refused with 403. Requests
 * without Origin (curl, SDK clients, servers) pass.
 */
import { jsonRpcError } from "../http_responses.ts";
import type { Middleware } from "./types.ts";

/**
 * True when the Origin header is absent or one of `allowed` (compared as URL origins).
 *
 * @example originAllowed("null", ["http://localhost:8000"]) // false
 */
export function originAllowed(origin: string | null, allowed: readonly string[]): boolean {
  if (origin === null) return true;
  let parsed: string;
  try {
    parsed = new URL(origin).origin;
  } catch {
    return false;
  }
  return parsed !== "null" && allowed.includes(parsed);
}

export function originCheck(allowed: readonly string[]): Middleware {
  return (c, next) => {
    if (!originAllowed(c.req.headers.get("origin"), allowed)) {
      return Promise.resolve(
        jsonRpcError(403, -32000, "Forbidden: requests from this Origin are not accepted"),
      );
    }
    return next();
  };
}
