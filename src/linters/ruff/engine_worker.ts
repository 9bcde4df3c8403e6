/**
 * Entry of the ruff engine's own worker: it is handed text and settings, checks them with
 * the in-process engine and answers. It opens no file, so its permissions grant nothing
 * beyond reading its own modules (under `deno run`).
 */
/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
import { runEngine } from "./engine.ts";
import type { EngineRequest, EngineResponse } from "./engine_client.ts";

self.onmessage = async (event: MessageEvent<EngineRequest>) => {
  const { id, source, settings, relPath, perFileIgnores } = event.data;
  let response: EngineResponse;
  try {
    response = { id, outcome: await runEngine(source, settings, relPath, perFileIgnores) };
  } catch (err) {
    response = {
      id,
      outcome: {
        ok: false,
        reason: err instanceof Error ? err.message : String(err),
        kind: "engine",
      },
    };
  }
  self.postMessage(response);
};
