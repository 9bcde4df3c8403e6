/**
 * The built-in ruff engine behind a function call: each check goes to a worker of its own,
 * started on the first check and terminated after an idle period, so a session that never
 * lints Python never holds the engine (over 100 MiB once loaded). The worker is handed text
 * and settings, never a path: it may read nothing but its own modules, run and fetch nothing.
 */
import { fileURLToPath } from "node:url";
import type { EngineOutcome } from "./engine.ts";
import type { RuffSettings } from "./config.ts";
import type { PerFileIgnore } from "./per_file_ignores.ts";
import { DEFAULT_RUFF_IDLE_MS } from "../../options.ts";

/** How long the engine stays loaded after its last check, unless configured otherwise (--ruff-idle-ms). */
export { DEFAULT_RUFF_IDLE_MS };

export interface EngineRequest {
  id: number;
  source: string;
  settings: RuffSettings;
  relPath: string;
  perFileIgnores: readonly PerFileIgnore[];
}

export interface EngineResponse {
  id: number;
  outcome: EngineOutcome;
}

/** Checks Python text with settings: the shape of the engine, wherever it runs. */
export type RuffEngine = (
  source: string,
  settings: RuffSettings,
  relPath: string,
  perFileIgnores?: readonly PerFileIgnore[],
  signal?: AbortSignal,
) => Promise<EngineOutcome>;

/**
 * The engine worker's permissions: read access to the engine's own modules under `deno run`
 * (none in a compiled binary, which loads them from its embedded file system), nothing else.
 */
export function ruffWorkerPermissions(
  standalone: boolean = Deno.build.standalone === true,
  moduleUrl: URL = new URL("./", import.meta.url),
): Deno.PermissionOptionsObject {
  const read = !standalone && moduleUrl.protocol === "file:" ? [fileURLToPath(moduleUrl)] : false;
  return {
    read,
    write: false,
    net: false,
    run: false,
    env: false,
    ffi: false,
    sys: false,
    import: false,
  };
}

interface Pending {
  resolve(outcome: EngineOutcome): void;
  cleanup(): void;
}

/** The engine worker's life: started on demand, replaced when it dies, released when idle. */
export class RuffEngineClient {
  #worker: Worker | undefined;
  #pending = new Map<number, Pending>();
  #nextId = 1;
  #starts = 0;
  #idleMs: number;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;

  readonly #onChange: ((event: "started" | "released") => void) | undefined;

  /** onChange hears when the engine's worker starts and when it is released (for the log). */
  constructor(
    options: { idleMs?: number; onChange?: (event: "started" | "released") => void } = {},
  ) {
    this.#idleMs = options.idleMs ?? DEFAULT_RUFF_IDLE_MS;
    this.#onChange = options.onChange;
  }

  /** Changes the idle period; takes effect from the next check. */
  setIdleMs(ms: number): void {
    this.#idleMs = ms;
  }

  /** Whether the engine's worker is running now; how many times it was started. */
  stats(): { loaded: boolean; starts: number; pending: number } {
    return {
      loaded: this.#worker !== undefined,
      starts: this.#starts,
      pending: this.#pending.size,
    };
  }

  /** Checks text in the worker. Never rejects: a dead worker or a cancelled check is an engine failure. */
  readonly check: RuffEngine = (source, settings, relPath, perFileIgnores = [], signal) => {
    if (signal?.aborted) return Promise.resolve(failed("cancelled"));
    const worker = this.#ensure();
    const id = this.#nextId++;
    return new Promise<EngineOutcome>((resolve) => {
      const onAbort = () => {
        this.#pending.delete(id);
        resolve(failed("cancelled"));
        // The only way to stop wasm that runs away is to end its worker.
        if (this.#pending.size === 0) this.close();
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#pending.set(id, {
        resolve,
        cleanup: () => signal?.removeEventListener("abort", onAbort),
      });
      worker.postMessage({ id, source, settings, relPath, perFileIgnores } satisfies EngineRequest);
    });
  };

  #ensure(): Worker {
    this.#clearIdle();
    if (this.#worker) return this.#worker;
    const worker = new Worker(new URL("./engine_worker.ts", import.meta.url), {
      type: "module",
      name: "ruff-engine",
      deno: { permissions: ruffWorkerPermissions() },
    } as WorkerOptions);
    this.#starts++;
    worker.onmessage = (e: MessageEvent<EngineResponse>) => this.#answer(e.data);
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.#drop(`The built-in ruff engine failed: ${e.message}`);
    };
    worker.onmessageerror = () => this.#drop("The built-in ruff engine sent an unreadable answer");
    this.#worker = worker;
    this.#onChange?.("started");
    return worker;
  }

  #answer(msg: EngineResponse): void {
    const p = this.#pending.get(msg.id);
    if (p !== undefined) {
      this.#pending.delete(msg.id);
      p.cleanup();
      p.resolve(msg.outcome);
    }
    if (this.#pending.size === 0) this.#armIdle();
  }

  #armIdle(): void {
    this.#clearIdle();
    const timer = setTimeout(() => {
      this.#idleTimer = undefined;
      if (this.#pending.size === 0) this.close();
    }, this.#idleMs);
    // An idle engine never keeps the process alive.
    Deno.unrefTimer(timer);
    this.#idleTimer = timer;
  }

  #clearIdle(): void {
    if (this.#idleTimer !== undefined) clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
  }

  #drop(error: string): void {
    this.#clearIdle();
    const had = this.#worker !== undefined;
    this.#worker?.terminate();
    this.#worker = undefined;
    if (had) this.#onChange?.("released");
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) {
      p.cleanup();
      p.resolve(failed(error));
    }
  }

  /** Ends the worker now (its memory goes with it); checks in flight fail, the next check starts a new one. */
  close(): void {
    this.#drop("The built-in ruff engine was stopped");
  }
}

function failed(error: string): EngineOutcome {
  return {
    ok: false,
    reason: error === "cancelled" ? "The ruff check was cancelled" : error,
    kind: "engine",
  };
}

/** The process's (or the sandbox worker's) one engine. */
export const ruffEngine = new RuffEngineClient();
