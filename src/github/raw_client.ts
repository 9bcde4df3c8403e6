/**
 * The main-side logic of fetch_github_file: validate the parts, follow at most a few
 * same-host redirects, map every failure to a message a model can act on, and keep
 * an LRU cache (lru-cache) with a TTL, revalidated by ETag once stale. The network
 * itself is an injected fetchRaw, which in production runs in the sandbox worker.
 */
import { LRUCache } from "lru-cache";
import { buildRawUrl, checkRedirect, type RawFileParts } from "../policy/urls.ts";
import { secretFileReason, secretFileRule } from "../policy/secrets.ts";
import { isFetchTimeout } from "../sandbox/fetch_raw.ts";
import type { FetchRawRequest, FetchRawResult } from "../sandbox/protocol.ts";
import type { RawCacheStats } from "../observability/metrics.ts";
import type { ResultWith } from "../result.ts";

export type FetchRawFn = (req: FetchRawRequest, signal?: AbortSignal) => Promise<FetchRawResult>;

export interface GitHubRawClientOptions {
  /** The effect; the sandbox client's fetchRaw in production, the real one in tests. */
  fetchRaw: FetchRawFn;
  /** Base URL without a trailing slash, from config (DEFAULT_RAW_BASE unless overridden for tests). */
  base: string;
  /** GITHUB_TOKEN; sent as a Bearer token to the base host only, never put in a message. */
  token?: string;
  /** Body cap per file. Default 5 MiB. */
  maxBytes?: number;
  /** Budget for one get(), redirects included. Default 15000. */
  timeoutMs?: number;
  /** Most files kept. Default 256. */
  cacheMaxEntries?: number;
  /** Most body bytes kept in total. Default 50 MiB. */
  cacheMaxBytes?: number;
  /** Time an entry is served without asking GitHub. Default 5 minutes. */
  cacheTtlMs?: number;
  /** Clock for the cache's TTL; tests replace it to make entries stale. Default performance.now. */
  now?: () => number;
}

/** Most redirects followed for one file. */
export const MAX_REDIRECTS = 3;
export const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;
export const DEFAULT_TIMEOUT_MS = 15_000;
export const USER_AGENT = "code-review-mcp";

export type RawFetchErrorKind =
  | "invalid"
  | "not_found"
  | "http"
  | "timeout"
  | "too_large"
  | "redirect"
  | "binary"
  | "secret_file"
  | "network";

export interface RawFile {
  text: string;
  /** The URL that served the text (after any redirects). */
  url: string;
  etag: string | null;
  /** miss: fetched now; hit: served from cache; revalidated: stale entry confirmed by a 304. */
  cached: "miss" | "hit" | "revalidated";
  /** UTF-8 size of text. */
  bytes: number;
}

/** The file, or a message for the model with the kind of failure (for metrics and tests). */
export type RawFetchResult = ResultWith<RawFile, { kind: RawFetchErrorKind }>;

export type { RawCacheStats };

interface CacheEntry {
  text: string;
  url: string;
  etag: string | null;
  bytes: number;
  origin: "miss" | "revalidated";
}

interface FetchContext {
  url: string;
  label: string;
  allowSecretFiles: boolean;
}

/** Options of one get(). */
export interface RawGetOptions {
  /** The operator's --allow-secret-files: remote credential files are fetched like others. */
  allowSecretFiles?: boolean;
}

/** A failure carried out of lru-cache's fetchMethod, which reports failures by rejecting. */
class RawFetchFailure extends Error {
  constructor(readonly kind: RawFetchErrorKind, message: string) {
    super(message);
  }
}

/** "5 MiB", "64 KiB", "100 bytes": how limits appear in messages. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

/** "15 s", "0.2 s": how timeouts appear in messages. */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/**
 * Why a request never got an answer, in words a model can act on: the reason first,
 * then what to do. The lower layer's text (which may be as vague as "fetch failed")
 * follows in parentheses, shortened.
 *
 * @example unreachableMessage("o/r@HEAD:a.md", "raw.githubusercontent.com", "fetch failed")
 * // "Cannot fetch \"o/r@HEAD:a.md\": GitHub (raw.githubusercontent.com) could not be reached ..."
 */
export function unreachableMessage(label: string, host: string, detail: string): string {
  const d = detail.replace(/\s+/g, " ").trim();
  let why = "the network request failed";
  if (/NotCapable|Requires net access|PermissionDenied/i.test(d)) {
    why = "this server is not permitted to connect there (its --allow-net does not name the host)";
  } else if (/dns|lookup|resolve|ENOTFOUND|EAI_AGAIN/i.test(d)) {
    why = "its name did not resolve (no DNS or no network)";
  } else if (/refused|ECONNREFUSED|blocked/i.test(d)) why = "the connection was refused";
  else if (/reset|ECONNRESET|broken pipe|closed/i.test(d)) why = "the connection was cut";
  else if (/certificate|tls|ssl/i.test(d)) why = "the secure connection failed";
  else if (/unreachable|no route|ENETUNREACH|EHOSTUNREACH/i.test(d)) {
    why = "there is no route to it";
  }
  const shown = d.length > 120 ? d.slice(0, 120) + "..." : d;
  return `Cannot fetch ${JSON.stringify(label)}: GitHub (${host}) could not be reached: ${why}${
    shown === "" ? "" : ` (${shown})`
  }. ` +
    "The server may be offline or its network restricted: try again later, or go on with the review without this file.";
}

/**
 * Fetches text files from GitHub's raw host for fetch_github_file. get() never
 * throws for a failed fetch (it returns { ok: false, reason, kind }); it throws only
 * the caller's abort reason. Concurrent calls for one file share one fetch.
 *
 * @example
 * const client = new GitHubRawClient({ fetchRaw, base: DEFAULT_RAW_BASE, token: env.GITHUB_TOKEN });
 * await client.get({ owner: "a", repo: "b", ref: "main", path: "../x" })
 * // { ok: false, reason: "Invalid path \"../x\": must not contain \".\" or \"..\" segments", kind: "invalid" }
 */
export class GitHubRawClient {
  readonly #fetchRaw: FetchRawFn;
  readonly #base: URL;
  readonly #token: string | undefined;
  readonly #maxBytes: number;
  readonly #timeoutMs: number;
  readonly #cache: LRUCache<string, CacheEntry, FetchContext>;
  readonly #encoder = new TextEncoder();
  #hits = 0;
  #misses = 0;
  #revalidations = 0;

  constructor(options: GitHubRawClientOptions) {
    this.#fetchRaw = options.fetchRaw;
    this.#base = new URL(options.base);
    this.#token = options.token === "" ? undefined : options.token;
    this.#maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const now = options.now;
    this.#cache = new LRUCache<string, CacheEntry, FetchContext>({
      max: options.cacheMaxEntries ?? 256,
      maxSize: options.cacheMaxBytes ?? 50 * 1024 * 1024,
      sizeCalculation: (entry) => Math.max(1, entry.bytes),
      ttl: options.cacheTtlMs ?? 5 * 60 * 1000,
      // 0: read the clock on every check instead of caching it behind a timer.
      ttlResolution: 0,
      ...(now ? { perf: { now } } : {}),
      // A stale entry stays in the cache (never served as is) so its ETag can revalidate it.
      allowStale: false,
      noDeleteOnStaleGet: true,
      fetchMethod: (_key, stale, { signal, context }) => this.#load(context, stale, signal),
    });
  }

  /** Counters for metrics: cache hits, network fetches, and 304 revalidations. */
  stats(): RawCacheStats {
    return {
      hits: this.#hits,
      misses: this.#misses,
      revalidations: this.#revalidations,
      entries: this.#cache.size,
      bytes: this.#cache.calculatedSize,
    };
  }

  /** Drops every cached file. */
  clear(): void {
    this.#cache.clear();
  }

  /**
   * The text of one file, from the cache when fresh. The caller's signal stops the
   * wait, not a fetch shared with other callers (that one is bounded by timeoutMs).
   */
  async get(
    parts: RawFileParts,
    signal?: AbortSignal,
    options: RawGetOptions = {},
  ): Promise<RawFetchResult> {
    signal?.throwIfAborted();
    const built = buildRawUrl(parts, this.#base.origin);
    if (!built.ok) return { ok: false, reason: built.reason, kind: "invalid" };
    const allowSecretFiles = options.allowSecretFiles === true;
    // A remote credential file is refused under the rules that refuse a local one, before any request.
    const rule = secretFileRule(parts.path, { allowSecretFiles });
    if (rule !== undefined) {
      return {
        ok: false,
        reason: `Cannot fetch ${JSON.stringify(built.value.key)}: ${secretFileReason(rule)}`,
        kind: "secret_file",
      };
    }
    const status: LRUCache.Status<string, CacheEntry, FetchContext> = {};
    const pending = this.#cache.fetch(built.value.key, {
      context: { url: built.value.url, label: built.value.key, allowSecretFiles },
      status,
    });
    try {
      const entry = await abortable(pending, signal);
      if (entry === undefined) {
        return { ok: false, reason: `Fetch of ${built.value.key} was cancelled`, kind: "network" };
      }
      const cached = status.fetch === "hit" ? "hit" : entry.origin;
      if (cached === "hit") this.#hits++;
      return {
        ok: true,
        value: { text: entry.text, url: entry.url, etag: entry.etag, cached, bytes: entry.bytes },
      };
    } catch (error) {
      if (signal?.aborted && error === signal.reason) throw error;
      if (error instanceof RawFetchFailure) {
        return { ok: false, reason: error.message, kind: error.kind };
      }
      return {
        ok: false,
        reason: unreachableMessage(built.value.key, this.#base.host, this.#redact(error)),
        kind: "network",
      };
    }
  }

  /** lru-cache's fetchMethod: one logical load (with redirects), or a RawFetchFailure. */
  async #load(
    ctx: FetchContext,
    stale: CacheEntry | undefined,
    signal: AbortSignal,
  ): Promise<CacheEntry> {
    const { label } = ctx;
    const deadline = performance.now() + this.#timeoutMs;
    let url = ctx.url;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const remaining = Math.max(1, Math.round(deadline - performance.now()));
      let res: FetchRawResult;
      try {
        res = await this.#fetchRaw({
          op: "fetchRaw",
          url,
          headers: this.#headersFor(url, stale?.etag ?? null),
          timeoutMs: remaining,
          maxBytes: this.#maxBytes,
        }, signal);
      } catch (error) {
        if (isFetchTimeout(error)) {
          throw new RawFetchFailure(
            "timeout",
            `Timed out after ${formatSeconds(this.#timeoutMs)} fetching ${label}`,
          );
        }
        throw new RawFetchFailure(
          "network",
          unreachableMessage(label, new URL(url).host, this.#redact(error)),
        );
      }

      if (res.status === 304 && stale) {
        this.#revalidations++;
        return { ...stale, origin: "revalidated" };
      }
      if (res.status >= 300 && res.status <= 399 && res.status !== 304) {
        if (res.location === null) {
          throw new RawFetchFailure(
            "redirect",
            `HTTP ${res.status} without a Location header for ${label}`,
          );
        }
        const check = checkRedirect(url, res.location, this.#base.origin);
        if (!check.ok) {
          throw new RawFetchFailure("redirect", `Refused redirect to ${check.host} for ${label}`);
        }
        // A redirect may not lead to a credential file either (judged by the URL's path).
        const target = secretFileRule(decodeURIComponent(new URL(check.value).pathname), {
          allowSecretFiles: ctx.allowSecretFiles,
        });
        if (target !== undefined) {
          throw new RawFetchFailure(
            "secret_file",
            `Refused redirect of ${label} to a credential file: it ${secretFileReason(target)}`,
          );
        }
        url = check.value;
        continue;
      }
      if (res.status === 404) throw new RawFetchFailure("not_found", `HTTP 404 for ${label}`);
      if (res.status < 200 || res.status > 299) {
        throw new RawFetchFailure("http", `HTTP ${res.status} for ${label}`);
      }
      if (res.tooLarge) {
        throw new RawFetchFailure(
          "too_large",
          `${label} is larger than ${formatBytes(this.#maxBytes)}`,
        );
      }
      if (res.binary) {
        throw new RawFetchFailure(
          "binary",
          `${label} is not UTF-8 text (a binary file); only text files can be fetched`,
        );
      }
      this.#misses++;
      return {
        text: res.body,
        url,
        etag: res.etag,
        bytes: this.#encoder.encode(res.body).byteLength,
        origin: "miss",
      };
    }
    throw new RawFetchFailure(
      "redirect",
      `Too many redirects (more than ${MAX_REDIRECTS}) for ${label}`,
    );
  }

  /** Request headers for one hop: the token goes only to the base's own origin. */
  #headersFor(url: string, etag: string | null): Record<string, string> {
    const headers: Record<string, string> = { "User-Agent": USER_AGENT };
    if (etag !== null) headers["If-None-Match"] = etag;
    if (this.#token !== undefined && new URL(url).origin === this.#base.origin) {
      headers["Authorization"] = `Bearer ${this.#token}`;
    }
    return headers;
  }

  /** An error's message with the token removed, for messages that quote a lower layer. */
  #redact(error: unknown): string {
    const text = error instanceof Error ? error.message : String(error);
    return this.#token === undefined ? text : text.split(this.#token).join("[redacted]");
  }
}

/** Waits for `promise`, or rejects with the signal's reason as soon as it aborts. */
function abortable<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
