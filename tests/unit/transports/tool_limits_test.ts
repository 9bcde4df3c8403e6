import { assert, assertEquals, assertMatch, assertRejects } from "../../assert.ts";
import { toolLimits } from "../../../src/transports/tool_limits.ts";
import { type ToolContext, ToolTimeoutError } from "../../../src/tools/types.ts";
import type { CallToolResult } from "../../../src/sdk.ts";

function ctx(signal = new AbortController().signal): ToolContext {
  return { signal, requestId: "r1", progress: () => Promise.resolve() } as unknown as ToolContext;
}

/** A handler that finishes when told, or rejects when its signal aborts. */
function gate() {
  const release = Promise.withResolvers<void>();
  let running = 0;
  let peak = 0;
  const handler = async (c: ToolContext): Promise<CallToolResult> => {
    running++;
    peak = Math.max(peak, running);
    try {
      await new Promise<void>((resolve, reject) => {
        release.promise.then(resolve);
        c.signal.addEventListener("abort", () => reject(c.signal.reason), { once: true });
      });
      return { content: [], structuredContent: { linter: "ruff", duration_ms: 250 } };
    } finally {
      running--;
    }
  };
  return { handler, release: () => release.resolve(), peak: () => peak };
}

Deno.test("run_linter waits for one of the linter slots; other tools do not queue", async () => {
  const seen: [string, number][] = [];
  const limits = toolLimits({
    maxConcurrentLinters: 2,
    maxQueued: 10,
    timeoutMs: 5_000,
    onLinterRun: (l, s) => seen.push([l, s]),
  });
  const g = gate();
  const calls = Array.from({ length: 5 }, () => limits.around("run_linter", ctx(), g.handler));
  await new Promise((r) => setTimeout(r, 20));
  assertEquals(limits.queue(), { running: 2, waiting: 3 });
  const other = await limits.around("read_file", ctx(), () => Promise.resolve({ content: [] }));
  assertEquals(other.content, []);
  g.release();
  await Promise.all(calls);
  assertEquals(g.peak(), 2);
  assertEquals(seen.length, 5);
  assertEquals(seen[0], ["ruff", 0.25]);
});

Deno.test("a full linter queue answers busy at once", async () => {
  const limits = toolLimits({ maxConcurrentLinters: 1, maxQueued: 1, timeoutMs: 5_000 });
  const g = gate();
  const a = limits.around("run_linter", ctx(), g.handler);
  const b = limits.around("run_linter", ctx(), g.handler);
  await new Promise((r) => setTimeout(r, 10));
  const c = await limits.around("run_linter", ctx(), g.handler);
  assert(c.isError);
  assertMatch(
    (c.content[0] as { text: string }).text,
    /the server is busy \(1 linter runs waiting\)/,
  );
  g.release();
  await Promise.all([a, b]);
});

Deno.test("a call past the time bound is aborted and reported as a timeout, queueing included", async () => {
  const limits = toolLimits({ maxConcurrentLinters: 1, maxQueued: 5, timeoutMs: 50 });
  const g = gate();
  const first = limits.around("run_linter", ctx(), g.handler);
  const queued = limits.around("run_linter", ctx(), g.handler);
  await assertRejects(() => first, ToolTimeoutError);
  await assertRejects(() => queued, ToolTimeoutError);
  const ignoring = limits.around("read_file", ctx(), () => new Promise<CallToolResult>(() => {}));
  await assertRejects(() => ignoring, ToolTimeoutError);
  assertEquals(limits.queue(), { running: 0, waiting: 0 });
});

Deno.test("a client's cancellation passes through as cancellation, not a timeout", async () => {
  const limits = toolLimits({ maxConcurrentLinters: 1, maxQueued: 5, timeoutMs: 5_000 });
  const g = gate();
  const ac = new AbortController();
  const p = limits.around("run_linter", ctx(ac.signal), g.handler);
  ac.abort(new DOMException("cancelled", "AbortError"));
  const err = await p.then(() => null, (e) => e);
  assert(!(err instanceof ToolTimeoutError));
  assertEquals((err as DOMException).name, "AbortError");
});

Deno.test("cancelAll() ends running and waiting calls with AbortError", async () => {
  const limits = toolLimits({ maxConcurrentLinters: 1, maxQueued: 5, timeoutMs: 5_000 });
  const g = gate();
  const a = limits.around("run_linter", ctx(), g.handler);
  const b = limits.around("run_linter", ctx(), g.handler);
  limits.cancelAll();
  for (const p of [a, b]) {
    assertEquals((await p.then(() => null, (e) => e) as DOMException).name, "AbortError");
  }
});
