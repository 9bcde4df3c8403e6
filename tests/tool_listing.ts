/**
 * The tools/list entries exactly as a client receives them, produced by the real
 * McpServer over an in-memory transport (no process, no sandbox calls).
 */
import { createServer } from "../src/server.ts";
import type { Config } from "../src/config.ts";
import type { SandboxClient } from "../src/sandbox/client.ts";
import type { GitHubRawClient } from "../src/github/raw_client.ts";
import { ALL_LINTERS } from "../src/linters/registry.ts";
import { defaultHttpConfig } from "../src/config_http.ts";
import { Client, InMemoryTransport } from "./sdk_client.ts";

export const TEST_CONFIG: Config = Object.freeze({
  root: "/nonexistent-root",
  rootArg: "/nonexistent-root",
  transport: "stdio",
  host: "127.0.0.1",
  port: 8000,
  linters: [...ALL_LINTERS],
  logLevel: "error",
  githubRawBase: "https://raw.githubusercontent.com",
  githubNet: "raw.githubusercontent.com:443",
  githubToken: undefined,
  linterTimeoutMs: 30_000,
  fetchTimeoutMs: 15_000,
  ruffIdleMs: 300_000,
  allowHardLinks: false,
  linterPath: "/usr/bin:/bin",
  http: defaultHttpConfig(),
  maxOutputBytes: 80_000,
  allowSecretFiles: false,
});

export interface ListedTool {
  name: string;
  title?: string;
  description?: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}

export async function toolsListEntries(): Promise<ListedTool[]> {
  const server = createServer({
    config: TEST_CONFIG,
    sandbox: {} as SandboxClient,
    github: {} as GitHubRawClient,
  });
  const [a, b] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: "schema-test", version: "1" });
  await Promise.all([server.connect(a), client.connect(b)]);
  try {
    const { tools } = await client.listTools();
    return tools as ListedTool[];
  } finally {
    await client.close();
    await server.close();
  }
}
