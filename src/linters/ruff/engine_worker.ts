/**
 * Entry of the ruff engine's own worker: it is handed text and settings, checks them with
 * the in-process engine and answers. It opens no file, so its permissions grant nothing
 * beyond reading its own modules (under `deno run`).
 */
/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
import { type EngineOutcome, runEngineBatch } from "./engine.ts";
import type { EngineRequest, EngineResponse } from "./engine_client.ts";

self.onmessage = async (event: MessageEvent<EngineRequest>) => {
  const { id, files, settings, perFileIgnores } = event.data;
  let response: EngineResponse;
  try {
    response = { id, outcomes: await runEngineBatch(files, settings, perFileIgnores) };
  } catch (err) {
    const outcome: EngineOutcome = {
      ok: false,
      reason: err instanceof Error ? err.message : String(err),
      kind: "engine",
    };
    response = { id, outcomes: files.map(() => outcome) };
  }
  self.postMessage(response);
};
