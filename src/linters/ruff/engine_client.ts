/**
 * The built-in ruff engine behind a function call: each check goes to a worker of its own,
 * started on the first check and terminated after an idle period, so a session that never
 * lints Python never holds the engine (over 100 MiB once loaded). The worker is handed text
 * and settings, never a path: it may read nothing but its own modules, run and fetch nothing.
 */
import { fileURLToPath } from "node:url";
import type { BatchFile, EngineOutcome } from "./engine.ts";
import type { RuffSettings } from "./config.ts";
import type { PerFileIgnore } from "./per_file_ignores.ts";
import { DEFAULT_RUFF_IDLE_MS } from "../../options.ts";

/** How long the engine stays loaded after its last check, unless configured otherwise (--ruff-idle-ms). */
export { DEFAULT_RUFF_IDLE_MS };

/** Files that share settings, checked in one message (a project lint sends many per message). */
export interface EngineRequest {
  id: number;
  files: readonly BatchFile[];
  settings: RuffSettings;
  perFileIgnores: readonly PerFileIgnore[];
}

/** The compiled engine, either way: from the first engine worker, then to the next ones. */
export interface ModuleMessage {
  module: WebAssembly.Module;
}

/** One outcome per file of the request, in its order. */
export interface EngineResponse {
  id: number;
  outcomes: EngineOutcome[];
}

/** Checks Python text with settings: the shape of the engine, wherever it runs. */
export type RuffEngine = (
  source: string,
  settings: RuffSettings,
  relPath: string,
  perFileIgnores?: readonly PerFileIgnore[],
  signal?: AbortSignal,
) => Promise<EngineOutcome>;

/** Checks many files that share settings: one outcome per file, in their order. */
export type RuffBatchEngine = (
  files: readonly BatchFile[],
  settings: RuffSettings,
  perFileIgnores?: readonly PerFileIgnore[],
  signal?: AbortSignal,
) => Promise<EngineOutcome[]>;

/** A batch engine made of a one-file engine (tests' in-process engine): the files one by one. */
export function batchOf(engine: RuffEngine): RuffBatchEngine {
  return async (files, settings, perFileIgnores = [], signal) => {
    const out: EngineOutcome[] = [];
    for (const f of files) {
      out.push(await engine(f.source, settings, f.relPath, perFileIgnores, signal));
    }
    return out;
  };
}

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

/**
 * Most engine workers at once: one per core, at most two. Each engine is single-threaded wasm;
 * a second one lets a project lint use both cores of a small machine. Measured on the benchmark's
 * 1,000-file project (Liftoff code, see V8_FLAGS in src/permissions.ts): the first engine adds
 * about 60 MiB to the process, the second about 35 MiB (the compiled code is shared between
 * workers), so the cap bounds the engines at about 100 MiB whatever the core count.
 */
export const RUFF_MAX_WORKERS = 2;

/** Engine workers for this machine: one per core up to RUFF_MAX_WORKERS (one on a single core). */
export function defaultRuffWorkers(
  cores: number = globalThis.navigator?.hardwareConcurrency ?? 1,
): number {
  return Math.max(1, Math.min(RUFF_MAX_WORKERS, Math.floor(cores) || 1));
}

/** A check on its way: what to post, and how to answer it. */
interface Job {
  id: number;
  request: EngineRequest;
  resolve(outcomes: EngineOutcome[]): void;
  /** Fails every file of the batch with this engine failure. */
  fail(error: string): void;
  cleanup(): void;
}

/** A check posted to a worker. */
type Pending = Job & { slot: Slot };

/** One engine worker and the checks it holds now. */
interface Slot {
  worker: Worker;
  inFlight: number;
  /** Whether it has answered once (its engine loaded, and compiled what a check runs). */
  ready: boolean;
}

/**
 * The engine workers' life: the first started on demand, a second only while checks queue up
 * (a project lint; never for one file), each replaced when it dies, all released when idle.
 */
export class RuffEngineClient {
  #slots: Slot[] = [];
  #pending = new Map<number, Pending>();
  /** Checks kept while an engine loads (not yet posted to any worker). */
  #waiting: Job[] = [];
  #nextId = 1;
  #starts = 0;
  #idleMs: number;
  #maxWorkers: number;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** The compiled engine, from the first worker that loaded it; dropped when every worker is. */
  #module: WebAssembly.Module | undefined;

  readonly #onChange: ((event: "started" | "released") => void) | undefined;

  /**
   * onChange hears when the engine starts (its first worker) and when it is released (its last);
   * maxWorkers caps the workers (default: defaultRuffWorkers()).
   */
  constructor(
    options: {
      idleMs?: number;
      maxWorkers?: number;
      onChange?: (event: "started" | "released") => void;
    } = {},
  ) {
    this.#idleMs = options.idleMs ?? DEFAULT_RUFF_IDLE_MS;
    this.#maxWorkers = Math.max(1, options.maxWorkers ?? defaultRuffWorkers());
    this.#onChange = options.onChange;
  }

  /** Changes the idle period; takes effect from the next check. */
  setIdleMs(ms: number): void {
    this.#idleMs = ms;
  }

  /**
   * Whether an engine worker is running now; how many were started; how many run now; whether
   * the compiled engine is held for the next worker (from the first worker that loaded it).
   */
  stats(): {
    loaded: boolean;
    starts: number;
    pending: number;
    workers: number;
    moduleShared: boolean;
  } {
    return {
      loaded: this.#slots.length > 0,
      starts: this.#starts,
      pending: this.#pending.size + this.#waiting.length,
      workers: this.#slots.length,
      moduleShared: this.#module !== undefined,
    };
  }

  /** Checks text in a worker. Never rejects: a dead worker or a cancelled check is an engine failure. */
  readonly check: RuffEngine = async (source, settings, relPath, perFileIgnores = [], signal) =>
    (await this.checkBatch([{ source, relPath }], settings, perFileIgnores, signal))[0]!;

  /**
   * Checks files that share settings in one worker, in one message. Never rejects: a dead
   * worker or a cancelled batch fails each of its files as an engine failure.
   */
  readonly checkBatch: RuffBatchEngine = (files, settings, perFileIgnores = [], signal) => {
    const failAll = (error: string) => files.map(() => failed(error));
    if (signal?.aborted) return Promise.resolve(failAll("cancelled"));
    if (files.length === 0) return Promise.resolve([]);
    const id = this.#nextId++;
    return new Promise<EngineOutcome[]>((resolve) => {
      const job: Job = {
        id,
        request: { id, files, settings, perFileIgnores },
        resolve: (outcomes) =>
          resolve(
            outcomes.length === files.length ? outcomes : failAll(
              "The built-in ruff engine answered for another number of files",
            ),
          ),
        fail: (error) => resolve(failAll(error)),
        cleanup: () => signal?.removeEventListener("abort", onAbort),
      };
      const onAbort = () => {
        const waiting = this.#waiting.indexOf(job);
        if (waiting !== -1) {
          this.#waiting.splice(waiting, 1);
          resolve(failAll("cancelled"));
          return;
        }
        const p = this.#pending.get(id);
        if (p === undefined) return;
        this.#pending.delete(id);
        p.slot.inFlight--;
        resolve(failAll("cancelled"));
        // The only way to stop wasm that runs away is to end its worker.
        if (p.slot.inFlight === 0) this.#end(p.slot, "The built-in ruff engine was stopped");
        else if (this.#pending.size === 0) this.#armIdle();
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#dispatch(job);
    });
  };

  /** Posts a job to the worker #choose names, or keeps it until an engine has loaded. */
  #dispatch(job: Job): void {
    const slot = this.#choose();
    if (slot === undefined) {
      this.#waiting.push(job);
      return;
    }
    this.#pending.set(job.id, { ...job, slot });
    slot.inFlight++;
    slot.worker.postMessage(job.request satisfies EngineRequest);
  }

  /** Dispatches the jobs kept while an engine loaded. */
  #drain(): void {
    const jobs = this.#waiting.splice(0);
    for (const job of jobs) this.#dispatch(job);
  }

  /**
   * An idle worker if there is one, else a new one while under the cap, else the least busy;
   * undefined (wait) while under the cap and an engine is still loading.
   */
  #choose(): Slot | undefined {
    this.#clearIdle();
    let best: Slot | undefined;
    for (const s of this.#slots) {
      if (best === undefined || s.inFlight < best.inFlight) best = s;
    }
    if (best !== undefined && (best.inFlight === 0 || this.#slots.length >= this.#maxWorkers)) {
      return best;
    }
    // One engine loads at a time, so that two loads never add their peaks together: the next
    // starts once the last has answered (it then gets the compiled module, no second decode,
    // and finds most functions compiled; starting it as soon as the module was compiled made
    // the first call about 1 s faster but the peak about 18 MiB higher, both engines compiling
    // at once). Meanwhile the checks wait, rather than queue up on the busy one.
    if (this.#slots.some((s) => !s.ready)) return undefined;
    return this.#start();
  }

  #start(): Slot {
    const worker = new Worker(new URL("./engine_worker.ts", import.meta.url), {
      type: "module",
      name: "ruff-engine",
      deno: { permissions: ruffWorkerPermissions() },
    } as WorkerOptions);
    const slot: Slot = { worker, inFlight: 0, ready: false };
    this.#starts++;
    // Messages arrive in order: the module is there before the first check.
    if (this.#module !== undefined) {
      worker.postMessage({ module: this.#module } satisfies ModuleMessage);
    }
    worker.onmessage = (e: MessageEvent<EngineResponse | ModuleMessage>) => {
      if ("module" in e.data) {
        if (this.#slots.includes(slot)) this.#module ??= e.data.module;
      } else this.#answer(e.data);
    };
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.#end(slot, `The built-in ruff engine failed: ${e.message}`);
    };
    worker.onmessageerror = () =>
      this.#end(slot, "The built-in ruff engine sent an unreadable answer");
    this.#slots.push(slot);
    if (this.#slots.length === 1) this.#onChange?.("started");
    return slot;
  }

  #answer(msg: EngineResponse): void {
    const p = this.#pending.get(msg.id);
    if (p !== undefined) {
      this.#pending.delete(msg.id);
      p.slot.inFlight--;
      p.slot.ready = true;
      p.cleanup();
      p.resolve(msg.outcomes);
      this.#drain();
    }
    if (this.#pending.size === 0) this.#armIdle();
  }

  #armIdle(): void {
    this.#clearIdle();
    const timer = setTimeout(() => {
      this.#idleTimer = undefined;
      if (this.#pending.size === 0 && this.#waiting.length === 0) this.close();
    }, this.#idleMs);
    // An idle engine never keeps the process alive.
    Deno.unrefTimer(timer);
    this.#idleTimer = timer;
  }

  #clearIdle(): void {
    if (this.#idleTimer !== undefined) clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
  }

  /** Ends one worker; its checks fail with `error`, the others' go on. */
  #end(slot: Slot, error: string): void {
    const i = this.#slots.indexOf(slot);
    if (i === -1) return;
    this.#slots.splice(i, 1);
    slot.worker.terminate();
    slot.inFlight = 0;
    const dropped: Pending[] = [];
    for (const [id, p] of this.#pending) {
      if (p.slot === slot) {
        this.#pending.delete(id);
        dropped.push(p);
      }
    }
    if (this.#slots.length === 0) {
      this.#module = undefined;
      this.#clearIdle();
      this.#onChange?.("released");
    } else if (this.#pending.size === 0) {
      this.#armIdle();
    }
    for (const p of dropped) {
      p.cleanup();
      p.fail(error);
    }
    // Checks that waited for an engine that died: to the others, or to a new one.
    this.#drain();
  }

  /** Ends every worker now (their memory goes with them); checks in flight fail, the next check starts anew. */
  close(): void {
    this.#clearIdle();
    for (const job of this.#waiting.splice(0)) {
      job.cleanup();
      job.fail("The built-in ruff engine was stopped");
    }
    for (const slot of [...this.#slots]) this.#end(slot, "The built-in ruff engine was stopped");
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
