/**
 * Main-side stub of the sandbox worker: typed calls over postMessage with ids,
 * per-call timeouts and cancellation. A worker that dies is replaced on the next call.
 */
import type { CompletionRequest, ListDirectoryResult, Outcome, PackedListing, ReadFileRequest, ReadFileResult } from "./files.ts";
import { unpackListing } from "./files.ts";
import type { LintOutcome, LintRequest } from "./lint.ts";
import type { FetchRawRequest, FetchRawResult } from "./protocol.ts";
import type { WorkerRequest, WorkerResponse } from "./messages.ts";
import { fileURLToPath } from "node:url";
import { workerPermissions } from "./permissions.ts";
import { log } from "../observability/log.ts";

export interface SandboxOptions {
  root: string;
  /** host:port the worker may connect to. */
  net: string;
  /** Linter binaries the worker may start. */
  run: readonly string[];
  /** Upper bound for any one call, after which it is cancelled. */
  callTimeoutMs?: number;
}

/** A failure of the sandbox itself (not a policy refusal): unexpected, logged, reported as internal. */
export class SandboxError extends Error {
  override name = "SandboxError";
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: ReturnType<typeof setTimeout>;
  cleanup(): void;
}

type Op = WorkerRequest["op"];
type ArgsOf<O extends Op> = Extract<WorkerRequest, { op: O }>["args"];

/**
 * Where the worker's own modules live; it needs read access there under `deno run`. A
 * compiled binary loads them from its embedded file system without a permission check,
 * so it grants nothing: their paths there (under the temp folder) are not the project's.
 */
export function workerModuleDirs(
  srcUrl: URL = new URL("../", import.meta.url),
  standalone: boolean = Deno.build.standalone === true,
): string[] {
  if (standalone) return [];
  return srcUrl.protocol === "file:" ? [fileURLToPath(srcUrl)] : [];
}

function granted(desc: Deno.PermissionDescriptor): boolean {
  try {
    return Deno.permissions.querySync(desc).state === "granted";
  } catch {
    return false;
  }
}

export class SandboxClient {
  #worker: Worker | undefined;
  #nextId = 1;
  #workerStarts = 0;
  #pending = new Map<number, Pending>();
  readonly #opts: SandboxOptions;
  readonly #timeoutMs: number;

  constructor(opts: SandboxOptions) {
    this.#opts = opts;
    this.#timeoutMs = opts.callTimeoutMs ?? 120_000;
  }

  /** Workers started so far: one per process, more only after a worker died (metrics). */
  stats(): { workerStarts: number; pending: number } {
    return { workerStarts: this.#workerStarts, pending: this.#pending.size };
  }

  /** Starts the worker now rather than on the first call. */
  start(): void {
    this.#ensure();
  }

  #ensure(): Worker {
    if (this.#worker) return this.#worker;
    // A worker may not ask for more than the process holds, so keep only what is granted.
    const permissions = workerPermissions({
      root: this.#opts.root,
      moduleDirs: workerModuleDirs(),
      net: granted({ name: "net", host: this.#opts.net }) ? this.#opts.net : undefined,
      run: this.#opts.run.filter((command) => granted({ name: "run", command })),
    });
    const worker = new Worker(new URL("./worker.ts", import.meta.url), {
      type: "module",
      name: "sandbox",
      deno: { permissions },
    } as WorkerOptions);
    this.#workerStarts++;
    worker.onmessage = (e: MessageEvent<WorkerResponse>) => this.#onMessage(e.data);
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      log("sandbox").error("sandbox worker failed", { error: e.message });
      this.#fail(new SandboxError(`sandbox worker failed: ${e.message}`));
    };
    worker.onmessageerror = () => this.#fail(new SandboxError("sandbox worker sent an unreadable message"));
    this.#worker = worker;
    return worker;
  }

  #fail(err: Error): void {
    this.#worker?.terminate();
    this.#worker = undefined;
    for (const [, p] of this.#pending) {
      p.cleanup();
      p.reject(err);
    }
    this.#pending.clear();
  }

  #onMessage(msg: WorkerResponse): void {
    const p = this.#pending.get(msg.id);
    if (!p) return;
    this.#pending.delete(msg.id);
    p.cleanup();
    if (msg.ok) p.resolve(msg.value);
    else {
      const err = new SandboxError(`${msg.error.name}: ${msg.error.message}`);
      err.stack = msg.error.stack;
      p.reject(err);
    }
  }

  call<O extends Op, T>(op: O, args: ArgsOf<O>, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<T> {
    const worker = this.#ensure();
    const id = this.#nextId++;
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(new DOMException("cancelled", "AbortError"));
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        worker.postMessage({ cancel: id });
        this.#pending.delete(id);
        clearTimeout(timer);
        reject(new DOMException("cancelled", "AbortError"));
      };
      const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
      const timer = setTimeout(() => {
        worker.postMessage({ cancel: id });
        this.#pending.delete(id);
        signal?.removeEventListener("abort", onAbort);
        reject(new SandboxError(`sandbox call ${op} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#pending.set(id, {
        resolve: resolve as (v: unknown) => void,
        reject,
        timer,
        cleanup: () => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
        },
      });
      worker.postMessage({ id, op, args } as WorkerRequest);
    });
  }

  async listDirectory(path: string, maxEntries: number, signal?: AbortSignal, offset = 0): Promise<Outcome<ListDirectoryResult>> {
    return unpackListing(await this.call<"listDirectory", Outcome<PackedListing>>("listDirectory", { root: this.#opts.root, path, maxEntries, offset }, { signal }));
  }

  readFile(req: Omit<ReadFileRequest, "root">, signal?: AbortSignal): Promise<Outcome<ReadFileResult>> {
    return this.call("readFile", { ...req, root: this.#opts.root }, { signal });
  }

  completePath(prefix: string, max: number, allowSecretFiles = false): Promise<string[]> {
    return this.call("completePath", { root: this.#opts.root, prefix, max, allowSecretFiles } satisfies CompletionRequest);
  }

  runLinter(req: Omit<LintRequest, "root">, signal?: AbortSignal): Promise<LintOutcome> {
    return this.call("runLinter", { ...req, root: this.#opts.root }, { signal });
  }

  fetchRaw(req: FetchRawRequest, signal?: AbortSignal): Promise<FetchRawResult> {
    return this.call("fetchRaw", req, { signal, timeoutMs: req.timeoutMs + 5_000 });
  }

  /** Loads the built-in ruff engine in the background, so the first ruff call is fast. Never rejects. */
  warmUp(): Promise<void> {
    return this.call<"warmUp", void>("warmUp", {}).catch(() => {});
  }

  /** Stops the worker; pending calls are rejected. */
  close(): void {
    this.#fail(new SandboxError("sandbox closed"));
  }
}
