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
          : await callTool(
            client,
            i % 2 ? "read_file" : "list_directory",
            i % 2 ? { file_path: "src/clean.py" } : { dir_path: "src" },
          );
        assert(!r.isError, `call ${i}: ${textOf(r)}`);
      }
    });

    await t.step("both replicas answered some of them", async () => {
      const counts = await Promise.all(replicas.map((r) => toolCalls(r.base)));
      assertEquals(counts[0]! + counts[1]!, 20, String(counts));
      assert(counts[0]! > 0 && counts[1]! > 0, `calls per replica: ${counts}`);
    });

    await t.step(
      "nginx passes X-Request-Id through, hides /metrics, and redirects plain HTTP",
      async () => {
        const res = await viaNginx(`${nginx.httpsBase}/mcp`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            accept: "application/json, text/event-stream",
            "x-request-id": "via-nginx-1",
          },
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
      },
    );

    await t.step(
      "nginx closes connections whose headers never end, silent ones, and idle keep-alive ones",
      async () => {
        // Each probe has a deadline far above the configured bounds (10 s headers, 5 s idle) and
        // below nginx's defaults (60 s, 75 s): only the shipped configuration closes them in time.
        const port = Number(new URL(nginx.httpsBase).port);
        const probe = async (opening: string, trickle?: string) => {
          const conn = await Deno.connectTls({
            hostname: "localhost",
            port,
            caCerts: [nginx.caCert],
          });
          await conn.handshake();
          let byTimer = false;
          const timer = setTimeout(() => {
            byTimer = true;
            conn.close();
          }, 30_000);
          let sending = trickle !== undefined;
          const writer = (async () => {
            if (opening !== "") await conn.write(new TextEncoder().encode(opening)).catch(() => {});
            while (sending) {
              await new Promise((r) => setTimeout(r, 500));
              if (
                !sending ||
                (await conn.write(new TextEncoder().encode(trickle!)).then(() => false, () => true))
              ) break;
            }
          })();
          let text = "";
          const buf = new Uint8Array(8192);
          for (;;) {
            const n = await conn.read(buf).catch(() => null);
            if (n === null) break;
            text += new TextDecoder().decode(buf.subarray(0, n));
          }
          sending = false;
          await writer;
          clearTimeout(timer);
          if (!byTimer) conn.close();
          return { text, closedByServer: !byTimer };
        };
        const [silent, slowHeaders, idle] = await Promise.all([
          probe(""),
          probe("GET /mcp HTTP/1.1\r\nHost: localhost\r\nX-Slow: ", "x"),
          probe("GET /nothing-here HTTP/1.1\r\nHost: localhost\r\n\r\n"),
        ]);
        assert(silent.closedByServer, "nginx kept a silent connection open");
        assert(slowHeaders.closedByServer, "nginx kept a connection trickling its headers open");
        assert(idle.closedByServer, "nginx kept an idle keep-alive connection open");
        assert(idle.text.startsWith("HTTP/1.1 404"), idle.text.slice(0, 40));
      },
    );
  } finally {
    await close();
    tls.close();
    await nginx.stop();
    for (const r of replicas) assertEquals((await r.stop()).code, 0);
    await project.cleanup();
  }
});
