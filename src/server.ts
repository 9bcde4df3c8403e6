/**
 * createServer(deps): the McpServer with every tool, resource and prompt registered
 * from their lists. Each tool call gets a request id, a log line with its outcome and
 * duration, and a catch-all that turns an unexpected failure into
 * "Internal error (request <id>)" while the stack goes to the log only.
 */
import { AjvJsonSchemaValidator, McpServer } from "./sdk.ts";
import type { CallToolResult, JsonSchemaType, JsonSchemaValidator, jsonSchemaValidator } from "./sdk.ts";
import type { Config } from "./config.ts";
import type { SandboxClient } from "./sandbox/client.ts";
import type { GitHubRawClient } from "./github/raw_client.ts";
import { TOOLS } from "./tools/mod.ts";
import { toolError, type ToolContext, ToolTimeoutError } from "./tools/types.ts";
import { fileResource, reviewRulesResource } from "./resources/mod.ts";
import { performanceReviewPrompt, reviewChangesPrompt, securityReviewPrompt } from "./prompts/mod.ts";
import { log } from "./observability/log.ts";
import { enforceBudget } from "./output/enforce.ts";
import { SERVER_NAME, VERSION } from "./version.ts";
import { z } from "zod";

export type ToolOutcome = "ok" | "refused" | "error" | "cancelled" | "timeout";

/** One finished tool call, for metrics. */
export interface ToolCallEvent {
  tool: string;
  durationMs: number;
  outcome: ToolOutcome;
  subject?: string;
  requestId: string;
}

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
  guard?: (tool: string, ctx: ToolContext) => Promise<CallToolResult | undefined> | CallToolResult | undefined;
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

interface Extra {
  signal: AbortSignal;
  authInfo?: { clientId?: string; extra?: Record<string, unknown> };
  requestInfo?: { headers?: Record<string, string | string[] | undefined> };
  _meta?: { progressToken?: string | number };
  sendNotification: (n: { method: "notifications/progress"; params: { progressToken: string | number; progress: number; total?: number; message?: string } }) => Promise<void>;
}

function subjectOf(extra: Extra): string | undefined {
  const s = extra.authInfo?.extra?.["subject"];
  if (typeof s === "string") return s;
  return extra.authInfo?.clientId;
}

function requestIdOf(extra: Extra): string {
  const header = extra.requestInfo?.headers?.["x-request-id"];
  const v = Array.isArray(header) ? header[0] : header;
  return v !== undefined && REQUEST_ID_RE.test(v) ? `${v}.${newRequestId().slice(0, 4)}` : newRequestId();
}

/**
 * The SDK's Ajv validator, built on first use. Built eagerly it compiles Ajv's meta-schemas
 * (some 10 ms) for every McpServer, at start-up and per request in stateless HTTP, although
 * the SDK uses it only to check elicitation answers, which this server never asks for.
 */
function lazyAjvValidator(): jsonSchemaValidator {
  let ajv: AjvJsonSchemaValidator | undefined;
  return {
    getValidator: <T>(schema: JsonSchemaType): JsonSchemaValidator<T> => (ajv ??= new AjvJsonSchemaValidator()).getValidator<T>(schema),
  };
}

/**
 * Zod objects and prompt definitions built once and shared by every McpServer. Stateless HTTP
 * creates a server per request, and building them again each time (the SDK turns a raw shape
 * into an object on every registration) was most of createServer's cost and garbage.
 */
const objectSchemas = new WeakMap<z.ZodRawShape, z.ZodObject>();
function objectSchema(shape: z.ZodRawShape): z.ZodObject {
  let o = objectSchemas.get(shape);
  if (o === undefined) objectSchemas.set(shape, o = z.object(shape));
  return o;
}

type Prompts = [ReturnType<typeof securityReviewPrompt>, ReturnType<typeof performanceReviewPrompt>, ReturnType<typeof reviewChangesPrompt>];
const promptsBySandbox = new WeakMap<SandboxClient, { config: Config; prompts: Prompts }>();
function promptsFor(config: Config, sandbox: SandboxClient): Prompts {
  const cached = promptsBySandbox.get(sandbox);
  if (cached?.config === config) return cached.prompts;
  const rctx = { config, sandbox };
  const prompts: Prompts = [securityReviewPrompt(rctx), performanceReviewPrompt(rctx), reviewChangesPrompt(rctx)];
  promptsBySandbox.set(sandbox, { config, prompts });
  return prompts;
}

export function createServer(deps: ServerDeps): McpServer {
  const server = new McpServer(
    { name: SERVER_NAME, version: VERSION, title: "Code review" },
    {
      capabilities: { logging: {} },
      jsonSchemaValidator: lazyAjvValidator(),
      instructions:
        "Tools for reviewing the project at the server's root: list_directory (depth > 1 for a tree), read_file and " +
        "search_code to explore, run_linter for mechanical findings (a file, a folder or \".\" for the whole project), fetch_github_file for upstream references, review_changes and get_diff to review a git change (uncommitted, or a branch against a base). Paths are relative to the project root. " +
        "The resource config://review-rules holds the rules to review against; the prompts security_review and " +
        "performance_review give a structured review of one file, review_changes a review of a change.",
    },
  );
  const logger = log("tool");

  for (const tool of TOOLS) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: objectSchema(tool.inputSchema),
        ...(tool.outputSchema ? { outputSchema: objectSchema(tool.outputSchema) } : {}),
        annotations: { title: tool.title, ...tool.annotations },
      },
      // deno-lint-ignore no-explicit-any
      (async (args: any, extra: Extra): Promise<CallToolResult> => {
        const requestId = requestIdOf(extra);
        const subject = subjectOf(extra);
        const started = performance.now();
        const progressToken = extra._meta?.progressToken;
        const ctx: ToolContext = {
          config: deps.config,
          sandbox: deps.sandbox,
          github: deps.github,
          requestId,
          signal: extra.signal,
          ...(subject !== undefined ? { subject } : {}),
          progress: async (progress, total, message) => {
            if (progressToken === undefined) return;
            await extra.sendNotification({
              method: "notifications/progress",
              params: { progressToken, progress, ...(total !== undefined ? { total } : {}), ...(message ? { message } : {}) },
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
          } else if (extra.signal.aborted || (err instanceof DOMException && err.name === "AbortError")) {
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
        result = enforceBudget(result, deps.config.maxOutputBytes, (sizes) => logger.warn("tool answer over the output budget", { tool: tool.name, requestId, ...sizes }));
        const durationMs = Math.round((performance.now() - started) * 10) / 10;
        logger.info("tool call", { tool: tool.name, outcome, durationMs, requestId, subject });
        deps.onToolCall?.({ tool: tool.name, durationMs, outcome, requestId, ...(subject !== undefined ? { subject } : {}) });
        return result;
        // deno-lint-ignore no-explicit-any
      }) as any,
    );
  }

  const rctx = { config: deps.config, sandbox: deps.sandbox };
  const file = fileResource(rctx);
  server.registerResource(file.name, file.template, file.metadata, (uri) => file.read(uri));
  const rules = reviewRulesResource(rctx);
  server.registerResource(rules.name, rules.uri, rules.metadata, (uri) => rules.read(uri));

  for (const prompt of promptsFor(deps.config, deps.sandbox)) {
    // deno-lint-ignore no-explicit-any
    server.registerPrompt(prompt.name, prompt.config as any, prompt.handler as any);
  }
  return server;
}
