/**
 * The one result shape for operations that fail in a way the caller handles (a bad flag, a path
 * outside the root): no exceptions across module boundaries for expected failures, and one
 * shape everywhere, so `if (!r.ok) return r;` passes a failure up unchanged.
 */

/** Success with a value, or failure with an error (a one-line message unless E says otherwise). */
export type Result<T, E = string> = { ok: true; value: T } | { ok: false; error: E };

/** A success. */
export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

/** A failure. */
export function err<E = string>(error: E): { ok: false; error: E } {
  return { ok: false, error };
}

/**
 * The value of a success; a failure's error otherwise thrown (for callers where a failure is a bug).
 *
 * @example unwrap(ok(3)) // 3
 */
export function unwrap<T, E>(r: Result<T, E>): T {
  if (r.ok) return r.value;
  throw r.error instanceof Error ? r.error : new Error(String(r.error));
}
