/**
 * The sandbox worker's way to the ruff engine: the engine's own worker is started by the main
 * thread (a worker started from a worker takes half a second longer to start), so the sandbox
 * worker hands each check to its parent and awaits the answer. Same function shape as the engine.
 */
/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
import type { EngineOutcome } from "../linters/ruff/engine.ts";
import type { EngineRequest, RuffBatchEngine, RuffEngine } from "../linters/ruff/engine_client.ts";

/** Worker -> main: check this; or stop checking that. */
export type RelayRequest = { engine: EngineRequest } | { engineCancel: number };
/** Main -> worker: the answer to check `id`. */
export interface RelayAnswer {
  engineAnswer: { id: number; outcomes: EngineOutcome[] };
}

const pending = new Map<number, (outcomes: EngineOutcome[]) => void>();
let nextId = 1;

/** Checks files that share settings with the engine the main thread runs, in one message. Never rejects. */
export const relayedRuffBatchEngine: RuffBatchEngine = (
  files,
  settings,
  perFileIgnores = [],
  signal,
) => {
  if (signal?.aborted) return Promise.resolve(files.map(cancelled));
  const id = nextId++;
  return new Promise<EngineOutcome[]>((resolve) => {
    const onAbort = () => {
      pending.delete(id);
      self.postMessage({ engineCancel: id } satisfies RelayRequest);
      resolve(files.map(cancelled));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    pending.set(id, (outcomes) => {
      signal?.removeEventListener("abort", onAbort);
      resolve(outcomes);
    });
    self.postMessage(
      { engine: { id, files, settings, perFileIgnores } } satisfies RelayRequest,
    );
  });
};

/** Checks one file's text with the engine the main thread runs. Never rejects. */
export const relayedRuffEngine: RuffEngine = async (
  source,
  settings,
  relPath,
  perFileIgnores = [],
  signal,
) => (await relayedRuffBatchEngine([{ source, relPath }], settings, perFileIgnores, signal))[0]!;

/** Delivers an answer from the main thread. */
export function deliverEngineAnswer(answer: RelayAnswer["engineAnswer"]): void {
  const resolve = pending.get(answer.id);
  pending.delete(answer.id);
  resolve?.(answer.outcomes);
}

function cancelled(): EngineOutcome {
  return { ok: false, reason: "The ruff check was cancelled", kind: "engine" };
}
