/**
 * A bare JSON-RPC client over a child's stdin/stdout, the same for every server, so
 * the client's own cost is identical on both sides of a ratio. Each answer carries
 * the time its last byte arrived, taken before it is parsed.
 */

export interface Spawn {
  cmd: string;
  args: string[];
  cwd?: string;
  env?: Record<string, string>;
}

interface JsonRpcMessage {
  jsonrpc: "2.0";
  id?: number | string | null;
  method?: string;
  result?: unknown;
  error?: { code: number; message: string };
}

export interface Answer {
  msg: JsonRpcMessage;
  /** performance.now() when the answer's last chunk arrived. */
  at: number;
}

const NEWLINE = 10;

export class StdioRpc {
  readonly child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #pending = new Map<number, { resolve(a: Answer): void; reject(e: Error): void }>();
  readonly #encoder = new TextEncoder();
  readonly #exited: Promise<Deno.CommandStatus>;
  #nextId = 1;
  #closed = false;

  constructor(spec: Spawn) {
    this.child = new Deno.Command(spec.cmd, {
      args: spec.args,
      ...(spec.cwd !== undefined ? { cwd: spec.cwd } : {}),
      ...(spec.env !== undefined ? { env: spec.env } : {}),
      clearEnv: spec.env !== undefined,
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    this.#writer = this.child.stdin.getWriter();
    this.#exited = this.child.status;
    void this.#pump();
  }

  get pid(): number {
    return this.child.pid;
  }

  async #pump(): Promise<void> {
    const decoder = new TextDecoder();
    let parts: Uint8Array[] = [];
    try {
      for await (const chunk of this.child.stdout) {
        const at = performance.now();
        let start = 0;
        for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
          parts.push(chunk.subarray(start, nl));
          const line = parts.length === 1
            ? decoder.decode(parts[0])
            : decoder.decode(concat(parts));
          parts = [];
          start = nl + 1;
          this.#deliver(line, at);
        }
        if (start < chunk.length) parts.push(chunk.slice(start));
      }
    } catch {
      // The child went away; pending calls are failed below.
    }
    for (const [, p] of this.#pending) p.reject(new Error("server closed its stdout"));
    this.#pending.clear();
  }

  #deliver(line: string, at: number): void {
    if (line.trim() === "") return;
    let msg: JsonRpcMessage;
    try {
      msg = JSON.parse(line);
    } catch {
      return; // not protocol output; ignored
    }
    if (typeof msg.id !== "number" || msg.method !== undefined) return; // notifications and server requests
    const p = this.#pending.get(msg.id);
    if (!p) return;
    this.#pending.delete(msg.id);
    p.resolve({ msg, at });
  }

  /** Sends a request; resolves with the answer (result or error) and its arrival time. */
  request(method: string, params: unknown, timeoutMs = 60_000): Promise<Answer> {
    const id = this.#nextId++;
    return new Promise<Answer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`${method} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, {
        resolve: (a) => {
          clearTimeout(timer);
          resolve(a);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.#writer.write(
        this.#encoder.encode(JSON.stringify({ jsonrpc: "2.0", id, method, params }) + "\n"),
      ).catch((e) => {
        this.#pending.delete(id);
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  notify(method: string, params?: unknown): Promise<void> {
    return this.#writer.write(
      this.#encoder.encode(
        JSON.stringify({ jsonrpc: "2.0", method, ...(params ? { params } : {}) }) + "\n",
      ),
    );
  }

  /** Closes stdin (every server here exits on EOF), then kills after a grace period. */
  async close(graceMs = 3000): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#writer.close().catch(() => {});
    const timer = setTimeout(() => {
      try {
        this.child.kill("SIGKILL");
      } catch {
        // already gone
      }
    }, graceMs);
    await this.#exited;
    clearTimeout(timer);
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The initialize request every server gets: a client with no capabilities (so no roots round trip). */
export const INITIALIZE_PARAMS = {
  protocolVersion: "2025-06-18",
  capabilities: {},
  clientInfo: { name: "code-review-mcp-bench", version: "1.0.0" },
};

/**
 * Peak and current resident set of a process, in KiB, from /proc/<pid>/status (Linux
 * only). Read through `cat`, because Deno asks for --allow-all to read /proc directly.
 */
export function memoryOf(pid: number): { vmHwmKiB: number; vmRssKiB: number } | null {
  try {
    const out = new Deno.Command("cat", {
      args: [`/proc/${pid}/status`],
      stdout: "piped",
      stderr: "null",
    }).outputSync();
    if (!out.success) return null;
    const status = new TextDecoder().decode(out.stdout);
    const hwm = status.match(/^VmHWM:\s+(\d+) kB/m);
    const rss = status.match(/^VmRSS:\s+(\d+) kB/m);
    if (!hwm || !rss) return null;
    return { vmHwmKiB: Number(hwm[1]), vmRssKiB: Number(rss[1]) };
  } catch {
    return null;
  }
}
