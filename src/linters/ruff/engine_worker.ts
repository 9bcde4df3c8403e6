/**
 * Entry of the ruff engine's own worker: it is handed text and settings, checks them with
 * the in-process engine and answers. It opens no file, so its permissions grant nothing
 * beyond reading its own modules (under `deno run`).
 */
/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
import { type EngineOutcome, loadEngineModule, runEngineBatch, shareModule } from "./engine.ts";
import type { EngineRequest, EngineResponse, ModuleMessage } from "./engine_client.ts";

let moduleSent = false;

self.onmessage = async (event: MessageEvent<EngineRequest | ModuleMessage>) => {
  if ("module" in event.data) {
    shareModule(event.data.module);
    return;
  }
  const { id, files, settings, perFileIgnores } = event.data;
  if (!moduleSent) {
    // The compiled module goes to the client once, before the first answer: the client hands
    // it to the next engine it starts.
    moduleSent = true;
    const module = await loadEngineModule();
    if (module !== undefined) self.postMessage({ module } satisfies ModuleMessage);
  }
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
