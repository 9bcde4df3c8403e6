/**
 * MCP-Protocol-Version: a request naming a version this server does not speak is
 * refused with 400 before anything runs. Absent, it passes (the negotiated or default
 * version applies, as the specification says).
 */
import { jsonRpcError } from "../http_responses.ts";
import type { Middleware } from "./types.ts";

export function protocolVersion(supported: readonly string[]): Middleware {
  return (c, next) => {
    const v = c.req.headers.get("mcp-protocol-version");
    if (v !== null && !supported.includes(v)) {
      const shown = JSON.stringify(v.slice(0, 40));
      return Promise.resolve(
        jsonRpcError(400, -32000, `Bad Request: unsupported MCP-Protocol-Version ${shown} (supported: ${supported.join(", ")})`),
      );
    }
    return next();
  };
}
