/**
 * Mcp-Method (MCP 2026-07-28): the header names the JSON-RPC method of the body, so
 * proxies and rate limits can route on it without parsing. A header that disagrees
 * with the body is refused with 400 and JSON-RPC -32020 (HeaderMismatch), as the
 * specification requires; runs after jsonBody, so the body is parsed once.
 */
import { jsonRpcError, type JsonRpcId } from "../http_responses.ts";
import type { Middleware } from "./types.ts";

/** The specification's HeaderMismatch error code. */
export const HEADER_MISMATCH = -32020;

function methodAndId(body: unknown): { method?: unknown; id?: unknown } {
  return typeof body === "object" && body !== null && !Array.isArray(body)
    ? body as { method?: unknown; id?: unknown }
    : {};
}

export function mcpMethodHeader(): Middleware {
  return (c, next) => {
    const header = c.req.headers.get("mcp-method");
    if (header === null || c.req.method !== "POST") return next();
    const { method, id } = methodAndId(c.body);
    const named = header.trim();
    if (typeof method === "string" && method !== named) {
      const echo: JsonRpcId = typeof id === "string" || typeof id === "number" ? id : null;
      return Promise.resolve(jsonRpcError(
        400,
        HEADER_MISMATCH,
        `Header mismatch: the Mcp-Method header names ${
          JSON.stringify(named.slice(0, 60))
        } but the body's method is ${JSON.stringify(method.slice(0, 60))}`,
        { id: echo },
      ));
    }
    return next();
  };
}
