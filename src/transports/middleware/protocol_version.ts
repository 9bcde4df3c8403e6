/**
 * MCP-Protocol-Version: a 2025-era request naming a version this server does not speak
 * is refused with 400 before MCP runs (absent, it passes: the negotiated or default
 * version applies). A 2026-07-28 request (its body's `_meta` names its version) is left
 * to the SDK, which answers an unknown version with UnsupportedProtocolVersionError
 * (-32022, the versions it supports in `data`) and a header that disagrees with the body
 * with -32020. Runs after jsonBody, so every refusal echoes the request's id.
 */
import { SUPPORTED_PROTOCOL_VERSIONS } from "../../sdk.ts";
import { jsonRpcError, type JsonRpcId } from "../http_responses.ts";
import type { Middleware } from "./types.ts";

/** The stateless revision, served first; then the 2025-era revisions a client may negotiate with `initialize`. */
export const MODERN_PROTOCOL_VERSION = "2026-07-28";
export const SERVED_PROTOCOL_VERSIONS: readonly string[] = [
  MODERN_PROTOCOL_VERSION,
  ...SUPPORTED_PROTOCOL_VERSIONS,
];

const ENVELOPE_VERSION_KEY = "io.modelcontextprotocol/protocolVersion";

function fields(body: unknown): { id: JsonRpcId; modern: boolean } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { id: null, modern: false };
  }
  const m = body as { id?: unknown; params?: { _meta?: Record<string, unknown> } };
  const id = typeof m.id === "string" || typeof m.id === "number" ? m.id : null;
  return { id, modern: m.params?._meta?.[ENVELOPE_VERSION_KEY] !== undefined };
}

export function protocolVersion(supported: readonly string[]): Middleware {
  return (c, next) => {
    const v = c.req.headers.get("mcp-protocol-version");
    if (v === null || supported.includes(v.trim())) return next();
    const { id, modern } = fields(c.body);
    if (modern) return next();
    const shown = JSON.stringify(v.slice(0, 40));
    return Promise.resolve(
      jsonRpcError(
        400,
        -32000,
        `Bad Request: unsupported MCP-Protocol-Version ${shown} (supported: ${
          supported.join(", ")
        })`,
        { id },
      ),
    );
  };
}
