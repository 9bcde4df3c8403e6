/**
 * Cursors for paged answers. A cursor is opaque to the model: base64url of the tool's name,
 * a hash of the call's other arguments and the tool's own state (e.g. an offset). A cursor
 * from another tool or from a call with other arguments is refused with a clear reason, so
 * a page can never be stitched onto the wrong listing. Cursors are not signed: the state is
 * only a position that every tool checks again (a forged offset reads what the tool may
 * read anyway), and unsigned cursors survive a restart and work across stateless replicas.
 */
// @noble/hashes rather than node:crypto, which costs some 10 ms of every start-up (measured).
import { sha256 } from "@noble/hashes/sha2.js";
import { utf8ToBytes } from "@noble/hashes/utils.js";
import type { Result } from "../result.ts";

const VERSION = 1;
/** Longest cursor accepted, so a hostile argument cannot make us parse megabytes. */
export const MAX_CURSOR_LENGTH = 2048;

/**
 * A stable short hash of a call's arguments without `cursor` (key order does not matter;
 * undefined values count as absent).
 *
 * @example queryKey({ path: "src", cursor: "x" }) === queryKey({ path: "src" })
 */
export function queryKey(args: Record<string, unknown>): string {
  const { cursor: _cursor, ...rest } = args;
  return base64url(sha256(utf8ToBytes(stableJson(rest)))).slice(0, 16);
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(
    /=+$/,
    "",
  );
}

/** JSON with object keys sorted at every depth and undefined members left out. */
export function stableJson(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v)) {
    return `[${v.map((x) => (x === undefined ? "null" : stableJson(x))).join(",")}]`;
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(",")}}`;
}

/**
 * An opaque cursor for `tool` called with arguments hashed to `key`, carrying `state`.
 *
 * @example encodeCursor("list_directory", queryKey(args), { offset: 1000 })
 */
export function encodeCursor(tool: string, key: string, state: Record<string, unknown>): string {
  const json = JSON.stringify({ v: VERSION, t: tool, k: key, s: state });
  return btoa(String.fromCharCode(...new TextEncoder().encode(json)))
    .replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export type DecodedCursor = Result<Record<string, unknown>>;

/**
 * Reads a cursor made by encodeCursor for the same tool and the same other arguments.
 *
 * @example decodeCursor("read_file", key, cursorFromListDirectory)
 * // { ok: false, reason: "the cursor belongs to list_directory, not read_file" }
 */
export function decodeCursor(tool: string, key: string, cursor: string): DecodedCursor {
  const garbled: DecodedCursor = {
    ok: false,
    reason: "the cursor is not one this server gave out (pass it back unchanged)",
  };
  if (typeof cursor !== "string" || cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH) {
    return garbled;
  }
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return garbled;
  let parsed: unknown;
  try {
    const b64 = cursor.replaceAll("-", "+").replaceAll("_", "/");
    const bin = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
    const bytes = Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    return garbled;
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return garbled;
  const c = parsed as { v?: unknown; t?: unknown; k?: unknown; s?: unknown };
  if (c.v !== VERSION || typeof c.t !== "string" || typeof c.k !== "string") return garbled;
  if (c.s === null || typeof c.s !== "object" || Array.isArray(c.s)) return garbled;
  if (c.t !== tool) return { ok: false, reason: `the cursor belongs to ${c.t}, not ${tool}` };
  if (c.k !== key) {
    return {
      ok: false,
      reason:
        "the cursor was given for a call with other arguments: repeat the same arguments with it, or drop it to start over",
    };
  }
  return { ok: true, value: c.s as Record<string, unknown> };
}

/**
 * The position a decoded cursor carries in `field`: a non-negative safe integer, or 0 (start over)
 * when it is missing or malformed.
 *
 * @example cursorPosition({ offset: 40 }, "offset") === 40; cursorPosition({ offset: -1 }, "offset") === 0
 */
export function cursorPosition(state: Record<string, unknown>, field: string): number {
  const v = state[field];
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? v : 0;
}
