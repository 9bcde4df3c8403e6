/**
 * Per-minute rate limiters (rate-limiter-flexible): in memory per replica, or in Redis
 * shared by every replica with an in-memory insurance limiter that takes over while
 * Redis is unreachable, so a request is never refused or held because Redis is down.
 * A key never carries client text: the subject is hashed.
 */
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
} from "rate-limiter-flexible";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import type { SharedState } from "./shared.ts";

/** The window every limit counts over. */
export const WINDOW_SECONDS = 60;

/** Builds the limiter for one scope ("client", a tool name) and its points per minute. */
export type LimiterFactory = (scope: string, pointsPerMinute: number) => RateLimiterAbstract;

/** One limiter per scope, in this replica's memory. */
export const memoryLimiters: LimiterFactory = (_scope, points) =>
  new RateLimiterMemory({ points, duration: WINDOW_SECONDS });

/**
 * Limiters whose counters live in Redis under `<prefix>rl:<scope>:`, expiring with their
 * window; while Redis is not ready (or a command fails) each falls back to its own memory.
 */
export function sharedLimiters(state: SharedState): LimiterFactory {
  if (state.redis === undefined) return memoryLimiters;
  const redis = state.redis;
  return (scope, points) =>
    new RateLimiterRedis({
      storeClient: redis,
      useRedisPackage: true,
      points,
      duration: WINDOW_SECONDS,
      keyPrefix: `${state.prefix}rl:${scope}`,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory({ points, duration: WINDOW_SECONDS }),
    });
}

/**
 * A stable, bounded key for a client: what it counts against, hashed, so neither a
 * subject nor an address appears in Redis.
 *
 * @example subjectKey("subject:alice") // "3f1c…" (32 hex characters)
 */
export function subjectKey(client: string): string {
  return bytesToHex(sha256(new TextEncoder().encode(client))).slice(0, 32);
}
