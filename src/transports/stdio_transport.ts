/**
 * The MCP stdio transport on Deno's own stdin and stdout rather than Node's stream
 * emulation, which cost about a tenth of a small tool call. Framing and validation are
 * the SDK's: one JSON-RPC message per line, parsed by its deserializeMessage.
 */
import { deserializeMessage, serializeMessage, STDIO_DEFAULT_MAX_BUFFER_SIZE } from "../sdk.ts";
import type { JSONRPCMessage, Transport } from "../sdk.ts";
import { concatBytes } from "../bytes.ts";

/** Where bytes come from: Deno.stdin, or a fake in tests. */
export interface ByteSource {
  read(p: Uint8Array): Promise<number | null>;
}

/** Where bytes go: Deno.stdout, or a fake in tests. */
export interface ByteSink {
  writeSync(p: Uint8Array): number;
}

export interface DenoStdioOptions {
  input?: ByteSource;
  output?: ByteSink;
  /** Longest line kept while waiting for its newline; a longer one is an error and closes the transport. */
  maxLineBytes?: number;
  /** Called once when the input ends (the client closed stdin); the transport closes too. */
  onEnd?: () => void;
  /** Called once, after the first message is written (the first answer: start deferred work then). */
  onFirstSend?: () => void;
}

const NEWLINE = 10;

export class DenoStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  readonly #input: ByteSource;
  readonly #output: ByteSink;
  readonly #maxLineBytes: number;
  readonly #onEnd: (() => void) | undefined;
  #onFirstSend: (() => void) | undefined;
  readonly #decoder = new TextDecoder();
  readonly #encoder = new TextEncoder();
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #started = false;
  #closed = false;

  constructor(options: DenoStdioOptions = {}) {
    this.#input = options.input ?? Deno.stdin;
    this.#output = options.output ?? Deno.stdout;
    this.#maxLineBytes = options.maxLineBytes ?? STDIO_DEFAULT_MAX_BUFFER_SIZE;
    this.#onEnd = options.onEnd;
    this.#onFirstSend = options.onFirstSend;
  }

  start(): Promise<void> {
    if (this.#started) return Promise.reject(new Error("DenoStdioTransport already started"));
    this.#started = true;
    void this.#readLoop();
    return Promise.resolve();
  }

  async #readLoop(): Promise<void> {
    const buf = new Uint8Array(64 * 1024);
    try {
      while (!this.#closed) {
        const n = await this.#input.read(buf);
        if (n === null) break;
        this.#onData(buf.subarray(0, n));
      }
    } catch (err) {
      if (!this.#closed) this.onerror?.(err instanceof Error ? err : new Error(String(err)));
    }
    if (this.#closed) return;
    this.#onEnd?.();
    await this.close();
  }

  #onData(chunk: Uint8Array): void {
    let start = 0;
    for (
      let nl = chunk.indexOf(NEWLINE);
      nl !== -1 && !this.#closed;
      nl = chunk.indexOf(NEWLINE, start)
    ) {
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      const bytes = this.#pending.length === 0
        ? piece
        : concatBytes([...this.#pending, piece], this.#pendingBytes + piece.length);
      this.#pending = [];
      this.#pendingBytes = 0;
      this.#deliver(this.#decoder.decode(bytes));
    }
    if (start >= chunk.length || this.#closed) return;
    this.#pendingBytes += chunk.length - start;
    if (this.#pendingBytes > this.#maxLineBytes) {
      this.#pending = [];
      this.#pendingBytes = 0;
      this.onerror?.(new Error(`stdin: a message is longer than ${this.#maxLineBytes} bytes`));
      void this.close();
      return;
    }
    this.#pending.push(chunk.slice(start)); // a copy: the read buffer is reused
  }

  #deliver(line: string): void {
    let message: JSONRPCMessage;
    try {
      message = deserializeMessage(line.endsWith("\r") ? line.slice(0, -1) : line);
    } catch (err) {
      this.onerror?.(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    this.onmessage?.(message);
  }

  /** Writes the whole message before resolving; stdout is a pipe, so writes are short and ordered. */
  send(message: JSONRPCMessage): Promise<void> {
    try {
      const bytes = this.#encoder.encode(serializeMessage(message));
      for (let off = 0; off < bytes.length;) off += this.#output.writeSync(bytes.subarray(off));
      const first = this.#onFirstSend;
      this.#onFirstSend = undefined;
      first?.();
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.onclose?.();
    return Promise.resolve();
  }
}
