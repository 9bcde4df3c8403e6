/**
 * The sandbox worker's way to the ruff engine: the engine's own worker is started by the main
 * thread (a worker started from a worker takes half a second longer to start), so the sandbox
 * worker hands each check to its parent and awaits the answer. Same function shape as the engine.
 */
/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
import type { EngineOutcome } from "../linters/ruff/engine.ts";
import type { EngineRequest, RuffEngine } from "../linters/ruff/engine_client.ts";

/** Worker -> main: check this; or stop checking that. */
export type RelayRequest = { engine: EngineRequest } | { engineCancel: number };
/** Main -> worker: the answer to check `id`. */
export interface RelayAnswer {
  engineAnswer: { id: number; outcome: EngineOutcome };
}

const pending = new Map<number, (outcome: EngineOutcome) => void>();
let nextId = 1;

/** Checks text with the engine the main thread runs. Never rejects. */
export const relayedRuffEngine: RuffEngine = (
  source,
  settings,
  relPath,
  perFileIgnores = [],
  signal,
) => {
  if (signal?.aborted) return Promise.resolve(cancelled());
  const id = nextId++;
  return new Promise<EngineOutcome>((resolve) => {
    const onAbort = () => {
      pending.delete(id);
      self.postMessage({ engineCancel: id } satisfies RelayRequest);
      resolve(cancelled());
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    pending.set(id, (outcome) => {
      signal?.removeEventListener("abort", onAbort);
      resolve(outcome);
    });
    self.postMessage(
      { engine: { id, source, settings, relPath, perFileIgnores } } satisfies RelayRequest,
    );
  });
};

/** Delivers an answer from the main thread. */
export function deliverEngineAnswer(answer: RelayAnswer["engineAnswer"]): void {
  const resolve = pending.get(answer.id);
  pending.delete(answer.id);
  resolve?.(answer.outcome);
}

function cancelled(): EngineOutcome {
  return { ok: false, reason: "The ruff check was cancelled", kind: "engine" };
}
