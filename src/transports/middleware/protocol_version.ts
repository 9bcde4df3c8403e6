/**
 * MCP-Protocol-Version: a request naming a version this server does not speak is
 * refused with 400 before anything runs. Absent, it passes (a 2025 client before or
 * without negotiation; a 2026-07-28 request without it is refused by the SDK, which
 * reads the version from the body's `_meta`).
 */
import { SUPPORTED_PROTOCOL_VERSIONS } from "../../sdk.ts";
import { jsonRpcError } from "../http_responses.ts";
import type { Middleware } from "./types.ts";

/** The stateless revision, served first; then the 2025-era revisions a client may negotiate with `initialize`. */
export const MODERN_PROTOCOL_VERSION = "2026-07-28";
export const SERVED_PROTOCOL_VERSIONS: readonly string[] = [MODERN_PROTOCOL_VERSION, ...SUPPORTED_PROTOCOL_VERSIONS];

export function protocolVersion(supported: readonly string[]): Middleware {
  return (c, next) => {
    const v = c.req.headers.get("mcp-protocol-version");
    if (v !== null && !supported.includes(v.trim())) {
      const shown = JSON.stringify(v.slice(0, 40));
      return Promise.resolve(
        jsonRpcError(400, -32000, `Bad Request: unsupported MCP-Protocol-Version ${shown} (supported: ${supported.join(", ")})`),
      );
    }
    return next();
  };
}
