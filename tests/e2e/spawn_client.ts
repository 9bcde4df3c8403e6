/**
 * Connects the official SDK client over stdio to any command: a compiled binary, or
 * main.ts under `deno run` with a given flag set, started from a given folder.
 */
import { Client, StdioClientTransport } from "../sdk_client.ts";
import type { CallToolResult } from "../../src/sdk.ts";

export interface Spawned {
  client: Client;
  stderr(): string;
  close(): Promise<void>;
}

export interface SpawnOptions {
  command: string;
  args: string[];
  cwd: string;
  env?: Record<string, string>;
}

export async function spawnClient(o: SpawnOptions): Promise<Spawned> {
  const transport = new StdioClientTransport({
    command: o.command,
    args: o.args,
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", NO_COLOR: "1", ...(o.env ?? {}) },
    stderr: "pipe",
    cwd: o.cwd,
  });
  let stderrText = "";
  const client = new Client({ name: "e2e-spawn", version: "1.0.0" }, { capabilities: {} });
  const started = client.connect(transport);
  transport.stderr?.on("data", (chunk: Uint8Array | string) => {
    stderrText += typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk);
  });
  try {
    await started;
  } catch (err) {
    await transport.close().catch(() => {});
    throw new Error(`server failed to start: ${(err as Error).message}\nstderr:\n${stderrText}`);
  }
  return { client, stderr: () => stderrText, close: () => client.close() };
}

export async function callTool(
  s: Spawned,
  name: string,
  args: Record<string, unknown>,
): Promise<CallToolResult> {
  return (await s.client.callTool({ name, arguments: args })) as CallToolResult;
}

export function resultText(r: CallToolResult): string {
  return r.content.map((c) => (c.type === "text" ? c.text : "")).join("\n");
}
