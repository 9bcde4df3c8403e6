/**
 * Messages between the main thread and the sandbox worker. The worker performs
 * effects only; every decision (which path, which argv, which URL) is made on the
 * main side by src/policy and arrives here already validated.
 */

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
