/**
 * Linter slots shared by every replica: at most N linter runs at once across the
 * deployment, on top of each replica's own queue. A slot is a member of a Redis sorted
 * set scored by its expiry: taking one drops expired members and adds ours only while
 * fewer than N remain, in one script (atomic in Redis). A holder refreshes its slot; a
 * replica that dies frees its slots after LEASE_MS. While Redis is unreachable a call
 * takes no shared slot and runs under its replica's own bound, as without Redis.
 */
import { log } from "../observability/log.ts";
import { COMMAND_TIMEOUT_MS, type RedisClient, type SharedState } from "./shared.ts";

/** A slot's lifetime in Redis without a refresh (a crashed holder frees it after this). */
export const LEASE_MS = 30_000;
/** How often a holder refreshes its slot. */
export const REFRESH_MS = 10_000;
/** How often a waiting call asks again for a free slot. */
export const RETRY_MS = 100;

/**
 * KEYS[1] the slot set; ARGV: now (ms), lease (ms), limit, holder id.
 * Returns 1 when the holder has a slot (taken now or already held), else 0.
 */
const TAKE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[4]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[2]), ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;

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

/** `p`, or a rejection after COMMAND_TIMEOUT_MS: a stuck Redis never holds a call. */
function bounded<T>(p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("redis command timed out")), COMMAND_TIMEOUT_MS);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function take(redis: RedisClient, key: string, limit: number, id: string): Promise<boolean> {
  return bounded(
    redis.eval(TAKE, {
      keys: [key],
      arguments: [String(Date.now()), String(LEASE_MS), String(limit), id],
    }),
  ).then((r) => r === 1);
}

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
    const deadline = Date.now() + waitMs;
    const id = crypto.randomUUID();
    for (;;) {
      if (signal.aborted) throw signal.reason;
      if (state.status() !== "up") return undefined;
      let got: boolean;
      try {
        got = await take(redis, key, limit, id);
      } catch {
        // Redis failed now: this replica's own bound applies.
        return undefined;
      }
      if (got) break;
      if (Date.now() + RETRY_MS > deadline) throw new SlotsBusyError(limit);
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
    // Keep the slot while the run lasts; losing Redis meanwhile only ends the refreshes.
    const refresh = setInterval(() => {
      take(redis, key, limit, id).then((held) => {
        if (!held) logger.info("shared linter slot lost; the run goes on", { slots: name });
      }, () => {});
    }, REFRESH_MS);
    return {
      async release() {
        clearInterval(refresh);
        try {
          await bounded(redis.zRem(key, id));
        } catch {
          // Unreachable Redis: the slot expires by itself after LEASE_MS.
        }
      },
    };
  };
}
