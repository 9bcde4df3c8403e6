/**
 * The whole HTTP app in process: a real sandbox worker on the fixture project, the
 * SDK client speaking to app.handler through a fetch function, no socket.
 */
import * as path from "node:path";
import { assert, assertEquals, assertMatch } from "../../assert.ts";
import { createHttpApp, type HttpApp } from "../../../src/transports/http_app.ts";
import { SandboxClient } from "../../../src/sandbox/client.ts";
import { GitHubRawClient } from "../../../src/github/raw_client.ts";
import { defaultHttpConfig, type HttpConfig } from "../../../src/config_http.ts";
import type { Config } from "../../../src/config.ts";
import type { Authenticator } from "../../../src/auth/types.ts";
import { TEST_CONFIG } from "../../tool_listing.ts";
import { Client, StreamableHTTPClientTransport } from "../../sdk_client.ts";
import { TOOLS } from "../../../src/tools/mod.ts";

const ROOT = path.resolve(
  decodeURIComponent(new URL("../../fixtures/project", import.meta.url).pathname),
);
const MCP = "http://127.0.0.1:8000/mcp";
const HEADERS = {
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
};

/** Keys "alice-token" and "bob-token" name their subjects. */
const twoUsers: Authenticator = {
  authenticate(token) {
    const subject = { "alice-token": "alice", "bob-token": "bob" }[token];
    return Promise.resolve(
      subject
        ? { ok: true, value: { subject, clientId: subject, scopes: [], method: "api-key" } }
        : {
          ok: false,
          reason: "unknown_key",
          code: "invalid_token",
          description: "unknown API key",
        },
    );
  },
};

async function withApp(
  http: Partial<HttpConfig>,
  fn: (app: HttpApp, fetchApp: typeof fetch) => Promise<void>,
  authenticator?: Authenticator,
) {
  const root = await Deno.realPath(ROOT);
  const config: Config = {
    ...TEST_CONFIG,
    root,
    rootArg: root,
    transport: "http",
    http: { ...defaultHttpConfig(8000), ...http },
  };
  const sandbox = new SandboxClient({ root, net: "127.0.0.1:9", run: [] });
  const github = new GitHubRawClient({
    fetchRaw: () => Promise.reject(new Error("offline")),
    base: "http://127.0.0.1:9",
  });
  const app = createHttpApp({
    config,
    sandbox,
    github,
    ...(authenticator ? { authenticator } : {}),
  });
  const fetchApp: typeof fetch = (input, init) =>
    app.handler(new Request(input, init), "127.0.0.1");
  try {
    await fn(app, fetchApp);
  } finally {
    await app.endpoint.closeAll();
    sandbox.close();
  }
}

async function connect(fetchApp: typeof fetch, headers: Record<string, string> = {}) {
  const transport = new StreamableHTTPClientTransport(new URL(MCP), {
    fetch: fetchApp,
    requestInit: { headers },
  });
  const client = new Client({ name: "in-process", version: "1" });
  await client.connect(transport);
  return { client, transport };
}

Deno.test("the app answers probes, 404 and 405 without touching MCP", async () => {
  await withApp({}, async (app, f) => {
    const ready = await f("http://127.0.0.1:8000/ready");
    assertEquals([ready.status, await ready.json()], [503, {
      status: "starting",
      shared_state: "memory",
    }]);
    app.markReady();
    assertEquals((await f("http://127.0.0.1:8000/ready")).status, 200);
    const table: [string, RequestInit, number][] = [
      ["/health", {}, 200],
      ["/nope", {}, 404],
      ["/health", { method: "POST" }, 405],
      ["/metrics", { method: "DELETE" }, 405],
      ["/mcp", { method: "PATCH" }, 405],
      ["/.well-known/oauth-protected-resource", {}, 404],
    ];
    for (const [p, init, status] of table) {
      const res = await f(`http://127.0.0.1:8000${p}`, init);
      assertEquals(res.status, status, `${init.method ?? "GET"} ${p}`);
      assertMatch(res.headers.get("x-request-id") ?? "", /^[0-9a-f]{16}$/);
      await res.body?.cancel();
    }
    app.drain();
    assertEquals((await f("http://127.0.0.1:8000/ready")).status, 503);
    const late = await f(MCP, { method: "POST", headers: HEADERS, body: "{}" });
    assertEquals([late.status, late.headers.get("connection")], [503, "close"]);
    await late.body?.cancel();
  });
});

Deno.test("stateless JSON mode: the SDK client works in process, and a batch gets one JSON array", async () => {
  await withApp({ responseMode: "json" }, async (_app, f) => {
    const { client } = await connect(f);
    try {
      const r = await client.callTool({
        name: "read_file",
        arguments: { file_path: "src/clean.py" },
      });
      assert(!r.isError, JSON.stringify(r.content));
    } finally {
      await client.close();
    }
    const batch = await f(MCP, {
      method: "POST",
      headers: { ...HEADERS, "mcp-protocol-version": "2025-06-18" },
      body: JSON.stringify([{ jsonrpc: "2.0", id: 1, method: "ping" }, {
        jsonrpc: "2.0",
        id: 2,
        method: "tools/list",
      }]),
    });
    const answers = await batch.json() as { id: number }[];
    assertEquals(answers.map((a) => a.id).sort(), [1, 2]);
  });
});

Deno.test("stateful mode: a session belongs to the subject that opened it", async () => {
  await withApp({ stateful: true }, async (app, f) => {
    const { client, transport } = await connect(f, { authorization: "Bearer alice-token" });
    try {
      const sid = transport.sessionId!;
      assertEquals(app.endpoint.sessionCount(), 1);
      const asBob = await f(MCP, {
        method: "POST",
        headers: {
          ...HEADERS,
          authorization: "Bearer bob-token",
          "mcp-session-id": sid,
          "mcp-protocol-version": "2025-06-18",
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 5, method: "tools/list" }),
      });
      assertEquals(asBob.status, 404);
      await asBob.body?.cancel();
      const { tools } = await client.listTools();
      assertEquals(tools.length, TOOLS.length);
      await transport.terminateSession();
      assertEquals(app.endpoint.sessionCount(), 0);
    } finally {
      await client.close();
    }
  }, twoUsers);
});
