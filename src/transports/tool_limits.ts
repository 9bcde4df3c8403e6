/**
 * What bounds a tool call over HTTP, as createServer's `around` hook: run_linter waits
 * for one of a few linter slots (p-queue; a full queue is refused at once), and every
 * call, queueing included, gets a time bound that aborts it (the sandbox then kills
 * the linter or drops the fetch). With shared state (Redis), a queued call also takes one of
 * the deployment's linter slots, so N replicas run at most the configured number at once in
 * total. Linter durations feed the metrics.
 */
import PQueue from "p-queue";
import { type AcquireSlot, localSlots, SlotsBusyError } from "../state/slots.ts";
import type { ToolAround } from "../server.ts";
import { type ToolContext, toolError, ToolTimeoutError } from "../tools/types.ts";
import type { CallToolResult } from "../sdk.ts";

/** Tools that start a linter process and so take a slot (review_changes lints the changed files). */
const QUEUED_TOOLS = new Set(["run_linter", "review_changes"]);

export interface ToolLimitsOptions {
  maxConcurrentLinters: number;
  /** Most calls waiting for a slot; more are refused with a busy message. */
  maxQueued: number;
  timeoutMs: number;
  onLinterRun?: (linter: string, seconds: number) => void;
  /** The deployment-wide slot a queued call takes as well (default: none, this replica only). */
  acquireSlot?: AcquireSlot;
}

export interface ToolLimits {
  around: ToolAround;
  /**
   * Cancels every call now running or waiting (shutdown past its bound), so each
   * still answers its client ("Cancelled") before the connections close.
   */
  cancelAll(): void;
  /** For the metrics gauge. */
  queue(): { running: number; waiting: number };
}

export function toolLimits(o: ToolLimitsOptions): ToolLimits {
  const slots = new PQueue({ concurrency: o.maxConcurrentLinters });
  const shutdown = new AbortController();
  const acquireSlot = o.acquireSlot ?? localSlots;
  const remaining = (deadline: number) => Math.max(0, deadline - Date.now());
  /** Runs `next` holding a shared slot too (when there is one to take). */
  const withSharedSlot = async (
    tool: string,
    signal: AbortSignal,
    deadline: number,
    run: () => Promise<CallToolResult>,
  ): Promise<CallToolResult> => {
    let lease;
    try {
      lease = await acquireSlot(signal, remaining(deadline));
    } catch (err) {
      if (err instanceof SlotsBusyError) {
        return toolError(
          `Cannot run ${tool} now: the server is busy (${err.message}); try again shortly`,
        );
      }
      throw err;
    }
    try {
      return await run();
    } finally {
      await lease?.release();
    }
  };

  const around: ToolAround = async (tool, ctx, next) => {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new ToolTimeoutError(o.timeoutMs)), o.timeoutMs);
    const ours = AbortSignal.any([timeout.signal, shutdown.signal]);
    const signal = AbortSignal.any([ctx.signal, ours]);
    const bounded: ToolContext = { ...ctx, signal };
    try {
      let work: Promise<CallToolResult>;
      if (QUEUED_TOOLS.has(tool)) {
        if (slots.size >= o.maxQueued) {
          return toolError(
            `Cannot run ${tool} now: the server is busy (${slots.size} linter runs waiting); try again shortly`,
          );
        }
        const deadline = Date.now() + o.timeoutMs;
        work = slots.add(
          () => withSharedSlot(tool, signal, deadline, () => next(bounded)),
          { signal },
        ) as Promise<CallToolResult>;
      } else {
        work = next(bounded);
      }
      // A handler that ignores its signal still ends the wait at the bound.
      work.catch(() => {});
      const result = await raceAbort(work, ours);
      observeLinter(tool, result, o.onLinterRun);
      return result;
    } catch (err) {
      if (!ctx.signal.aborted && timeout.signal.aborted) throw new ToolTimeoutError(o.timeoutMs);
      if (!ctx.signal.aborted && shutdown.signal.aborted) {
        throw new DOMException("the server is shutting down", "AbortError");
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    around,
    cancelAll: () => shutdown.abort(new DOMException("the server is shutting down", "AbortError")),
    queue: () => ({ running: slots.pending, waiting: slots.size }),
  };
}

function observeLinter(
  tool: string,
  result: CallToolResult,
  onRun: ToolLimitsOptions["onLinterRun"],
): void {
  if (tool !== "run_linter" || result.isError || onRun === undefined) return;
  const sc = result.structuredContent as { linter?: unknown; duration_ms?: unknown } | undefined;
  if (typeof sc?.linter === "string" && typeof sc.duration_ms === "number") {
    onRun(sc.linter, sc.duration_ms / 1000);
  }
}

/** Resolves like `p`, or rejects with the signal's reason as soon as it aborts. */
function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
