/**
 * Prometheus metrics (prom-client) for the HTTP transport: per-tool latency histograms
 * (so p50/p95/p99 can be computed), calls and errors, HTTP statuses, open requests,
 * streams and sessions, GitHub cache counters and linter durations. One registry per
 * instance, never the global one, so tests and replicas in one process stay apart.
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { AUTH_FAILURE_REASONS } from "../auth/types.ts";
import { ALL_LINTERS } from "../linters/registry.ts";
import { RATE_LIMITED_TOOLS } from "../config_http.ts";

export type ToolOutcome = "ok" | "refused" | "error" | "cancelled" | "timeout";

/** One finished tool call, for metrics. */
export interface ToolCallEvent {
  tool: string;
  durationMs: number;
  outcome: ToolOutcome;
  subject?: string;
  requestId: string;
}

/**
 * The label values each label may take. Whatever a client can influence (method, path,
 * tool name, reason) is mapped onto one of these, anything else onto "other", so a
 * hostile client cannot add series: /metrics and the registry's memory stay bounded.
 */
export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"] as const;
export const HTTP_ROUTES = [
  "/mcp",
  "/health",
  "/ready",
  "/metrics",
  "/.well-known/oauth-protected-resource",
] as const;
export const TOOL_OUTCOMES = ["ok", "refused", "error", "cancelled", "timeout"] as const;
export const RATE_LIMIT_SCOPES = ["client", ...RATE_LIMITED_TOOLS] as const;
export const OTHER = "other";

/** `value` when it is one of `allowed`, else "other". */
export function bounded(value: unknown, allowed: ReadonlySet<string>): string {
  return typeof value === "string" && allowed.has(value) ? value : OTHER;
}

/** An HTTP status as a label: a three-digit status code, else "other". */
export function statusLabel(status: unknown): string {
  return typeof status === "number" && Number.isInteger(status) && status >= 100 && status <= 599
    ? String(status)
    : OTHER;
}

/** The GitHub raw cache's counters (src/github/raw_client.ts reports them; defined here, below it). */
export interface RawCacheStats {
  hits: number;
  misses: number;
  revalidations: number;
  entries: number;
  bytes: number;
}

/** Live numbers read at scrape time. */
export interface MetricSources {
  github?: () => RawCacheStats;
  sessions?: () => number;
  workerStarts?: () => number;
  linterQueue?: () => { running: number; waiting: number };
  /** Where limits live now: "memory" (no --redis-url), or the Redis connection's state. */
  sharedState?: () => "memory" | "connecting" | "up" | "down";
  /** The tools the server registers: the only tool label values besides "other". */
  tools?: readonly string[];
}

/** Most distinct subjects given their own label; the rest count as "other". */
export const MAX_SUBJECT_LABELS = 100;

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** A counter whose value is read from a source at scrape time. */
function sourcedCounter(
  registry: Registry,
  name: string,
  help: string,
  read: () => number | undefined,
): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const v = read();
      this.reset();
      if (v !== undefined) this.inc(v);
    },
  });
}

export class Metrics {
  readonly registry = new Registry();
  readonly #subjects = new Set<string>();
  readonly #tools: ReadonlySet<string>;
  readonly #methods: ReadonlySet<string> = new Set(HTTP_METHODS);
  readonly #routes: ReadonlySet<string> = new Set(HTTP_ROUTES);
  readonly #outcomes: ReadonlySet<string> = new Set(TOOL_OUTCOMES);
  readonly #linters: ReadonlySet<string> = new Set(ALL_LINTERS);
  readonly #scopes: ReadonlySet<string> = new Set(RATE_LIMIT_SCOPES);
  readonly #reasons: ReadonlySet<string> = new Set(AUTH_FAILURE_REASONS);
  readonly #toolDuration: Histogram<"tool">;
  readonly #toolCalls: Counter<"tool" | "outcome">;
  readonly #toolErrors: Counter<"tool">;
  readonly #subjectCalls: Counter<"subject">;
  readonly #httpRequests: Counter<"method" | "route" | "status">;
  readonly #httpDuration: Histogram<"route">;
  readonly #linterDuration: Histogram<"linter">;
  readonly #rateLimited: Counter<"scope">;
  readonly #authFailures: Counter<"reason">;
  readonly openRequests: Gauge;
  readonly openStreams: Gauge;

  constructor(sources: MetricSources = {}) {
    const registers = [this.registry];
    this.#tools = new Set(sources.tools ?? []);
    this.#toolDuration = new Histogram({
      name: "mcp_tool_call_duration_seconds",
      help: "Tool call latency, queueing included",
      labelNames: ["tool"],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#toolCalls = new Counter({
      name: "mcp_tool_calls_total",
      help: "Tool calls by outcome",
      labelNames: ["tool", "outcome"],
      registers,
    });
    this.#toolErrors = new Counter({
      name: "mcp_tool_errors_total",
      help: "Tool calls that ended with isError",
      labelNames: ["tool"],
      registers,
    });
    this.#subjectCalls = new Counter({
      name: "mcp_subject_tool_calls_total",
      help:
        `Tool calls per authenticated subject (the first ${MAX_SUBJECT_LABELS}; later ones as "other")`,
      labelNames: ["subject"],
      registers,
    });
    this.#httpRequests = new Counter({
      name: "mcp_http_requests_total",
      help: "HTTP requests by route and status",
      labelNames: ["method", "route", "status"],
      registers,
    });
    this.#httpDuration = new Histogram({
      name: "mcp_http_request_duration_seconds",
      help: "Time to the response headers",
      labelNames: ["route"],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#linterDuration = new Histogram({
      name: "mcp_linter_duration_seconds",
      help: "Linter run time as measured around the linter itself",
      labelNames: ["linter"],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#rateLimited = new Counter({
      name: "mcp_rate_limited_total",
      help: "Requests refused with 429",
      labelNames: ["scope"],
      registers,
    });
    this.#authFailures = new Counter({
      name: "mcp_auth_failures_total",
      help: "Requests refused by authentication",
      labelNames: ["reason"],
      registers,
    });
    this.openRequests = new Gauge({
      name: "mcp_http_open_requests",
      help: "HTTP exchanges in progress (body still streaming included)",
      registers,
    });
    this.openStreams = new Gauge({
      name: "mcp_http_open_sse_streams",
      help: "Server-sent event streams open",
      registers,
    });
    new Gauge({
      name: "mcp_sessions_open",
      help: "Stateful sessions held in memory",
      registers,
      collect() {
        this.set(sources.sessions?.() ?? 0);
      },
    });
    new Gauge({
      name: "mcp_linter_queue",
      help: "Linter runs by state",
      labelNames: ["state"],
      registers,
      collect() {
        const q = sources.linterQueue?.() ?? { running: 0, waiting: 0 };
        this.set({ state: "running" }, q.running);
        this.set({ state: "waiting" }, q.waiting);
      },
    });
    if (sources.sharedState !== undefined) {
      const read = sources.sharedState;
      new Gauge({
        name: "mcp_shared_state_up",
        help: "1 while limits are shared through Redis; 0 while each replica uses its own " +
          "(Redis unreachable or not configured)",
        registers,
        collect() {
          this.set(read() === "up" ? 1 : 0);
        },
      });
    }
    sourcedCounter(
      this.registry,
      "mcp_github_cache_hits_total",
      "GitHub files served from the cache",
      () => sources.github?.().hits,
    );
    sourcedCounter(
      this.registry,
      "mcp_github_cache_misses_total",
      "GitHub files fetched from the network",
      () => sources.github?.().misses,
    );
    sourcedCounter(
      this.registry,
      "mcp_github_cache_revalidations_total",
      "Stale GitHub files confirmed by a 304",
      () => sources.github?.().revalidations,
    );
    sourcedCounter(
      this.registry,
      "mcp_sandbox_worker_starts_total",
      "Sandbox workers started (one per process, more only after a crash)",
      () => sources.workerStarts?.(),
    );
  }

  /** The onToolCall hook of createServer. */
  recordToolCall(e: ToolCallEvent): void {
    const tool = bounded(e.tool, this.#tools);
    const outcome = bounded(e.outcome, this.#outcomes);
    this.#toolDuration.observe({ tool }, e.durationMs / 1000);
    this.#toolCalls.inc({ tool, outcome });
    if (outcome !== "ok") this.#toolErrors.inc({ tool });
    if (e.subject !== undefined) {
      // Subjects are authenticated identities, not client input: the first ones keep their name.
      if (this.#subjects.size < MAX_SUBJECT_LABELS) this.#subjects.add(e.subject);
      this.#subjectCalls.inc({ subject: this.#subjects.has(e.subject) ? e.subject : OTHER });
    }
  }

  recordHttp(method: string, route: string, status: number, seconds: number): void {
    const r = bounded(route, this.#routes);
    this.#httpRequests.inc({
      method: bounded(method, this.#methods),
      route: r,
      status: statusLabel(status),
    });
    this.#httpDuration.observe({ route: r }, seconds);
  }

  recordLinter(linter: string, seconds: number): void {
    this.#linterDuration.observe({ linter: bounded(linter, this.#linters) }, seconds);
  }

  recordRateLimited(scope: string): void {
    this.#rateLimited.inc({ scope: bounded(scope, this.#scopes) });
  }

  recordAuthFailure(reason: string): void {
    this.#authFailures.inc({ reason: bounded(reason, this.#reasons) });
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
