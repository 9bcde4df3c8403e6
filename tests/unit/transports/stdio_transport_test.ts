/** DenoStdioTransport with a fake stdin and stdout: framing, errors, end of input. */
import { assert, assertEquals } from "../../assert.ts";
import { DenoStdioTransport } from "../../../src/transports/stdio_transport.ts";
import type { JSONRPCMessage } from "../../../src/sdk.ts";

/** Hands out the given chunks one read at a time, then end of input. */
function fakeInput(chunks: string[]) {
  const queue = chunks.map((c) => new TextEncoder().encode(c));
  return {
    read(p: Uint8Array): Promise<number | null> {
      const next = queue.shift();
      if (!next) return Promise.resolve(null);
      if (next.length > p.length) {
        queue.unshift(next.subarray(p.length));
        p.set(next.subarray(0, p.length));
        return Promise.resolve(p.length);
      }
      p.set(next);
      return Promise.resolve(next.length);
    },
  };
}

/** Takes at most `perWrite` bytes per write, like a pipe that is nearly full. */
function fakeOutput(perWrite = Infinity) {
  const parts: Uint8Array[] = [];
  return {
    writeSync(p: Uint8Array): number {
      const n = Math.min(p.length, perWrite);
      parts.push(p.slice(0, n));
      return n;
    },
    text: () => parts.map((b) => new TextDecoder().decode(b)).join(""),
  };
}

async function run(chunks: string[], maxLineBytes?: number) {
  const messages: JSONRPCMessage[] = [];
  const errors: string[] = [];
  let ended = 0;
  let closed = 0;
  const done = Promise.withResolvers<void>();
  const t = new DenoStdioTransport({
    input: fakeInput(chunks),
    output: fakeOutput(),
    ...(maxLineBytes !== undefined ? { maxLineBytes } : {}),
    onEnd: () => ended++,
  });
  t.onmessage = (m) => messages.push(m);
  t.onerror = (e) => errors.push(e.message);
  t.onclose = () => {
    closed++;
    done.resolve();
  };
  await t.start();
  await done.promise;
  return { messages, errors, ended, closed };
}

const ping = (id: number) => JSON.stringify({ jsonrpc: "2.0", id, method: "ping" });

Deno.test("DenoStdioTransport delivers messages split across reads, several per read, with CRLF", async () => {
  const r = await run([
    ping(1).slice(0, 7),
    ping(1).slice(7) + "\n" + ping(2) + "\r\n" + ping(3).slice(0, 3),
    ping(3).slice(3) + "\n",
  ]);
  assertEquals(r.messages.map((m) => (m as { id: number }).id), [1, 2, 3]);
  assertEquals(r.errors, []);
  assertEquals([r.ended, r.closed], [1, 1]);
});

Deno.test("DenoStdioTransport reports a malformed line and keeps reading", async () => {
  const r = await run(["{not json\n", '{"jsonrpc":"2.0","id":1}\n', ping(2) + "\n"]);
  assertEquals(r.messages.map((m) => (m as { id: number }).id), [2]);
  assertEquals(r.errors.length, 2);
});

Deno.test("DenoStdioTransport refuses a line longer than its cap and closes", async () => {
  const r = await run(["x".repeat(40), "y".repeat(40), "\n" + ping(1) + "\n"], 64);
  assertEquals(r.messages, []);
  assert(r.errors[0]?.includes("longer than 64 bytes"), r.errors.join());
  assertEquals([r.ended, r.closed], [0, 1]);
});

Deno.test("DenoStdioTransport.send() writes one whole line even through short writes", async () => {
  const out = fakeOutput(5);
  const t = new DenoStdioTransport({ input: fakeInput([]), output: out });
  await t.send({ jsonrpc: "2.0", id: 7, result: { text: "héllo" } });
  await t.send({ jsonrpc: "2.0", method: "notifications/initialized" });
  const lines = out.text().split("\n");
  assertEquals(lines.length, 3);
  assertEquals(JSON.parse(lines[0]!), { jsonrpc: "2.0", id: 7, result: { text: "héllo" } });
  assertEquals(lines[2], "");
});
