/**
 * Messages between the main thread and the sandbox worker. The worker performs
 * effects only; every decision (which path, which argv, which URL) is made on the
 * main side by src/policy and arrives here already validated.
 */
import type { CompletionRequest, ReadFileRequest } from "./files.ts";
import type { LintRequest } from "./lint.ts";
import type { GitReviewRequest } from "./git.ts";
import type { LintProjectRequest } from "./lint_project.ts";
import type { LintBaseRequest } from "./lint_base.ts";
import type { SearchRequest, ShardRequest } from "./search.ts";
import type {
  EnclosingRequest,
  FindReferencesRequest,
  FindSymbolRequest,
  OutlineRequest,
  SymbolRangeRequest,
} from "./symbols.ts";

/** Run an allowlisted command, exactly as given: no shell, cleared environment. */
export interface RunCommandRequest {
  op: "runCommand";
  /** Absolute path or bare name of an allowlisted binary. */
  binary: string;
  args: string[];
  /** The complete environment of the child (the worker clears everything else). */
  env: Record<string, string>;
  cwd: string;
  timeoutMs: number;
  /** Cap on stdout and on stderr, each; the process is killed when exceeded. */
  maxOutputBytes: number;
  /** Text written to the child's standard input, which is then closed; absent: no input. */
  stdin?: string;
}

export interface RunCommandResult {
  /** Exit code, or null when killed by a signal. */
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** True when stdout or stderr went over maxOutputBytes and the process was killed. */
  truncated: boolean;
  /** True when the binary was not found on this machine. */
  notFound: boolean;
  durationMs: number;
}

/** Fetch one URL with GET; redirects are never followed by the worker. */
export interface FetchRawRequest {
  op: "fetchRaw";
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
  maxBytes: number;
}

export interface FetchRawResult {
  status: number;
  etag: string | null;
  location: string | null;
  /** Body as UTF-8 text (empty for redirects and 304). */
  body: string;
  /** True when the body went over maxBytes; body is then empty. */
  tooLarge: boolean;
  /** True when the body was not valid UTF-8 text. */
  binary: boolean;
}

/** The closed set of operations the sandbox worker answers, with their arguments. */
export type WorkerRequest =
  | {
    id: number;
    op: "listDirectory";
    args: { root: string; path: string; maxEntries: number; offset?: number };
  }
  | { id: number; op: "readFile"; args: ReadFileRequest }
  | { id: number; op: "completePath"; args: CompletionRequest }
  | { id: number; op: "runLinter"; args: LintRequest }
  | { id: number; op: "fetchRaw"; args: FetchRawRequest }
  | { id: number; op: "gitReview"; args: GitReviewRequest }
  | { id: number; op: "ping"; args: Record<string, never> }
  | { id: number; op: "lintProject"; args: LintProjectRequest }
  | { id: number; op: "lintBase"; args: LintBaseRequest }
  | { id: number; op: "searchCode"; args: SearchRequest }
  | { id: number; op: "searchShard"; args: ShardRequest }
  | { id: number; op: "symbolOutline"; args: OutlineRequest }
  | { id: number; op: "findSymbol"; args: FindSymbolRequest }
  | { id: number; op: "findReferences"; args: FindReferencesRequest }
  | { id: number; op: "symbolRange"; args: SymbolRangeRequest }
  | { id: number; op: "enclosingSymbols"; args: EnclosingRequest }
  | {
    id: number;
    op: "listTree";
    args: {
      root: string;
      path: string;
      depth: number;
      includeIgnored: boolean;
      maxEntries: number;
    };
  };

/** Progress of a long operation, sent before its response (project lint: files done of total). */
export interface WorkerProgress {
  progress: number;
  done: number;
  total: number;
  message: string;
}

/**
 * The answer to one request. Not a Result (src/result.ts): `error` is the exception transport,
 * a thrown error carried across the worker boundary and rethrown by the client; an expected
 * failure travels inside `value` as the operation's own Result.
 */
export type WorkerResponse =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { name: string; message: string; stack: string } };
