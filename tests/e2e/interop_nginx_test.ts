/**
 * The 2026-07-28 path is stateless: a v2 client pinned to 2026-07-28 talks to two
 * replicas behind nginx with the deployment's own configuration, with no session store
 * and no sticky routing; its successive calls land on both replicas and all succeed.
 */
import { assert, assertEquals } from "../assert.ts";
import { APP_DIR, makeProject } from "./harness.ts";
import { startHttpServer } from "./http_harness.ts";
import { startNginx } from "../fixtures/nginx.ts";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";

/** Tool calls a replica has answered, from its own /metrics. */
async function toolCalls(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return text.split("\n").filter((l) => l.startsWith("mcp_tool_calls_total{")).reduce(
    (n, l) => n + Number(l.split(" ").at(-1)),
    0,
  );
}

Deno.test("a 2026-07-28 client behind nginx: its calls land on both stateless replicas and all succeed", async () => {
  const project = await makeProject();
  const replicas = [await startHttpServer(project.root), await startHttpServer(project.root)];
  const nginx = await startNginx(APP_DIR, replicas.map((r) => `127.0.0.1:${r.port}`));
  const tls = Deno.createHttpClient({ caCerts: [nginx.caCert] });
  const viaNginx: typeof fetch = (input, init) => fetch(input, { ...init, client: tls });
  const client = new Client({ name: "nginx-2026", version: "1.0.0" }, {
    versionNegotiation: { mode: { pin: "2026-07-28" } },
  });
  try {
    await client.connect(
      new StreamableHTTPClientTransport(new URL("/mcp", nginx.httpsBase), { fetch: viaNginx }),
    );
    assertEquals(client.getNegotiatedProtocolVersion(), "2026-07-28");
    const before = await Promise.all(replicas.map((r) => toolCalls(r.base)));
    for (let i = 0; i < 20; i++) {
      const r = await client.callTool({
        name: i % 2 ? "read_file" : "list_directory",
        arguments: i % 2 ? { file_path: "src/clean.py" } : { dir_path: "src" },
      });
      assert(!r.isError, `call ${i}: ${JSON.stringify(r.content)}`);
    }
    const after = await Promise.all(replicas.map((r) => toolCalls(r.base)));
    const served = after.map((n, i) => n - before[i]!);
    assertEquals(served[0]! + served[1]!, 20, String(served));
    assert(served[0]! > 0 && served[1]! > 0, `calls per replica: ${served}`);
  } finally {
    await client.close();
    tls.close();
    await nginx.stop();
    for (const r of replicas) await r.stop();
    await project.cleanup();
  }
});
