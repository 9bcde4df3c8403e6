/**
 * The POST body: JSON only (415 otherwise), within BODY_TIMEOUT_MS (408), at most
 * maxBytes (413, before reading when Content-Length says so, else as soon as the
 * stream passes the bound), parsed once here (400 with JSON-RPC -32700 for anything
 * that is not JSON, -32600 for JSON that cannot be a message or a batch of MAX_BATCH).
 */
import { jsonRpcError } from "../http_responses.ts";
import type { Middleware } from "./types.ts";
import { concatBytes } from "../../bytes.ts";

/** Most messages in one batch (the SDK's own bound), checked before rate limits count them. */
export const MAX_BATCH = 100;

/** A client that trickles its body slower than this is cut off (408), so it cannot hold a request open. */
export const BODY_TIMEOUT_MS = 30_000;

class BodyTimeout extends Error {}

/** True for application/json with any parameters. */
export function isJsonMediaType(value: string | null): boolean {
  if (value === null) return false;
  return value.split(";")[0]!.trim().toLowerCase() === "application/json";
}

/** Reads a body up to maxBytes within timeoutMs; null when it is larger; throws BodyTimeout when too slow. */
export async function readLimited(
  req: Request,
  maxBytes: number,
  timeoutMs = BODY_TIMEOUT_MS,
): Promise<Uint8Array | null> {
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) return null;
  if (req.body === null) return new Uint8Array();
  const reader = req.body.getReader();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    reader.cancel().catch(() => {});
  }, timeoutMs);
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (timedOut) throw new BodyTimeout();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        return null;
      }
      chunks.push(value);
    }
  } catch (err) {
    throw timedOut ? new BodyTimeout() : err;
  } finally {
    clearTimeout(timer);
  }
  return concatBytes(chunks, size);
}

export function jsonBody(maxBytes: number, timeoutMs = BODY_TIMEOUT_MS): Middleware {
  return async (c, next) => {
    if (c.req.method !== "POST") return next();
    if (!isJsonMediaType(c.req.headers.get("content-type"))) {
      return jsonRpcError(
        415,
        -32000,
        "Unsupported Media Type: Content-Type must be application/json",
      );
    }
    let bytes: Uint8Array | null;
    try {
      bytes = await readLimited(c.req, maxBytes, timeoutMs);
    } catch (err) {
      if (err instanceof BodyTimeout) {
        return jsonRpcError(
          408,
          -32000,
          `Request Timeout: the body did not arrive within ${timeoutMs / 1000} s`,
          { headers: { connection: "close" } },
        );
      }
      return jsonRpcError(400, -32700, "Parse error: the request body could not be read");
    }
    if (bytes === null) {
      // The rest of the body is never read: the connection cannot carry another request.
      return jsonRpcError(
        413,
        -32000,
        `Payload Too Large: the body must not exceed ${maxBytes} bytes`,
        { headers: { connection: "close" } },
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    } catch {
      return jsonRpcError(400, -32700, "Parse error: the body is not valid JSON");
    }
    if (Array.isArray(parsed) && (parsed.length === 0 || parsed.length > MAX_BATCH)) {
      return jsonRpcError(400, -32600, `Invalid Request: a batch holds 1 to ${MAX_BATCH} messages`);
    }
    if (typeof parsed !== "object" || parsed === null) {
      return jsonRpcError(
        400,
        -32600,
        "Invalid Request: expected a JSON-RPC message or a batch of them",
      );
    }
    c.body = parsed;
    return next();
  };
}
