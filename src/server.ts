/**
 * createServer(deps): the McpServer with every tool, resource and prompt registered
 * from their lists. Each tool call gets a request id, a log line with its outcome and
 * duration, and a catch-all that turns an unexpected failure into
 * "Internal error (request <id>)" while the stack goes to the log only.
 */
import { LOG_LEVEL_META_KEY, McpServer } from "./sdk.ts";
import type { CallToolResult, LoggingLevel, ServerContext } from "./sdk.ts";
import type { Config } from "./config.ts";
import type { SandboxClient } from "./sandbox/client.ts";
import type { GitHubRawClient } from "./github/raw_client.ts";
import { TOOLS } from "./tools/mod.ts";
import { type ToolContext, toolError, ToolTimeoutError } from "./tools/types.ts";
import { fileResource, reviewRulesResource } from "./resources/mod.ts";
import {
  performanceReviewPrompt,
  reviewChangesPrompt,
  securityReviewPrompt,
} from "./prompts/mod.ts";
import { log } from "./observability/log.ts";
import { enforceBudget } from "./output/enforce.ts";
import { SERVER_NAME, VERSION } from "./version.ts";
import { z } from "zod";

import type { ToolCallEvent, ToolOutcome } from "./observability/metrics.ts";
export type { ToolCallEvent, ToolOutcome } from "./observability/metrics.ts";

export interface ServerDeps {
  config: Config;
  sandbox: SandboxClient;
  github: GitHubRawClient;
  /** Called after every tool call (metrics). */
  onToolCall?: (event: ToolCallEvent) => void;
  /**
   * Wraps each tool handler, e.g. to apply rate limits or concurrency caps per
   * subject; returning a CallToolResult short-circuits the call.
   */
  guard?: (
    tool: string,
    ctx: ToolContext,
  ) => Promise<CallToolResult | undefined> | CallToolResult | undefined;
  /**
   * Runs around each tool handler, after guard: may queue the call, bound its time
   * (handing the handler a narrower ctx.signal) or observe its result.
   */
  around?: ToolAround;
}

/** A wrapper around one tool call; `next` runs the handler with the given context. */
export type ToolAround = (
  tool: string,
  ctx: ToolContext,
  next: (ctx: ToolContext) => Promise<CallToolResult>,
) => Promise<CallToolResult>;

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;

/** A short random id for a request or tool call. */
export function newRequestId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The authenticated subject (HTTP with auth), from the SDK's typed context. */
function subjectOf(ctx: ServerContext): string | undefined {
  const auth = ctx.http?.authInfo;
  const s = auth?.extra?.["subject"];
  return typeof s === "string" ? s : auth?.clientId;
}

/** The HTTP layer's X-Request-Id (suffixed per call), or a fresh id (stdio). */
function requestIdOf(ctx: ServerContext): string {
  const v = ctx.http?.req?.headers.get("x-request-id") ?? undefined;
  return v !== undefined && REQUEST_ID_RE.test(v)
    ? `${v}.${newRequestId().slice(0, 4)}`
    : newRequestId();
}

/**
 * Cache lifetimes advertised to 2026-07-28 clients for the static lists (the tool,
 * resource, template and prompt lists never change while the server runs). `public`:
 * the lists are the same for every caller, credentials or not.
 */
export const LIST_CACHE_TTL_MS = 5 * 60 * 1000;
const LIST_CACHE = { ttlMs: LIST_CACHE_TTL_MS, cacheScope: "public" } as const;

/**
 * Zod objects and prompt definitions built once and shared by every McpServer. Stateless HTTP
 * creates a server per request, and building them again each time (the SDK turns a raw shape
 * into an object on every registration) was most of createServer's cost and garbage.
 */
const objectSchemas = new WeakMap<z.ZodRawShape, z.ZodObject>();
function objectSchema<S extends z.ZodRawShape>(shape: S): z.ZodObject<S> {
  const cached = objectSchemas.get(shape) as z.ZodObject<S> | undefined;
  if (cached !== undefined) return cached;
  const o = z.object(shape);
  objectSchemas.set(shape, o);
  return o;
}

/**
 * Each tool's output schema as JSON Schema, converted once per process. The SDK converts it on
 * the first tools/call of each McpServer and memoises it there; stateless HTTP makes a server
 * per request, so without this every call converted it again (a fifth of a list_directory
 * call's CPU in the HTTP profile).
 */
const outputSchemaJson = new WeakMap<z.ZodObject, Record<string, unknown> | undefined>();

type Prompts = [
  ReturnType<typeof securityReviewPrompt>,
  ReturnType<typeof performanceReviewPrompt>,
  ReturnType<typeof reviewChangesPrompt>,
];
const promptsBySandbox = new WeakMap<SandboxClient, { config: Config; prompts: Prompts }>();
function promptsFor(config: Config, sandbox: SandboxClient): Prompts {
  const cached = promptsBySandbox.get(sandbox);
  if (cached?.config === config) return cached.prompts;
  const rctx = { config, sandbox };
  const prompts: Prompts = [
    securityReviewPrompt(rctx),
    performanceReviewPrompt(rctx),
    reviewChangesPrompt(rctx),
  ];
  promptsBySandbox.set(sandbox, { config, prompts });
  return prompts;
}

/** MCP log levels, least severe first (RFC 5424 order, as the protocol defines them). */
const CLIENT_LOG_LEVELS: readonly LoggingLevel[] = [
  "debug",
  "info",
  "notice",
  "warning",
  "error",
  "critical",
  "alert",
  "emergency",
];

/**
 * Whether a client asked for log messages at `level`: a 2026 client through its request's
 * `_meta`, a 2025 client through logging/setLevel. One that asked nothing gets none (the SDK
 * alone would send a 2025 client every level until it sets one).
 */
export function clientWantsLog(
  level: LoggingLevel,
  requestLevel: LoggingLevel | undefined,
  sessionLevel: LoggingLevel | undefined,
): boolean {
  const threshold = requestLevel ?? sessionLevel;
  return threshold !== undefined &&
    CLIENT_LOG_LEVELS.indexOf(level) >= CLIENT_LOG_LEVELS.indexOf(threshold);
}

/**
 * The log level a 2026 request's `_meta` envelope carries, if a valid one. Read with Reflect.get:
 * the SDK's declarations type the envelope as `{}`, without its reserved keys.
 */
function envelopeLogLevel(envelope: object | undefined): LoggingLevel | undefined {
  const level: unknown = envelope === undefined
    ? undefined
    : Reflect.get(envelope, LOG_LEVEL_META_KEY);
  return CLIENT_LOG_LEVELS.find((l) => l === level);
}

export function createServer(deps: ServerDeps): McpServer {
  const server = new McpServer(
    { name: SERVER_NAME, version: VERSION, title: "Code review" },
    {
      // Logging is deprecated in 2026-07-28 but still served: to 2025 clients after
      // logging/setLevel, to 2026 clients at the level their request's _meta carries.
      capabilities: { logging: {} },
      cacheHints: {
        "tools/list": LIST_CACHE,
        "prompts/list": LIST_CACHE,
        "resources/list": LIST_CACHE,
        "resources/templates/list": LIST_CACHE,
        "server/discover": LIST_CACHE,
      },
      instructions:
        "Tools for reviewing the project at the server's root: list_directory (depth > 1 for a tree), read_file and " +
        'search_code to explore, outline, find_symbol and find_references for definitions and uses, run_linter for mechanical findings (a file, a folder or "." for the whole project), fetch_github_file for upstream references, review_changes and get_diff to review a git change (uncommitted, or a branch against a base). Paths are relative to the project root. ' +
        "The resource config://review-rules holds the rules to review against; the prompts security_review and " +
        "performance_review give a structured review of one file, review_changes a review of a change.",
    },
  );
  const logger = log("tool");
  // The level a 2025 client set with logging/setLevel on this server (one per stdio process, per
  // HTTP session, or per stateless request); replaces the SDK's handler so the level is known here.
  let sessionLogLevel: LoggingLevel | undefined;
  server.server.setRequestHandler("logging/setLevel", (request) => {
    sessionLogLevel = request.params.level;
    return {};
  });

  for (const tool of TOOLS) {
    const registered = server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: objectSchema(tool.inputSchema),
        ...(tool.outputSchema ? { outputSchema: objectSchema(tool.outputSchema) } : {}),
        annotations: { title: tool.title, ...tool.annotations },
      },
      async (args, sdk): Promise<CallToolResult> => {
        const requestId = requestIdOf(sdk);
        const subject = subjectOf(sdk);
        const signal = sdk.mcpReq.signal;
        const started = performance.now();
        const progressToken = sdk.mcpReq._meta?.progressToken;
        const ctx: ToolContext = {
          config: deps.config,
          sandbox: deps.sandbox,
          github: deps.github,
          requestId,
          signal,
          ...(subject !== undefined ? { subject } : {}),
          progress: async (progress, total, message) => {
            if (progressToken === undefined) return;
            await sdk.mcpReq.notify({
              method: "notifications/progress",
              params: {
                progressToken,
                progress,
                ...(total !== undefined ? { total } : {}),
                ...(message ? { message } : {}),
              },
            }).catch(() => {});
          },
        };
        let result: CallToolResult;
        let outcome: ToolOutcome;
        try {
          const refused = await deps.guard?.(tool.name, ctx);
          const run = (c: ToolContext) => tool.handler(args, c);
          result = refused ?? await (deps.around ? deps.around(tool.name, ctx, run) : run(ctx));
          outcome = result.isError ? "refused" : "ok";
        } catch (err) {
          if (err instanceof ToolTimeoutError) {
            outcome = "timeout";
            result = toolError(`Timed out after ${err.timeoutMs / 1000} s (request ${requestId})`);
          } else if (signal.aborted || (err instanceof DOMException && err.name === "AbortError")) {
            outcome = "cancelled";
            result = toolError(`Cancelled (request ${requestId})`);
          } else {
            outcome = "error";
            logger.error("tool failed unexpectedly", {
              tool: tool.name,
              requestId,
              subject,
              error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
              stack: err instanceof Error ? err.stack : undefined,
            });
            result = toolError(`Internal error (request ${requestId})`);
          }
        }
        result = enforceBudget(
          result,
          deps.config.maxOutputBytes,
          (sizes) =>
            logger.warn("tool answer over the output budget", {
              tool: tool.name,
              requestId,
              ...sizes,
            }),
        );
        const durationMs = Math.round((performance.now() - started) * 10) / 10;
        logger.info("tool call", { tool: tool.name, outcome, durationMs, requestId, subject });
        deps.onToolCall?.({
          tool: tool.name,
          durationMs,
          outcome,
          requestId,
          ...(subject !== undefined ? { subject } : {}),
        });
        // The client's log (deprecated, still served): sent only at or above the level it asked for.
        const level = outcome === "error" ? "error" : "debug";
        const requestLevel = envelopeLogLevel(sdk.mcpReq.envelope);
        if (!signal.aborted && clientWantsLog(level, requestLevel, sessionLogLevel)) {
          await sdk.mcpReq.log(level, {
            tool: tool.name,
            outcome,
            durationMs,
            requestId,
          }, "tool")
            .catch(() => {});
        }
        return result;
      },
    );
    if (tool.outputSchema) {
      const schema = objectSchema(tool.outputSchema);
      const json = outputSchemaJson.get(schema);
      if (json !== undefined) registered.outputSchemaJson = json;
      else outputSchemaJson.set(schema, registered.outputSchemaJson);
    }
  }

  const rctx = { config: deps.config, sandbox: deps.sandbox };
  const file = fileResource(rctx);
  server.registerResource(file.name, file.template, file.metadata, (uri) => file.read(uri));
  const rules = reviewRulesResource(rctx);
  server.registerResource(rules.name, rules.uri, rules.metadata, (uri) => rules.read(uri));

  const [security, performanceReview, reviewChanges] = promptsFor(deps.config, deps.sandbox);
  server.registerPrompt(security.name, {
    ...security.config,
    argsSchema: objectSchema(security.config.argsSchema),
  }, (a) => security.handler(a));
  server.registerPrompt(
    performanceReview.name,
    { ...performanceReview.config, argsSchema: objectSchema(performanceReview.config.argsSchema) },
    (a) => performanceReview.handler(a),
  );
  server.registerPrompt(
    reviewChanges.name,
    { ...reviewChanges.config, argsSchema: objectSchema(reviewChanges.config.argsSchema) },
    (a) => reviewChanges.handler(a),
  );
  return server;
}
