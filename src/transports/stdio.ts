/**
 * stdio transport: the SDK's line framing on Deno's own stdin and stdout (DenoStdioTransport).
 * stdout carries protocol messages only; the process ends when the client closes stdin or on
 * SIGINT/SIGTERM.
 */
import type { McpServer } from "../sdk.ts";
import { DenoStdioTransport } from "./stdio_transport.ts";
import { log } from "../observability/log.ts";

export async function serveStdio(
  server: McpServer,
  onClose: () => Promise<void> | void,
  onInitialized?: () => void,
): Promise<void> {
  let closing = false;
  const close = async (why: string) => {
    if (closing) return;
    closing = true;
    log("stdio").info("shutting down", { why });
    try {
      await server.close();
    } finally {
      await onClose();
    }
  };
  const transport = new DenoStdioTransport({ onEnd: () => void close("stdin closed").then(() => Deno.exit(0)) });
  transport.onclose = () => void close("transport closed");
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    try {
      Deno.addSignalListener(sig, () => void close(sig).then(() => Deno.exit(0)));
    } catch {
      // Signals unsupported on this platform (SIGTERM on Windows): stdin EOF still ends the process.
    }
  }
  if (onInitialized) server.server.oninitialized = onInitialized;
  await server.connect(transport);
  log("stdio").info("serving over stdio");
}
