/**
 * A tool is one value: name, title, description, input and output schemas, the four
 * annotation hints and the handler. Registration is a list (tools/mod.ts).
 */
import type { z } from "zod";
import type { CallToolResult, ToolAnnotations } from "../sdk.ts";
import type { Config } from "../config.ts";
import type { SandboxClient } from "../sandbox/client.ts";
import type { GitHubRawClient } from "../github/raw_client.ts";

/** What a handler may use. It never touches files, network or processes itself. */
export interface ToolContext {
  config: Config;
  sandbox: SandboxClient;
  github: GitHubRawClient;
  /** Correlates the call's log lines and an internal error's message. */
  requestId: string;
  signal: AbortSignal;
  /** The authenticated subject (HTTP with auth), for logs and limits. */
  subject?: string;
  /** Reports progress when the client asked for it (a progressToken). */
  progress(progress: number, total?: number, message?: string): Promise<void>;
}

export type Shape = z.ZodRawShape;

export interface ToolDef<I extends Shape = Shape, O extends Shape = Shape> {
  name: string;
  title: string;
  description: string;
  inputSchema: I;
  /** Absent for a text payload (file text, diffs): text content alone, so it reaches the model once. */
  outputSchema?: O;
  annotations: Required<
    Pick<ToolAnnotations, "readOnlyHint" | "destructiveHint" | "idempotentHint" | "openWorldHint">
  >;
  handler(args: z.infer<z.ZodObject<I>>, ctx: ToolContext): Promise<CallToolResult>;
}

/** A refusal the model can correct: isError with a one-line message. */
export function toolError(message: string): CallToolResult {
  return { isError: true, content: [{ type: "text", text: message }] };
}

/** "Cannot read \"src/x.py\": path is outside the project root" */
export function cannot(verb: string, requested: string, reason: string): CallToolResult {
  return toolError(`Cannot ${verb} ${JSON.stringify(requested)}: ${reason}`);
}

/** Declares a tool with its types checked against its schemas. */
export function defineTool<I extends Shape, O extends Shape>(def: ToolDef<I, O>): ToolDef<I, O> {
  return def;
}

/** Thrown by a time bound around a tool call; reported as outcome "timeout". */
export class ToolTimeoutError extends Error {
  override name = "ToolTimeoutError";
  constructor(readonly timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms`);
  }
}
