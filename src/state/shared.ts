/**
 * State that HTTP replicas share through Redis or Valkey (`--redis-url`): rate limits and
 * linter slots. Optional; without it every replica keeps its own state in memory.
 *
 * Redis going away must never take the server down or hold a request: commands fail at
 * once while disconnected (no offline queue), a slot command is bounded by a short timeout,
 * the client reconnects by itself with a capped backoff, and the callers fall back to
 * per-replica state (the rate limiters' insurance limiter, local linter slots) until it
 * is back. Outages are logged once per interval, never with the URL's password.
 *
 * The client is node-redis (@redis/client): ioredis and redis-semaphore load the `debug`
 * package, whose Node build lists the whole environment at import, which the server's
 * narrowed --allow-env refuses (and should: the environment holds other programs' tokens).
 */
import { createClient } from "@redis/client";
import { log } from "../observability/log.ts";

/** Every key this server writes starts with this; deployments may add their own namespace. */
export const KEY_PREFIX = "code-review-mcp:";
/** Longest wait for one slot command before the caller falls back to its own bound. */
export const COMMAND_TIMEOUT_MS = 250;
/** Longest wait for a connection attempt. */
export const CONNECT_TIMEOUT_MS = 1_000;
/** Reconnect backoff: 100 ms, growing, at most this. */
export const MAX_RECONNECT_DELAY_MS = 2_000;
/** At most one "unreachable" log line per this interval. */
export const OUTAGE_LOG_INTERVAL_MS = 30_000;

export type SharedStatus = "memory" | "connecting" | "up" | "down";

export interface SharedStateOptions {
  /** redis://host:port/db or rediss://host:port/db (TLS). */
  url: string;
  /** Overrides a password in the URL (read from --redis-password-file). */
  password?: string;
  /** Namespace added after KEY_PREFIX, e.g. the deployment's name. */
  namespace?: string;
}

/** The node-redis client this server uses. */
export type RedisClient = ReturnType<typeof createClient>;

export interface SharedState {
  /** The connected client, or undefined in memory mode. */
  readonly redis: RedisClient | undefined;
  /** "memory" without --redis-url; otherwise the connection's state now. */
  status(): SharedStatus;
  /** The key prefix every shared key carries. */
  readonly prefix: string;
  /** Ends the connection (shutdown). */
  close(): Promise<void>;
}

/** Memory mode: nothing shared, every replica on its own. */
export const MEMORY_STATE: SharedState = Object.freeze({
  redis: undefined,
  status: () => "memory" as const,
  prefix: KEY_PREFIX,
  close: () => Promise.resolve(),
});

/**
 * The URL as it may be logged: scheme, host, port and database, never a user or password.
 *
 * @example displayUrl("redis://:hunter2@cache:6379/1") // "redis://cache:6379/1"
 */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === "/" ? "" : u.pathname}`;
  } catch {
    return "(unparsable URL)";
  }
}

/** Connects (in the background) and returns at once; status() tells how it goes. */
export function connectSharedState(o: SharedStateOptions): SharedState {
  const logger = log("state");
  const where = displayUrl(o.url);
  let status: SharedStatus = "connecting";
  let lastOutageLog = -Infinity;
  let suppressed = 0;

  const redis: RedisClient = createClient({
    url: o.url,
    ...(o.password !== undefined ? { password: o.password } : {}),
    // Fail at once while disconnected: the callers fall back to memory instead of waiting.
    disableOfflineQueue: true,
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      // Reconnect forever, with a capped backoff: recovery needs no restart.
      reconnectStrategy: (retries: number) =>
        Math.min(100 * 2 ** Math.min(retries, 10), MAX_RECONNECT_DELAY_MS),
    },
    // A dead peer is noticed within this interval even when no command is sent.
    pingInterval: 5_000,
  });

  redis.on("ready", () => {
    if (status !== "up") {
      logger.info("shared state connected", { redis: where, was: status });
    }
    status = "up";
  });
  const down = (why: string) => {
    const was = status;
    status = "down";
    const now = performance.now();
    if (was === "up" || now - lastOutageLog >= OUTAGE_LOG_INTERVAL_MS) {
      logger.warning("shared state unreachable: limits are per replica until it is back", {
        redis: where,
        why,
        ...(suppressed > 0 ? { suppressed } : {}),
      });
      lastOutageLog = now;
      suppressed = 0;
    } else {
      suppressed++;
    }
  };
  // An error event without a listener would throw; the error's code says enough (no payloads).
  redis.on("error", (err: unknown) => {
    const code = (err as { code?: unknown }).code;
    down(typeof code === "string" ? code : err instanceof Error ? err.name : "error");
  });
  redis.on("end", () => {
    status = "down";
  });
  redis.on("reconnecting", () => {
    if (status === "up") down("connection lost");
  });
  // The first attempt's failure is an "error" event too; connect() keeps retrying on its own.
  redis.connect().catch(() => {});

  const prefix = `${KEY_PREFIX}${o.namespace !== undefined ? `${o.namespace}:` : ""}`;
  return {
    redis,
    prefix,
    status: () => status,
    close() {
      try {
        redis.destroy();
      } catch {
        // Already closed.
      }
      return Promise.resolve();
    },
  };
}
