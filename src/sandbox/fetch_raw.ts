/**
 * The network effect behind fetch_github_file, run inside the sandbox worker. It
 * makes exactly one GET to a URL the main side already validated, never follows a
 * redirect, and never holds more than maxBytes plus one chunk of body in memory.
 */
import type { FetchRawRequest, FetchRawResult } from "./protocol.ts";
import { concatBytes } from "../bytes.ts";

/**
 * Start of every timeout message. Errors crossing postMessage keep their message
 * but not a custom class or name, so the message is what isFetchTimeout() checks.
 */
export const FETCH_TIMEOUT_PREFIX = "fetchRaw timed out";

/** Thrown by fetchRaw() when the request (headers and body) outlives timeoutMs. */
export class FetchTimeoutError extends Error {
  override name = "TimeoutError";
  readonly timeoutMs: number;
  constructor(timeoutMs: number, url: string) {
    super(`${FETCH_TIMEOUT_PREFIX} after ${timeoutMs} ms: ${url}`);
    this.timeoutMs = timeoutMs;
  }
}

/** True for a FetchTimeoutError, including one that lost its class crossing a worker boundary. */
export function isFetchTimeout(error: unknown): boolean {
  if (error instanceof FetchTimeoutError) return true;
  if (typeof error !== "object" || error === null) return false;
  const message = (error as { message?: unknown }).message;
  // includes, not startsWith: a transport may prefix the message it forwards.
  return typeof message === "string" && message.includes(FETCH_TIMEOUT_PREFIX);
}

/**
 * GETs `req.url` once with `redirect: "manual"`. The body is read only for a 2xx
 * answer, streamed and cancelled as soon as it exceeds maxBytes (tooLarge, body ""),
 * and decoded as strict UTF-8 (binary when invalid or containing NUL, body "").
 * Throws FetchTimeoutError on timeout, the caller's abort reason when it aborts,
 * and fetch's own error on network failure.
 *
 * @example
 * await fetchRaw({ op: "fetchRaw", url: "https://raw.githubusercontent.com/o/r/main/a.md",
 *   headers: { "User-Agent": "code-review-mcp" }, timeoutMs: 15000, maxBytes: 5 << 20 })
 * // { status: 200, etag: "\"abc\"", location: null, body: "...", tooLarge: false, binary: false }
 */
export async function fetchRaw(
  req: FetchRawRequest,
  signal?: AbortSignal,
): Promise<FetchRawResult> {
  signal?.throwIfAborted();
  const timeout = new AbortController();
  const timer = setTimeout(
    () => timeout.abort(new FetchTimeoutError(req.timeoutMs, req.url)),
    Math.max(0, req.timeoutMs),
  );
  const combined = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal;
  try {
    const response = await fetch(req.url, {
      method: "GET",
      headers: req.headers,
      redirect: "manual",
      signal: combined,
    });
    const result: FetchRawResult = {
      status: response.status,
      etag: response.headers.get("etag"),
      location: response.headers.get("location"),
      body: "",
      tooLarge: false,
      binary: false,
    };
    if (response.status < 200 || response.status > 299 || response.body === null) {
      await response.body?.cancel();
      return result;
    }
    const declared = Number(response.headers.get("content-length") ?? NaN);
    if (Number.isFinite(declared) && declared > req.maxBytes) {
      await response.body.cancel();
      return { ...result, tooLarge: true };
    }
    const bytes = await readCapped(response.body, req.maxBytes);
    if (bytes === null) return { ...result, tooLarge: true };
    const text = decodeText(bytes);
    if (text === null) return { ...result, binary: true };
    return { ...result, body: text };
  } catch (error) {
    if (timeout.signal.aborted && !signal?.aborted) throw timeout.signal.reason;
    if (signal?.aborted) throw signal.reason;
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** Reads a stream into one buffer, or returns null (after cancelling it) once it exceeds maxBytes. */
async function readCapped(
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
): Promise<Uint8Array | null> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        chunks.length = 0;
        await reader.cancel();
        return null;
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return concatBytes(chunks, total);
}

/** Strict UTF-8, or null for anything that is not text (invalid sequences or a NUL byte). */
function decodeText(bytes: Uint8Array): string | null {
  if (bytes.includes(0)) return null;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}
