/**
 * Linter slots shared by every replica: at most N linter runs at once across the
 * deployment (a Redis semaphore, redis-semaphore), on top of each replica's own queue.
 * A slot held by a replica that dies expires after LEASE_MS; a live holder refreshes it.
 * While Redis is unreachable a call takes no shared slot and runs under its replica's
 * own bound, as without Redis: the server never waits on, or fails because of, Redis.
 */
import { Semaphore } from "redis-semaphore";
import { log } from "../observability/log.ts";
import type { SharedState } from "./shared.ts";

/** A slot's lifetime in Redis without a refresh (a crashed holder frees it after this). */
export const LEASE_MS = 30_000;
/** How often a holder refreshes its slot. */
export const REFRESH_MS = 10_000;
/** How often a waiting call asks again for a free slot. */
export const RETRY_MS = 100;

/** A slot taken; release() gives it back (never throws). */
export interface SlotLease {
  release(): Promise<void>;
}

/** Waits for a shared slot until `signal` aborts or `waitMs` passes. */
export type AcquireSlot = (signal: AbortSignal, waitMs: number) => Promise<SlotLease | undefined>;

/** Raised when every shared slot stayed taken for the whole wait. */
export class SlotsBusyError extends Error {
  constructor(readonly limit: number) {
    super(`all ${limit} linter slots of the deployment are busy`);
    this.name = "SlotsBusyError";
  }
}

/** No sharing: the replica's own queue is the only bound. */
export const localSlots: AcquireSlot = () => Promise.resolve(undefined);

/**
 * Shared slots under `<prefix>slots:<name>`. Resolves to a lease, or to undefined when Redis
 * is not usable now (per-replica fallback); rejects with SlotsBusyError when the wait ran
 * out, or with the signal's reason when the call was cancelled.
 */
export function sharedSlots(state: SharedState, name: string, limit: number): AcquireSlot {
  const redis = state.redis;
  if (redis === undefined) return localSlots;
  const logger = log("state");
  const key = `${state.prefix}slots:${name}`;
  return async (signal, waitMs) => {
    if (state.status() !== "up") return undefined;
    const sem = new Semaphore(redis, key, limit, {
      lockTimeout: LEASE_MS,
      acquireTimeout: Math.max(waitMs, 1),
      retryInterval: RETRY_MS,
      refreshInterval: REFRESH_MS,
      // Losing the slot (Redis gone mid-run) must not throw: the run goes on, bounded locally.
      onLockLost: () => logger.info("shared linter slot lost; the run goes on", { slots: name }),
    });
    try {
      await sem.acquire(signal);
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      if (state.status() === "up" && isTimeout(err)) throw new SlotsBusyError(limit);
      // Redis failed while we waited: fall back to this replica's own bound.
      return undefined;
    }
    return {
      async release() {
        try {
          await sem.release();
        } catch {
          // Unreachable Redis: the lease expires by itself after LEASE_MS.
          sem.stopRefresh();
        }
      },
    };
  };
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && /timeout|acquire/i.test(`${err.name} ${err.message}`);
}
