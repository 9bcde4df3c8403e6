/**
 * Two real replicas behind the shipped nginx configuration share one rate limit through a
 * real redis-server: run_linter=20 per minute holds for the deployment, not per replica.
 * Redis killed mid-test: both keep answering (per-replica limits), /ready stays 200 and says
 * so; Redis back: limits are shared again without a restart.
 */
import { assert, assertEquals } from "../assert.ts";
import { APP_DIR, makeProject } from "./harness.ts";
import { startHttpServer } from "./http_harness.ts";
import { startNginx } from "../fixtures/nginx.ts";
import { startRedis } from "../fixtures/redis.ts";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";

/** The replica's /ready body. */
async function ready(base: string): Promise<{ status: number; shared: string }> {
  const res = await fetch(`${base}/ready`);
  const body = await res.json();
  return { status: res.status, shared: body.shared_state };
}

async function waitShared(bases: string[], want: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const states = await Promise.all(bases.map((b) => ready(b)));
    if (states.every((s) => s.shared === want)) return;
    if (Date.now() > end) throw new Error(`replicas not "${want}": ${JSON.stringify(states)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

Deno.test("two replicas behind nginx share one run_linter limit on Redis, survive its loss and share again when it is back", async (t) => {
  const redis = await startRedis();
  const project = await makeProject();
  const opts = { redisUrl: redis.url, env: { CODE_REVIEW_RATE_LIMITS: "run_linter=20" } };
  const replicas = [
    await startHttpServer(project.root, opts),
    await startHttpServer(project.root, opts),
  ];
  const bases = replicas.map((r) => r.base);
  const nginx = await startNginx(APP_DIR, replicas.map((r) => `127.0.0.1:${r.port}`));
  const tls = Deno.createHttpClient({ caCerts: [nginx.caCert] });
  const viaNginx: typeof fetch = (input, init) => fetch(input, { ...init, client: tls });
  const client = new Client({ name: "redis-replicas", version: "1.0.0" }, {
    versionNegotiation: { mode: { pin: "2026-07-28" } },
  });
  /** `n` run_linter calls: how many ran and how many were refused with 429. */
  const lint = async (n: number) => {
    let ok = 0;
    let limited = 0;
    for (let i = 0; i < n; i++) {
      try {
        const r = await client.callTool({
          name: "run_linter",
          arguments: { file_path: "src/clean.py" },
        });
        assert(!r.isError, JSON.stringify(r.content));
        ok++;
      } catch (err) {
        assert(/429|Too Many Requests/.test(String(err)), String(err));
        limited++;
      }
    }
    return { ok, limited };
  };
  try {
    await client.connect(
      new StreamableHTTPClientTransport(new URL("/mcp", nginx.httpsBase), { fetch: viaNginx }),
    );
    await waitShared(bases, "up");

    await t.step("40 calls through nginx: 20 run in total, 20 get 429", async () => {
      assertEquals(await lint(40), { ok: 20, limited: 20 });
    });

    await t.step(
      "Redis killed: both replicas keep answering, ready, on their own limits",
      async () => {
        await redis.kill();
        await waitShared(bases, "down");
        for (const b of bases) assertEquals((await ready(b)).status, 200);
        const r = await lint(6);
        assertEquals(r, { ok: 6, limited: 0 });
        const list = await client.callTool({
          name: "list_directory",
          arguments: { dir_path: "." },
        });
        assert(!list.isError);
        const gauge = await (await fetch(`${bases[0]}/metrics`)).text();
        assert(/^mcp_shared_state_up 0$/m.test(gauge), "the gauge shows the outage");
      },
    );

    await t.step("Redis back: limits are shared again", async () => {
      await redis.restart();
      await waitShared(bases, "up");
      // The restarted Redis is empty: a fresh shared budget of 20 for the deployment.
      assertEquals(await lint(30), { ok: 20, limited: 10 });
    });

    await t.step("the outage is logged, as JSON lines only", () => {
      for (const r of replicas) {
        const err = r.stderr();
        assert(err.includes("shared state unreachable"), "the outage was logged");
        for (const line of err.split("\n").filter((l) => l !== "")) JSON.parse(line);
      }
    });
  } finally {
    await client.close();
    tls.close();
    await nginx.stop();
    for (const r of replicas) await r.stop();
    await redis.stop();
    await project.cleanup();
  }
});
