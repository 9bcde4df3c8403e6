/**
 * Scale-out: two real server processes (stateless) behind a real nginx running the
 * deployment's own configuration (TLS termination, SSE-safe proxying) on loopback.
 * One SDK client's successive calls are spread over both replicas and all succeed.
 */
import { assert, assertEquals } from "../assert.ts";
import { APP_DIR, makeProject } from "./harness.ts";
import { connectHttp, startHttpServer } from "./http_harness.ts";
import { callTool, textOf } from "./http_every_tool.ts";
import { startNginx } from "../fixtures/nginx.ts";

/** Tool calls a replica has answered, from its own /metrics. */
async function toolCalls(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return text.split("\n")
    .filter((l) => l.startsWith("mcp_tool_calls_total{"))
    .reduce((n, l) => n + Number(l.split(" ").at(-1)), 0);
}

Deno.test("two replicas behind nginx: one client's calls land on both, all succeed, over TLS and SSE", async (t) => {
  const project = await makeProject();
  const replicas = [await startHttpServer(project.root), await startHttpServer(project.root)];
  const nginx = await startNginx(APP_DIR, replicas.map((r) => `127.0.0.1:${r.port}`));
  const tls = Deno.createHttpClient({ caCerts: [nginx.caCert] });
  const viaNginx: typeof fetch = (input, init) => fetch(input, { ...init, client: tls });
  const { client, close } = await connectHttp(new URL("/mcp", nginx.httpsBase), {}, viaNginx);
  try {
    await t.step("20 successive calls all succeed", async () => {
      for (let i = 0; i < 20; i++) {
        const r = i % 5 === 4
          ? await callTool(client, "run_linter", { file_path: "src/app.py" })
          : await callTool(client, i % 2 ? "read_file" : "list_directory", i % 2 ? { file_path: "src/clean.py" } : { dir_path: "src" });
        assert(!r.isError, `call ${i}: ${textOf(r)}`);
      }
    });

    await t.step("both replicas answered some of them", async () => {
      const counts = await Promise.all(replicas.map((r) => toolCalls(r.base)));
      assertEquals(counts[0]! + counts[1]!, 20, String(counts));
      assert(counts[0]! > 0 && counts[1]! > 0, `calls per replica: ${counts}`);
    });

    await t.step("nginx passes X-Request-Id through, hides /metrics, and redirects plain HTTP", async () => {
      const res = await viaNginx(`${nginx.httpsBase}/mcp`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "x-request-id": "via-nginx-1" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
      });
      assertEquals(res.status, 200);
      assertEquals(res.headers.get("x-request-id"), "via-nginx-1");
      await res.body?.cancel();
      const metrics = await viaNginx(`${nginx.httpsBase}/metrics`);
      assertEquals(metrics.status, 404);
      await metrics.body?.cancel();
      const plain = await fetch(`${nginx.httpBase}/mcp`, { redirect: "manual" });
      assertEquals(plain.status, 308);
      await plain.body?.cancel();
    });
  } finally {
    await close();
    tls.close();
    await nginx.stop();
    for (const r of replicas) assertEquals((await r.stop()).code, 0);
    await project.cleanup();
  }
});
