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
