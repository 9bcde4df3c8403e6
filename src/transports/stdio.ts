/**
 * stdio transport: the SDK's serveStdio (which picks the era from the connection's
 * opening: a 2025 `initialize` or a 2026-07-28 request with its `_meta`) over our
 * DenoStdioTransport on Deno's own stdin and stdout. stdout carries protocol messages
 * only; the process ends when the client closes stdin or on SIGINT/SIGTERM.
 */
import type { McpServerFactory } from "../sdk.ts";
import { serveStdio as sdkServeStdio } from "@modelcontextprotocol/server/stdio";
import { DenoStdioTransport } from "./stdio_transport.ts";
import { log } from "../observability/log.ts";

/**
 * Serves until stdin ends. `afterFirstAnswer` runs once the first message has been
 * written, whichever era the client speaks (a 2026 client sends no `initialized`).
 */
export function serveStdio(
  factory: McpServerFactory,
  onClose: () => Promise<void> | void,
  afterFirstAnswer?: () => void,
): void {
  const logger = log("stdio");
  let closing = false;
  const handle: { current?: { close(): Promise<void> } } = {};
  const close = async (why: string) => {
    if (closing) return;
    closing = true;
    logger.info("shutting down", { why });
    try {
      await handle.current?.close();
    } finally {
      await onClose();
    }
  };
  const transport = new DenoStdioTransport({
    onEnd: () => void close("stdin closed").then(() => Deno.exit(0)),
    ...(afterFirstAnswer ? { onFirstSend: afterFirstAnswer } : {}),
  });
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    try {
      Deno.addSignalListener(sig, () => void close(sig).then(() => Deno.exit(0)));
    } catch {
      // Signals unsupported on this platform (SIGTERM on Windows): stdin EOF still ends the process.
    }
  }
  handle.current = sdkServeStdio(factory, {
    transport,
    onerror: (err) => logger.debug("stdio: a message was refused", { error: err.message }),
  });
  logger.info("serving over stdio");
}
