/**
 * The one result shape for operations that fail in a way the caller handles (a bad flag, a path
 * outside the root, a file that is binary): no exceptions across module boundaries for expected
 * failures, and one shape everywhere, so `if (!r.ok) return r;` passes a failure up unchanged.
 *
 * A success carries everything in `value` (an object when there are several things: `ok({ url,
 * key })`); a failure carries `reason`, a one-line message unless E says otherwise (a closed set
 * of words, or an object when the caller needs more than a message); a failure that needs fields
 * beside its reason (a kind, a host) is a ResultWith. `reason` is also the word the sandbox
 * protocol uses, so a worker's answer is a Result as it crosses the wire. `Outcome` (sandbox) and
 * `Decision` (policy/paths) are other names for Result, kept for their importers.
 *
 * Not results: the worker protocol's exception transport (`error: {name, message, stack}` in
 * src/sandbox/protocol.ts), which carries a thrown error. tests/unit/result_test.ts fails when
 * src/ writes a new ad-hoc `{ ok: false, error: ... }` or `{ ok: true, <not value> ... }` shape.
 */

/** Success with a value, or failure with a reason (a one-line message unless E says otherwise). */
export type Result<T, E = string> = { ok: true; value: T } | { ok: false; reason: E };

/**
 * A Result whose failure also carries the fields X beside its reason (a failure's kind, the host a
 * redirect went to): the one sanctioned extension, so callers still test `ok` and read `reason`.
 */
export type ResultWith<T, X extends object, E = string> =
  | { ok: true; value: T }
  | ({ ok: false; reason: E } & X);

/** A success. */
/** The success side of a result type (a value known to be ok). */
export type Succeeded<R> = Extract<R, { ok: true; value: unknown }>;

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

/** A failure. */
export function fail<E = string>(reason: E): { ok: false; reason: E } {
  return { ok: false, reason };
}

/** @deprecated The old name of fail(), kept so that branches written before the rename compile. */
export const err = fail;

/**
 * The value of a success; a failure's reason otherwise thrown (for callers where a failure is a bug).
 *
 * @example unwrap(ok(3)) // 3
 */
export function unwrap<T, E>(r: Result<T, E>): T {
  if (r.ok) return r.value;
  throw r.reason instanceof Error ? r.reason : new Error(String(r.reason));
}
