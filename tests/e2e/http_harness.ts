/**
 * Starts the real server over HTTP the way an HTTP deployment runs it: `deno run` with
 * the permission module's HTTP flags (the ones the README's HTTP command shows), on a
 * free loopback port; connects the official SDK client with StreamableHTTPClientTransport.
 */
import * as path from "node:path";
import { denoRunFlags } from "../../src/permissions.ts";
import { APP_DIR } from "./harness.ts";
import { Client, StreamableHTTPClientTransport } from "../sdk_client.ts";

export interface HttpServerOptions {
  /** Loopback fake of raw.githubusercontent.com. */
  fakeGitHub?: { base: string; net: string };
  env?: Record<string, string>;
  extraArgs?: string[];
  /** Passed as --jwks-url; its host:port joins --allow-net. */
  jwksUrl?: string;
  /** Passed as --api-keys-file; it joins --allow-read. */
  apiKeysFile?: string;
  /** A port chosen by the caller (e.g. to name it in --resource-url first). */
  port?: number;
  /** Passed as --redis-url; its host:port joins --allow-net. */
  redisUrl?: string;
}

export interface HttpServer {
  port: number;
  /** http://127.0.0.1:PORT */
  base: string;
  /** http://127.0.0.1:PORT/mcp */
  mcpUrl: URL;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Everything written to stdout so far (HTTP mode writes nothing there). */
  stdout(): string;
  /** Sends a signal; the process keeps running until it exits by itself. */
  kill(signal: Deno.Signal): void;
  /** Settles when the process has exited and its output is read. */
  exited: Promise<Deno.CommandStatus>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<Deno.CommandStatus>;
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** The argv after `deno` for an HTTP server on `root` at 127.0.0.1:`port`. */
export function httpServerArgs(root: string, port: number, opts: HttpServerOptions = {}): string[] {
  const flags = denoRunFlags({
    read: [root, path.join(APP_DIR, "src")],
    ...(opts.fakeGitHub ? { net: opts.fakeGitHub.net } : {}),
    http: {
      host: "127.0.0.1",
      port,
      ...(opts.jwksUrl !== undefined ? { jwksUrl: opts.jwksUrl } : {}),
      ...(opts.apiKeysFile !== undefined ? { apiKeysFile: opts.apiKeysFile } : {}),
      ...(opts.redisUrl !== undefined ? { redisUrl: opts.redisUrl } : {}),
    },
  });
  return [
    "run",
    ...flags,
    path.join(APP_DIR, "main.ts"),
    "--root",
    root,
    "--transport",
    "http",
    "--port",
    String(port),
    ...(opts.fakeGitHub ? ["--github-raw-base", opts.fakeGitHub.base] : []),
    ...(opts.jwksUrl !== undefined ? ["--jwks-url", opts.jwksUrl] : []),
    ...(opts.apiKeysFile !== undefined ? ["--api-keys-file", opts.apiKeysFile] : []),
    ...(opts.redisUrl !== undefined ? ["--redis-url", opts.redisUrl] : []),
    ...(opts.extraArgs ?? []),
  ];
}

async function collect(
  stream: ReadableStream<Uint8Array>,
  sink: (s: string) => void,
): Promise<void> {
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) sink(chunk);
}

/** Spawns the server (no wait). */
export function spawnHttpServer(
  root: string,
  port: number,
  opts: HttpServerOptions = {},
): HttpServer {
  const child = new Deno.Command(Deno.execPath(), {
    args: httpServerArgs(root, port, opts),
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", NO_COLOR: "1", ...(opts.env ?? {}) },
    clearEnv: true,
    cwd: APP_DIR,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let err = "";
  let out = "";
  const reading = Promise.all([
    collect(child.stderr, (s) => (err += s)),
    collect(child.stdout, (s) => (out += s)),
  ]);
  const exited = Promise.all([child.status, reading]).then(([status]) => status);
  const base = `http://127.0.0.1:${port}`;
  return {
    port,
    base,
    mcpUrl: new URL("/mcp", base),
    stderr: () => err,
    stdout: () => out,
    kill: (signal) => {
      try {
        child.kill(signal);
      } catch {
        // Already exited.
      }
    },
    exited,
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch {
        // Already exited.
      }
      return await exited;
    },
  };
}

/** Starts the server and waits until /ready answers 200 (at most 30 s). */
export async function startHttpServer(
  root: string,
  opts: HttpServerOptions = {},
): Promise<HttpServer> {
  const s = spawnHttpServer(root, opts.port ?? freePort(), opts);
  let exited = false;
  s.exited.then(() => (exited = true));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (exited) {
      const st = await s.exited;
      throw new Error(
        `server exited with code ${st.code} before it was ready\nstderr:\n${s.stderr()}`,
      );
    }
    try {
      const res = await fetch(`${s.base}/ready`);
      await res.body?.cancel();
      if (res.status === 200) return s;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await s.stop();
  throw new Error(`server not ready within 30 s\nstderr:\n${s.stderr()}`);
}

/** The SDK client connected over Streamable HTTP, with optional extra headers (Authorization). */
export async function connectHttp(
  url: URL,
  headers: Record<string, string> = {},
  fetchImpl?: typeof fetch,
): Promise<{ client: Client; transport: StreamableHTTPClientTransport; close(): Promise<void> }> {
  const transport = new StreamableHTTPClientTransport(url, {
    requestInit: { headers },
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  });
  const client = new Client({ name: "e2e-http", version: "1.0.0" }, { capabilities: {} });
  await client.connect(transport);
  return {
    client,
    transport,
    close: async () => {
      await client.close();
    },
  };
}

/** The headers a raw MCP POST needs. */
export const MCP_HEADERS = {
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
} as const;

export const INITIALIZE = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "raw", version: "1" },
  },
} as const;

/** POSTs one JSON-RPC message; returns status, headers and the body as text. */
export async function rawPost(
  url: URL | string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; text: string }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { ...MCP_HEADERS, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** The JSON-RPC messages of a response body, whether plain JSON or SSE `data:` lines. */
export function messagesOf(text: string): Record<string, unknown>[] {
  const trimmed = text.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    const v = JSON.parse(trimmed);
    return Array.isArray(v) ? v : [v];
  }
  return trimmed.split("\n").filter((l) => l.startsWith("data: ")).map((l) =>
    JSON.parse(l.slice(6))
  );
}

/** Parsed JSON log lines from a server's stderr (Deno's own plain notes skipped). */
export function logLines(stderr: string): Record<string, unknown>[] {
  return stderr.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
}

/** Polls `check` every 25 ms until it holds (at most `timeoutMs`); log lines reach stderr a little late. */
export async function waitFor(
  check: () => boolean,
  what: string,
  timeoutMs = 3_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
