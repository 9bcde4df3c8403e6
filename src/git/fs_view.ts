/**
 * The bounds of one git operation: its cancellation signal, deadline, call count and
 * inflation cap. Every read in src/git/ checks them (checkBudget), so a walk over a hostile or
 * huge repository stops with a reason instead of running on.
 */
import { GitLimitError } from "./errors.ts";

/** Bounds on one git operation: a thrown GitLimitError ends it with a clear reason. */
export interface GitBudget {
  signal: AbortSignal;
  /** performance.now() after which every call fails. */
  deadline: number;
  /** Most file system calls and object reads in one operation. */
  maxCalls: number;
  /** Largest inflated object (bytes). */
  maxObjectBytes: number;
  calls: number;
  /** performance.now() when the operation last let the event loop turn (see breathe). */
  lastBreath?: number;
}

export { GitLimitError };

export function makeBudget(
  signal: AbortSignal,
  o: Partial<Omit<GitBudget, "signal" | "calls" | "lastBreath">> = {},
): GitBudget {
  return {
    signal,
    deadline: o.deadline ?? performance.now() + 60_000,
    maxCalls: o.maxCalls ?? 2_000_000,
    maxObjectBytes: o.maxObjectBytes ?? 32 * 1024 * 1024,
    calls: 0,
  };
}

/** Throws when the operation was cancelled, ran out of time or made too many calls. */
export function checkBudget(b: GitBudget): void {
  if (b.signal.aborted) throw new DOMException("cancelled", "AbortError");
  if (++b.calls > b.maxCalls) {
    throw new GitLimitError(`the repository walk stopped after ${b.maxCalls} file system calls`);
  }
  if ((b.calls & 63) === 0 && performance.now() > b.deadline) {
    throw new GitLimitError("the repository walk ran out of time");
  }
}

/**
 * Lets the worker's event loop turn (at most every 50 ms of work), so a cancellation sent while
 * a long synchronous walk runs is received; then stops if it was.
 */
export async function breathe(b: GitBudget): Promise<void> {
  const now = performance.now();
  if (now - (b.lastBreath ??= now) < 50) return;
  await new Promise((resolve) => setTimeout(resolve, 0));
  b.lastBreath = performance.now();
  if (b.signal.aborted) throw new DOMException("cancelled", "AbortError");
}

/**
 * A file's bytes, read into one buffer of the size the open file reports (Deno.readFileSync
 * grows its buffer as it reads: some 15 ms a megabyte, 90 ms for a 5.6 MB pack index). Null when
 * the opened file is not a regular file or not the one `expectIno` names (swapped since its lstat).
 */
export function readWholeFile(abs: string, expectIno?: number | null): Uint8Array | null {
  const file = Deno.openSync(abs, { read: true });
  try {
    const st = file.statSync();
    if (!st.isFile || (expectIno != null && st.ino != null && st.ino !== expectIno)) return null;
    const buf = new Uint8Array(st.size);
    let filled = 0;
    while (filled < buf.length) {
      const n = file.readSync(buf.subarray(filled));
      if (n === null) break;
      filled += n;
    }
    return filled === buf.length ? buf : buf.subarray(0, filled);
  } finally {
    file.close();
  }
}

/**
 * The last `n` bytes of a regular file (a git index's checksum), or null when it is shorter, not
 * a regular file, or not the one `expectIno` names.
 */
export function readFileTail(abs: string, n: number, expectIno?: number | null): Uint8Array | null {
  const file = Deno.openSync(abs, { read: true });
  try {
    const st = file.statSync();
    if (!st.isFile || (expectIno != null && st.ino != null && st.ino !== expectIno)) return null;
    if (st.size < n) return null;
    file.seekSync(st.size - n, Deno.SeekMode.Start);
    const buf = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const got = file.readSync(buf.subarray(filled));
      if (got === null) return null;
      filled += got;
    }
    return buf;
  } finally {
    file.close();
  }
}
