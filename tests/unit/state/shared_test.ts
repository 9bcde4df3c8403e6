import { assert, assertEquals, assertMatch } from "../../assert.ts";
import { eventually, startRedis } from "../../fixtures/redis.ts";
import { connectSharedState, displayUrl, MEMORY_STATE } from "../../../src/state/shared.ts";
import { sharedLimiters, subjectKey } from "../../../src/state/limiters.ts";
import { sharedSlots, SlotsBusyError } from "../../../src/state/slots.ts";
import { rateLimit } from "../../../src/transports/middleware/rate_limit.ts";
import { toolLimits } from "../../../src/transports/tool_limits.ts";
import { compose, newContext } from "../../../src/transports/middleware/types.ts";
import type { ToolContext } from "../../../src/tools/types.ts";
import type { CallToolResult } from "../../../src/sdk.ts";

const OK = () => Promise.resolve(new Response("ok"));
const LIMITS = { client: 100, tool: 100, perTool: { run_linter: 4 } };
const call = (id: number) => ({
  jsonrpc: "2.0",
  id,
  method: "tools/call",
  params: { name: "run_linter", arguments: {} },
});

/** A replica's rate-limit middleware: one POST of run_linter from `remote`, its status. */
function replica(limiters: ReturnType<typeof sharedLimiters>) {
  const mw = compose([rateLimit({ limits: LIMITS, limiters })], OK);
  let id = 0;
  return async (remote = "10.0.0.1") => {
    const c = newContext(new Request("http://localhost/mcp", { method: "POST" }), remote, "/mcp");
    c.body = call(++id);
    return (await mw(c)).status;
  };
}

function ctx(): ToolContext {
  return {
    signal: new AbortController().signal,
    requestId: "r1",
    progress: () => Promise.resolve(),
  } as unknown as ToolContext;
}

// The ioredis client keeps timers while reconnecting; each test closes what it opens.
const opts = { sanitizeOps: false, sanitizeResources: false };

Deno.test(
  "two replicas share one run_linter limit through Redis: 4 per minute in total, not 8",
  opts,
  async () => {
    const redis = await startRedis();
    const a = connectSharedState({ url: redis.url, namespace: "t1" });
    const b = connectSharedState({ url: redis.url, namespace: "t1" });
    try {
      await eventually(() => a.status() === "up" && b.status() === "up", 10_000, "both connected");
      const [ra, rb] = [replica(sharedLimiters(a)), replica(sharedLimiters(b))];
      const statuses = [];
      for (let i = 0; i < 8; i++) statuses.push(await (i % 2 ? rb() : ra()));
      assertEquals(statuses.filter((s) => s === 200).length, 4, String(statuses));
      assertEquals(statuses.filter((s) => s === 429).length, 4, String(statuses));
      assertEquals(await ra("10.0.0.2"), 200, "another client has its own budget");
    } finally {
      await a.close();
      await b.close();
      await redis.stop();
    }
  },
);

Deno.test(
  "Redis keys carry the namespace and a hashed subject, never the client's address or name",
  opts,
  async () => {
    const redis = await startRedis();
    const a = connectSharedState({ url: redis.url, namespace: "ns" });
    try {
      await eventually(() => a.status() === "up", 10_000, "connected");
      await replica(sharedLimiters(a))("203.0.113.77");
      const keys = await a.redis!.keys("*");
      assert(keys.length > 0, "a key was written");
      for (const k of keys) {
        assert(k.startsWith("code-review-mcp:ns:rl:"), k);
        assert(!k.includes("203.0.113.77") && !k.includes("addr:"), k);
        assert(k.endsWith(subjectKey("addr:203.0.113.77")), k);
        const ttl = await a.redis!.pTTL(k);
        assert(ttl > 0 && ttl <= 60_000, `${k} expires (pttl ${ttl})`);
      }
    } finally {
      await a.close();
      await redis.stop();
    }
  },
);

Deno.test(
  "Redis going away: replicas keep answering within the command bound on their own limits, then share again when it is back",
  opts,
  async () => {
    const redis = await startRedis();
    const a = connectSharedState({ url: redis.url, namespace: "t3" });
    const b = connectSharedState({ url: redis.url, namespace: "t3" });
    try {
      await eventually(() => a.status() === "up" && b.status() === "up", 10_000, "both connected");
      const [ra, rb] = [replica(sharedLimiters(a)), replica(sharedLimiters(b))];

      await redis.kill();
      await eventually(() => a.status() === "down" && b.status() === "down", 10_000, "seen down");
      const started = performance.now();
      const down = [];
      for (let i = 0; i < 10; i++) down.push(await (i % 2 ? rb() : ra()));
      const elapsed = performance.now() - started;
      // Each replica falls back to its own memory: 4 each, 8 in total.
      assertEquals(down.filter((s) => s === 200).length, 8, String(down));
      assert(elapsed < 5_000, `10 requests took ${elapsed} ms with Redis down`);

      await redis.restart();
      await eventually(() => a.status() === "up" && b.status() === "up", 15_000, "reconnected");
      // Fresh counters in the restarted Redis, shared again: 4 in total for a new client.
      const up = [];
      for (let i = 0; i < 8; i++) up.push(await (i % 2 ? rb("10.9.9.9") : ra("10.9.9.9")));
      assertEquals(up.filter((s) => s === 200).length, 4, String(up));
    } finally {
      await a.close();
      await b.close();
      await redis.stop();
    }
  },
);

Deno.test(
  "linter slots are shared: with one slot, a second replica's run waits for the first and then runs",
  opts,
  async () => {
    const redis = await startRedis();
    const a = connectSharedState({ url: redis.url, namespace: "t4" });
    const b = connectSharedState({ url: redis.url, namespace: "t4" });
    try {
      await eventually(() => a.status() === "up" && b.status() === "up", 10_000, "both connected");
      const [la, lb] = [a, b].map((s) =>
        toolLimits({
          maxConcurrentLinters: 1,
          maxQueued: 4,
          timeoutMs: 10_000,
          acquireSlot: sharedSlots(s, "linters", 1),
        })
      );
      let running = 0;
      let peak = 0;
      const release = Promise.withResolvers<void>();
      const handler = async (): Promise<CallToolResult> => {
        running++;
        peak = Math.max(peak, running);
        await release.promise;
        running--;
        return { content: [] };
      };
      const first = la!.around("run_linter", ctx(), handler);
      await eventually(() => running === 1, 5_000, "first run started");
      const second = lb!.around("run_linter", ctx(), handler);
      await new Promise((r) => setTimeout(r, 300));
      assertEquals(running, 1, "the second replica waits for the shared slot");
      release.resolve();
      await Promise.all([first, second]);
      assertEquals(peak, 1);
    } finally {
      await a.close();
      await b.close();
      await redis.stop();
    }
  },
);

Deno.test(
  "a shared slot that stays taken for the whole wait answers busy; without Redis no shared slot is taken",
  opts,
  async () => {
    const redis = await startRedis();
    const a = connectSharedState({ url: redis.url, namespace: "t5" });
    try {
      await eventually(() => a.status() === "up", 10_000, "connected");
      const acquire = sharedSlots(a, "linters", 1);
      const held = await acquire(new AbortController().signal, 1_000);
      assert(held !== undefined);
      let error: unknown;
      try {
        await acquire(new AbortController().signal, 200);
      } catch (err) {
        error = err;
      }
      assert(error instanceof SlotsBusyError, String(error));
      await held.release();
      const again = await acquire(new AbortController().signal, 1_000);
      assert(again !== undefined, "free again after release");
      await again.release();

      await redis.kill();
      await eventually(() => a.status() === "down", 10_000, "seen down");
      assertEquals(await acquire(new AbortController().signal, 1_000), undefined);
      assertEquals(
        await sharedSlots(MEMORY_STATE, "linters", 1)(new AbortController().signal, 1),
        undefined,
      );
    } finally {
      await a.close();
      await redis.stop();
    }
  },
);

Deno.test("displayUrl() never shows a user or password", () => {
  assertEquals(displayUrl("redis://:hunter2@cache:6379/1"), "redis://cache:6379/1");
  assertEquals(displayUrl("rediss://user:pw@cache.example.com"), "rediss://cache.example.com");
  assertMatch(displayUrl("::::"), /unparsable/);
});
