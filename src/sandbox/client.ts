/**
 * Main-side stub of the sandbox worker: typed calls over postMessage with ids,
 * per-call timeouts and cancellation. A worker that dies is replaced on the next call.
 */
import type {
  CompletionRequest,
  ListDirectoryResult,
  Outcome,
  PackedListing,
  ReadFileRequest,
  ReadFileResult,
} from "./files.ts";
import { unpackListing } from "./files.ts";
import type { LintOutcome, LintRequest } from "./lint.ts";
import type { FetchRawRequest, FetchRawResult } from "./protocol.ts";
import type { RelayAnswer, RelayRequest } from "./ruff_relay.ts";
import { RuffEngineClient } from "../linters/ruff/engine_client.ts";
import type { WorkerProgress, WorkerRequest, WorkerResponse } from "./protocol.ts";
import type { LintProjectRequest, LintProjectResult } from "./lint_project.ts";
import type { BaseLint, LintBaseRequest } from "./lint_base.ts";
import type { SearchRequest, SearchResult } from "./search.ts";
import type { TreeResult } from "./walk.ts";
import type {
  EnclosingRequest,
  FindReferencesRequest,
  FindReferencesResult,
  FindSymbolRequest,
  FindSymbolResult,
  OutlineRequest,
  ScopeResult,
  SymbolRangeRequest,
  SymbolRangeResult,
} from "./symbols.ts";
import type { GitReviewRequest } from "./git.ts";
import type { ReviewOutcome } from "../git/review.ts";
import { fileURLToPath } from "node:url";
import { workerPermissions } from "../permissions.ts";
import { log } from "../observability/log.ts";

export interface SandboxOptions {
  root: string;
  /** host:port the worker may connect to. */
  net: string;
  /** Linter binaries the worker may start. */
  run: readonly string[];
  /** Upper bound for any one call, after which it is cancelled. */
  callTimeoutMs?: number;
  /** How long the built-in ruff engine stays loaded after its last check (default 5 minutes). */
  ruffIdleMs?: number;
  /** Serve regular files with more than one hard link (--allow-hard-links). Default: refused. */
  allowHardLinks?: boolean;
}

/** Upper bound of one project lint (its own caps and the per-process timeouts end it sooner). */
const PROJECT_CALL_TIMEOUT_MS = 600_000;

/** A failure of the sandbox itself (not a policy refusal): unexpected, logged, reported as internal. */
export class SandboxError extends Error {
  override name = "SandboxError";
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: ReturnType<typeof setTimeout>;
  cleanup(): void;
  onProgress?: (done: number, total: number, message: string) => void;
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
  readonly #ruff: RuffEngineClient;
  readonly #ruffChecks = new Map<number, AbortController>();
  readonly #opts: SandboxOptions;
  readonly #timeoutMs: number;

  constructor(opts: SandboxOptions) {
    this.#opts = opts;
    this.#timeoutMs = opts.callTimeoutMs ?? 120_000;
    this.#ruff = new RuffEngineClient({
      ...(opts.ruffIdleMs !== undefined ? { idleMs: opts.ruffIdleMs } : {}),
      onChange: (event) =>
        log("sandbox").info(event === "started" ? "ruff engine started" : "ruff engine released"),
    });
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
    worker.onmessage = (e: MessageEvent<WorkerResponse | WorkerProgress | RelayRequest>) => {
      if ("engine" in e.data || "engineCancel" in e.data) this.#relay(worker, e.data);
      else this.#onMessage(e.data);
    };
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      log("sandbox").error("sandbox worker failed", { error: e.message });
      this.#fail(new SandboxError(`sandbox worker failed: ${e.message}`));
    };
    worker.onmessageerror = () =>
      this.#fail(new SandboxError("sandbox worker sent an unreadable message"));
    // Messages arrive in order: the policy is in force before the first operation.
    worker.postMessage({ policy: { allowHardLinks: this.#opts.allowHardLinks === true } });
    // While idle, the worker loads the search code and walks the project (search.ts warmSearch).
    worker.postMessage({ warmSearch: { root: this.#opts.root } });
    this.#worker = worker;
    return worker;
  }

  /** A ruff check the worker hands over: run it in the engine's worker, post the answer back. */
  #relay(worker: Worker, msg: RelayRequest): void {
    if ("engineCancel" in msg) {
      this.#ruffChecks.get(msg.engineCancel)?.abort();
      return;
    }
    const { id, files, settings, perFileIgnores } = msg.engine;
    const controller = new AbortController();
    this.#ruffChecks.set(id, controller);
    void this.#ruff.checkBatch(files, settings, perFileIgnores, controller.signal).then(
      (outcomes) => {
        this.#ruffChecks.delete(id);
        if (this.#worker === worker) {
          worker.postMessage({ engineAnswer: { id, outcomes } } satisfies RelayAnswer);
        }
      },
    );
  }

  /** The built-in ruff engine's worker: whether it is loaded now, how often it was started. */
  ruffStats(): { loaded: boolean; starts: number } {
    const { loaded, starts } = this.#ruff.stats();
    return { loaded, starts };
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

  #onMessage(msg: WorkerResponse | WorkerProgress): void {
    if ("progress" in msg) {
      this.#pending.get(msg.progress)?.onProgress?.(msg.done, msg.total, msg.message);
      return;
    }
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

  call<O extends Op, T>(
    op: O,
    args: ArgsOf<O>,
    options: {
      signal?: AbortSignal | undefined;
      timeoutMs?: number;
      onProgress?: Pending["onProgress"];
    } = {},
  ): Promise<T> {
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
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        cleanup: () => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
        },
      });
      worker.postMessage({ id, op, args } as WorkerRequest);
    });
  }

  async listDirectory(
    path: string,
    maxEntries: number,
    signal?: AbortSignal,
    offset = 0,
  ): Promise<Outcome<ListDirectoryResult>> {
    return unpackListing(
      await this.call<"listDirectory", Outcome<PackedListing>>("listDirectory", {
        root: this.#opts.root,
        path,
        maxEntries,
        offset,
      }, { signal }),
    );
  }

  readFile(
    req: Omit<ReadFileRequest, "root">,
    signal?: AbortSignal,
  ): Promise<Outcome<ReadFileResult>> {
    return this.call("readFile", { ...req, root: this.#opts.root }, { signal });
  }

  completePath(prefix: string, max: number, allowSecretFiles = false): Promise<string[]> {
    return this.call(
      "completePath",
      { root: this.#opts.root, prefix, max, allowSecretFiles } satisfies CompletionRequest,
    );
  }

  runLinter(req: Omit<LintRequest, "root">, signal?: AbortSignal): Promise<LintOutcome> {
    return this.call("runLinter", { ...req, root: this.#opts.root }, { signal });
  }

  fetchRaw(req: FetchRawRequest, signal?: AbortSignal): Promise<FetchRawResult> {
    return this.call("fetchRaw", req, { signal, timeoutMs: req.timeoutMs + 5_000 });
  }

  /** Reads the repository at the root: scope, commits, changed files (src/git/review.ts). */
  gitReview(req: Omit<GitReviewRequest, "root">, signal?: AbortSignal): Promise<ReviewOutcome> {
    return this.call("gitReview", { ...req, root: this.#opts.root }, {
      signal,
      timeoutMs: req.timeoutMs + 5_000,
    });
  }

  /** Lints the base version of changed files in memory, for review_changes' tags (lint_base.ts). */
  lintBase(req: Omit<LintBaseRequest, "root">, signal?: AbortSignal): Promise<BaseLint[]> {
    // Reading git, then each linter program in turn (per lane) at most its own time limit.
    const lanes = Math.max(1, req.concurrency ?? 1);
    const programs = Math.ceil(req.files.length / lanes) * (req.linterTimeoutMs ?? 0);
    return this.call("lintBase", { ...req, root: this.#opts.root }, {
      signal,
      timeoutMs: req.timeoutMs + programs + 5_000,
    });
  }

  /** Lints a folder or a glob: many files in one call, progress as they finish. */
  lintProject(
    req: Omit<LintProjectRequest, "root">,
    onProgress: (done: number, total: number, message: string) => void,
    signal?: AbortSignal,
  ): Promise<Outcome<LintProjectResult>> {
    return this.call("lintProject", { ...req, root: this.#opts.root }, {
      signal,
      onProgress,
      timeoutMs: PROJECT_CALL_TIMEOUT_MS,
    });
  }

  /** Searches the project's files for a literal or an RE2 regular expression. */
  searchCode(
    req: Omit<SearchRequest, "root">,
    signal?: AbortSignal,
  ): Promise<Outcome<SearchResult>> {
    return this.call("searchCode", { ...req, root: this.#opts.root }, {
      signal,
      timeoutMs: req.timeBudgetMs + 30_000,
    });
  }

  /** A folder's tree down to `depth` levels, under the project's ignore rules. */
  listTree(
    path: string,
    depth: number,
    includeIgnored: boolean,
    maxEntries: number,
    signal?: AbortSignal,
  ): Promise<Outcome<TreeResult>> {
    return this.call(
      "listTree",
      { root: this.#opts.root, path, depth, includeIgnored, maxEntries },
      { signal },
    );
  }

  /** The definitions of a file or folder, nested down to a depth (src/sandbox/symbols.ts). */
  symbolOutline(
    req: Omit<OutlineRequest, "root">,
    signal?: AbortSignal,
  ): Promise<Outcome<ScopeResult>> {
    return this.call("symbolOutline", { ...req, root: this.#opts.root }, {
      signal,
      timeoutMs: req.timeBudgetMs + 30_000,
    });
  }

  /** Where a name is defined: exact, then prefix or fuzzy. */
  findSymbol(
    req: Omit<FindSymbolRequest, "root">,
    signal?: AbortSignal,
  ): Promise<Outcome<FindSymbolResult>> {
    return this.call("findSymbol", { ...req, root: this.#opts.root }, {
      signal,
      timeoutMs: req.timeBudgetMs + 30_000,
    });
  }

  /** Syntactic references to a name, grouped by file. */
  findReferences(
    req: Omit<FindReferencesRequest, "root">,
    signal?: AbortSignal,
  ): Promise<Outcome<FindReferencesResult>> {
    return this.call("findReferences", { ...req, root: this.#opts.root }, {
      signal,
      timeoutMs: req.timeBudgetMs + 30_000,
    });
  }

  /** The lines of one definition in a file (read_file's `symbol`). */
  symbolRange(
    req: Omit<SymbolRangeRequest, "root">,
    signal?: AbortSignal,
  ): Promise<Outcome<SymbolRangeResult>> {
    return this.call("symbolRange", { ...req, root: this.#opts.root }, { signal });
  }

  /** The innermost definition around each line of each file (search_code's matches). */
  enclosingSymbols(
    req: Omit<EnclosingRequest, "root">,
    signal?: AbortSignal,
  ): Promise<Record<string, (string | null)[]>> {
    return this.call("enclosingSymbols", { ...req, root: this.#opts.root }, {
      signal,
      timeoutMs: req.timeBudgetMs + 30_000,
    });
  }

  /** Resolves once the worker answers (started if need be); never rejects. */
  ready(): Promise<void> {
    return this.call<"ping", string>("ping", {}).then(() => {}, () => {});
  }

  /** Stops the worker; pending calls are rejected. */
  close(): void {
    this.#ruff.close();
    this.#fail(new SandboxError("sandbox closed"));
  }
}
