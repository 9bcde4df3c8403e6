/**
 * The three official clients of the interop matrix behind one small interface: the v1 SDK
 * client (2025-11-25, what many hosts still run), the v2 client with default settings (it
 * still opens with `initialize`), and the v2 client pinned to 2026-07-28 (no handshake,
 * `_meta` on every request). Each connects over stdio (the README's command) or HTTP.
 */
import {
  Client as V2Client,
  StreamableHTTPClientTransport as V2Http,
} from "@modelcontextprotocol/client";
import { StdioClientTransport as V2Stdio } from "@modelcontextprotocol/client/stdio";
import {
  Client as V1Client,
  StdioClientTransport as V1Stdio,
  StreamableHTTPClientTransport as V1Http,
} from "../sdk_client.ts";
import type { CallToolResult } from "../../src/sdk.ts";

export type ClientKind = "v1" | "v2-default" | "v2-2026";
export const CLIENT_KINDS: readonly ClientKind[] = ["v1", "v2-default", "v2-2026"];
/** The revision each client ends up speaking with this server. */
export const EXPECTED_VERSION: Record<ClientKind, string> = {
  "v1": "2025-11-25",
  "v2-default": "2025-11-25",
  "v2-2026": "2026-07-28",
};
/** The 2025-era clients: the only ones a stateful (session) server keeps state for. */
export const is2025 = (k: ClientKind) => k !== "v2-2026";

export const LOG_LEVEL_META_KEY = "io.modelcontextprotocol/logLevel";

export interface ToolInfo {
  name: string;
  inputSchema: {
    properties?: Record<string, { type?: string; enum?: unknown[] }>;
    required?: string[];
  };
}

export interface CallOptions {
  signal?: AbortSignal;
  onprogress?: (p: { progress: number; total?: number | undefined }) => void;
  /** Extra request `_meta` (e.g. a 2026 client's log level). */
  meta?: Record<string, unknown>;
}

/** What a matrix cell needs from a connected client, whichever SDK it is. */
export interface McpSession {
  kind: ClientKind;
  protocolVersion(): string | undefined;
  listTools(): Promise<ToolInfo[]>;
  callTool(name: string, args: Record<string, unknown>, o?: CallOptions): Promise<CallToolResult>;
  listResources(): Promise<{ uri: string }[]>;
  listResourceTemplates(): Promise<{ uriTemplate: string }[]>;
  readResource(uri: string): Promise<{ uri: string; text?: string }[]>;
  listPrompts(): Promise<
    { name: string; arguments?: { name: string; required?: boolean | undefined }[] | undefined }[]
  >;
  getPrompt(
    name: string,
    args: Record<string, string>,
  ): Promise<{ messages: { content: unknown }[] }>;
  completePromptArg(prompt: string, arg: string, value: string): Promise<string[]>;
  setLoggingLevel(level: "debug" | "info" | "error"): Promise<void>;
  /** Log messages (notifications/message) received so far. */
  logMessages(): unknown[];
  /** The server's stderr, for stdio sessions. */
  stderr(): string;
  close(): Promise<void>;
}

export type Target =
  | {
    transport: "stdio";
    command: string;
    args: string[];
    cwd: string;
    env?: Record<string, string>;
  }
  | { transport: "http"; url: URL; headers?: Record<string, string> };

function v2Options(kind: ClientKind) {
  return kind === "v2-2026"
    ? { capabilities: {}, versionNegotiation: { mode: { pin: "2026-07-28" } } }
    : { capabilities: {} };
}

export async function connectClient(kind: ClientKind, target: Target): Promise<McpSession> {
  let stderrText = "";
  const logs: unknown[] = [];
  const onStderr = (chunk: Uint8Array | string) => {
    stderrText += typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk);
  };
  const env = target.transport === "stdio"
    ? { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", NO_COLOR: "1", ...(target.env ?? {}) }
    : {};
  const info = { name: `interop-${kind}`, version: "1.0.0" };
  if (kind === "v1") {
    const client = new V1Client(info, { capabilities: {} });
    client.fallbackNotificationHandler = (n) => {
      if (n.method === "notifications/message") logs.push(n.params);
      return Promise.resolve();
    };
    if (target.transport === "stdio") {
      const t = new V1Stdio({
        command: target.command,
        args: target.args,
        env,
        stderr: "pipe",
        cwd: target.cwd,
      });
      const started = client.connect(t);
      t.stderr?.on("data", onStderr);
      await started;
    } else {
      await client.connect(
        new V1Http(target.url, { requestInit: { headers: target.headers ?? {} } }),
      );
    }
    return {
      kind,
      // v1 does not expose what it negotiated; its HTTP requests show it (see the conformance test).
      protocolVersion: () => undefined,
      listTools: async () => (await client.listTools()).tools as ToolInfo[],
      callTool: async (name, args, o = {}) =>
        (await client.callTool(
          { name, arguments: args, ...(o.meta ? { _meta: o.meta } : {}) },
          undefined,
          {
            ...(o.signal ? { signal: o.signal } : {}),
            ...(o.onprogress ? { onprogress: o.onprogress } : {}),
          },
        )) as CallToolResult,
      listResources: async () => (await client.listResources()).resources,
      listResourceTemplates: async () => (await client.listResourceTemplates()).resourceTemplates,
      readResource: async (uri) =>
        (await client.readResource({ uri })).contents as { uri: string; text?: string }[],
      listPrompts: async () => (await client.listPrompts()).prompts,
      getPrompt: async (name, args) => await client.getPrompt({ name, arguments: args }),
      completePromptArg: async (prompt, arg, value) =>
        (await client.complete({
          ref: { type: "ref/prompt", name: prompt },
          argument: { name: arg, value },
        })).completion.values,
      setLoggingLevel: async (level) => void await client.setLoggingLevel(level),
      logMessages: () => logs,
      stderr: () => stderrText,
      close: () => client.close(),
    };
  }
  const client = new V2Client(info, v2Options(kind));
  client.setNotificationHandler("notifications/message", (n) => void logs.push(n.params));
  if (target.transport === "stdio") {
    const t = new V2Stdio({
      command: target.command,
      args: target.args,
      env,
      stderr: "pipe",
      cwd: target.cwd,
    });
    // The pinned client may start its own probe process first; the session's stderr is this one's.
    const started = client.connect(t);
    t.stderr?.on("data", onStderr);
    await started;
  } else {
    await client.connect(
      new V2Http(target.url, { requestInit: { headers: target.headers ?? {} } }),
    );
  }
  return {
    kind,
    protocolVersion: () => client.getNegotiatedProtocolVersion(),
    listTools: async () => (await client.listTools()).tools as ToolInfo[],
    callTool: async (name, args, o = {}) =>
      (await client.callTool(
        { name, arguments: args, ...(o.meta ? { _meta: o.meta } : {}) },
        {
          ...(o.signal ? { signal: o.signal } : {}),
          ...(o.onprogress ? { onprogress: o.onprogress } : {}),
        },
      )) as CallToolResult,
    listResources: async () => (await client.listResources()).resources,
    listResourceTemplates: async () => (await client.listResourceTemplates()).resourceTemplates,
    readResource: async (uri) =>
      (await client.readResource({ uri })).contents as { uri: string; text?: string }[],
    listPrompts: async () => (await client.listPrompts()).prompts,
    getPrompt: async (name, args) => await client.getPrompt({ name, arguments: args }),
    completePromptArg: async (prompt, arg, value) =>
      (await client.complete({
        ref: { type: "ref/prompt", name: prompt },
        argument: { name: arg, value },
      })).completion.values,
    setLoggingLevel: async (level) => void await client.setLoggingLevel(level),
    logMessages: () => logs,
    stderr: () => stderrText,
    close: () => client.close(),
  };
}
