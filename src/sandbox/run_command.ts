/**
 * The one place a subprocess is started, inside the sandbox worker. It runs exactly
 * the argv it is given (no shell) with a cleared environment, and bounds the child:
 * a timeout, a cap on each output stream and an abort signal all end it with SIGKILL.
 * Whatever the child does, the answer is a RunCommandResult, never an exception.
 */
import type { RunCommandRequest, RunCommandResult } from "./protocol.ts";

/**
 * How long the output pipes may stay open after the child has exited (a grandchild
 * can hold them); past that, reading stops so a run can never outlive its limits.
 */
const DRAIN_AFTER_EXIT_MS = 500;

/**
 * Runs one command and waits for it, bounded by `req.timeoutMs` and `req.maxOutputBytes`.
 * A missing binary gives `notFound: true`. It throws only when the request is malformed,
 * the working directory does not exist, or Deno refuses the spawn (a binary outside
 * `--allow-run`, an OS permission error): those are the caller's bugs, not the child's.
 * `cwd` needs no read permission; the project root is the intended value.
 *
 * @example
 * await runCommand({ op: "runCommand", binary: "flake8", args: ["--isolated", "--", "/proj/a.py"],
 *   env: { PATH: "/usr/bin:/bin" }, cwd: "/proj", timeoutMs: 30_000, maxOutputBytes: 1 << 20 });
 * // { code: 1, stdout: "...", stderr: "", timedOut: false, truncated: false, notFound: false, durationMs: 212 }
 */
export async function runCommand(
  req: RunCommandRequest,
  signal?: AbortSignal,
): Promise<RunCommandResult> {
  checkRequest(req);
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const empty = {
    code: null,
    stdout: "",
    stderr: "",
    timedOut: false,
    truncated: false,
    notFound: false,
  };
  if (signal?.aborted) return { ...empty, durationMs: 0 };

  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(req.binary, {
      args: req.args,
      env: req.env,
      clearEnv: true,
      cwd: req.cwd,
      stdin: req.stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      // Deno reports a missing cwd as NotFound too; that one is not "not installed".
      if (await isMissingDirectory(req.cwd)) {
        throw new Error(`runCommand: working directory does not exist: ${req.cwd}`);
      }
      return { ...empty, notFound: true, durationMs: elapsed() };
    }
    throw e;
  }

  let timedOut = false;
  let truncated = false;
  let killed = false;
  const kill = () => {
    if (killed) return;
    killed = true;
    try {
      child.kill("SIGKILL");
    } catch {
      // Already exited: nothing to kill.
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    kill();
  }, req.timeoutMs);
  if (req.stdin !== undefined) feed(child.stdin, req.stdin);
  const onAbort = () => kill();
  signal?.addEventListener("abort", onAbort, { once: true });

  let stopReading!: () => void;
  const stopped = new Promise<void>((resolve) => (stopReading = resolve));
  let drainTimer: ReturnType<typeof setTimeout> | undefined;
  const status = child.status.then((s) => {
    drainTimer = setTimeout(stopReading, DRAIN_AFTER_EXIT_MS);
    return s;
  });
  const onOverflow = () => {
    truncated = true;
    kill();
  };

  try {
    const [out, err, st] = await Promise.all([
      collect(child.stdout, req.maxOutputBytes, onOverflow, stopped),
      collect(child.stderr, req.maxOutputBytes, onOverflow, stopped),
      status,
    ]);
    return {
      code: st.signal !== null ? null : st.code,
      stdout: decode(out),
      stderr: decode(err),
      timedOut,
      truncated,
      notFound: false,
      durationMs: elapsed(),
    };
  } finally {
    clearTimeout(timer);
    if (drainTimer !== undefined) clearTimeout(drainTimer);
    stopReading();
    signal?.removeEventListener("abort", onAbort);
  }
}

/**
 * Writes the input and closes the pipe, in the background; a child that exits without reading
 * it all (a broken pipe) is not an error here: its exit status and output tell.
 */
function feed(stdin: WritableStream<Uint8Array>, text: string): void {
  const w = stdin.getWriter();
  w.write(new TextEncoder().encode(text)).then(() => w.close()).catch(() => {
    w.abort().catch(() => {});
  });
}

/** Refuses requests no caller should send; cheaper to find here than as a hung worker. */
function checkRequest(req: RunCommandRequest): void {
  if (!Number.isFinite(req.timeoutMs) || req.timeoutMs <= 0) {
    throw new RangeError(`runCommand: timeoutMs must be a positive number, got ${req.timeoutMs}`);
  }
  if (!Number.isSafeInteger(req.maxOutputBytes) || req.maxOutputBytes < 0) {
    throw new RangeError(
      `runCommand: maxOutputBytes must be a non-negative integer, got ${req.maxOutputBytes}`,
    );
  }
  if (req.binary === "" || req.binary.includes("\0") || req.args.some((a) => a.includes("\0"))) {
    throw new TypeError(
      "runCommand: binary and arguments must be non-empty strings without NUL bytes",
    );
  }
}

const STOP = Symbol("stop");

/**
 * Reads a stream until its end, `cap` bytes (then `onOverflow` runs and reading
 * stops), or `stopped` settles. The reader is always cancelled, so the pipe is closed.
 */
async function collect(
  stream: ReadableStream<Uint8Array>,
  cap: number,
  onOverflow: () => void,
  stopped: Promise<void>,
): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const stop = stopped.then((): typeof STOP => STOP);
  try {
    while (true) {
      const r = await Promise.race([reader.read(), stop]);
      if (r === STOP || r.done) break;
      const room = cap - size;
      if (r.value.byteLength > room) {
        if (room > 0) chunks.push(r.value.subarray(0, room));
        size = cap;
        onOverflow();
        break;
      }
      chunks.push(r.value);
      size += r.value.byteLength;
    }
  } catch {
    // The pipe broke (the child was killed mid-write): keep what arrived.
  } finally {
    await reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  return bytes;
}

/** UTF-8, lossy: invalid or cut sequences become U+FFFD. */
function decode(bytes: Uint8Array): string {
  return new TextDecoder("utf-8", { fatal: false }).decode(bytes);
}

/** True only when the directory is known to be missing (no read permission: unknown, false). */
async function isMissingDirectory(dir: string): Promise<boolean> {
  try {
    await Deno.stat(dir);
    return false;
  } catch (e) {
    return e instanceof Deno.errors.NotFound;
  }
}
