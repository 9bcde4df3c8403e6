/**
 * End to end over Streamable HTTP: the real program (the permission module's HTTP
 * flags) on a loopback port, driven by the SDK's StreamableHTTPClientTransport and by
 * raw requests for what a well-behaved client never sends.
 */
import { assert, assertEquals, assertMatch } from "../assert.ts";
import { makeProject } from "./harness.ts";
import { startFakeGitHub } from "../fixtures/fake_github.ts";
import {
  connectHttp,
  INITIALIZE,
  logLines,
  MCP_HEADERS,
  messagesOf,
  rawPost,
  startHttpServer,
  waitFor,
} from "./http_harness.ts";
import { httpRequest, rawHttp } from "./http_raw.ts";
import { callTool, exerciseEverything, textOf } from "./http_every_tool.ts";

const CALL_RUFF = {
  jsonrpc: "2.0",
  id: 7,
  method: "tools/call",
  params: { name: "run_linter", arguments: { file_path: "src/app.py" } },
};

/** One Prometheus sample's value, or undefined. */
function sample(text: string, name: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(name + " "));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

Deno.test("HTTP, stateless with SSE answers: every tool, request ids, hostile requests, metrics, 429", async (t) => {
  const project = await makeProject();
  const gh = await startFakeGitHub();
  const server = await startHttpServer(project.root, {
    fakeGitHub: { base: gh.base, net: `127.0.0.1:${gh.port}` },
    extraArgs: ["--rate-limits", "run_linter=8", "--max-body-bytes", "65536"],
  });
  const { client, close } = await connectHttp(server.mcpUrl);
  try {
    await exerciseEverything(t, client, project.root);

    await t.step("POST answers are SSE streams in this mode", async () => {
      const r = await rawPost(server.mcpUrl, INITIALIZE);
      assertEquals(r.status, 200);
      assertMatch(r.headers.get("content-type") ?? "", /^text\/event-stream/);
      assertEquals(messagesOf(r.text)[0]!["id"], 1);
    });

    await t.step(
      "an incoming X-Request-Id is echoed and prefixes the tool call's id in the logs",
      async () => {
        const r = await rawPost(server.mcpUrl, CALL_RUFF, {
          "x-request-id": "trace-abc.123",
          "mcp-protocol-version": "2025-06-18",
        });
        assertEquals(r.status, 200);
        assertEquals(r.headers.get("x-request-id"), "trace-abc.123");
        const logged = (pred: (l: Record<string, unknown>) => boolean) => () =>
          logLines(server.stderr()).some(pred);
        await waitFor(
          logged((l) => l["message"] === "http request" && l["requestId"] === "trace-abc.123"),
          "the request's log line",
        );
        await waitFor(
          logged((l) =>
            l["message"] === "tool call" && String(l["requestId"]).startsWith("trace-abc.123.")
          ),
          "the call's log line",
        );
        const bad = await rawPost(server.mcpUrl, INITIALIZE, {
          "x-request-id": "no spaces allowed",
        });
        assertMatch(bad.headers.get("x-request-id") ?? "", /^[0-9a-f]{16}$/);
      },
    );

    await t.step("GET and DELETE on /mcp are 405 when stateless; other paths 404", async () => {
      const get = await fetch(server.mcpUrl, { headers: { accept: "text/event-stream" } });
      assertEquals(get.status, 405);
      await get.body?.cancel();
      const del = await fetch(server.mcpUrl, { method: "DELETE" });
      assertEquals(del.status, 405);
      await del.body?.cancel();
      const other = await fetch(`${server.base}/admin`);
      assertEquals(other.status, 404);
      await other.body?.cancel();
    });

    await t.step(
      "a foreign or null Origin is refused with 403; the server's own origin passes",
      async () => {
        const table: [string, number][] = [
          ["null", 403],
          ["http://evil.example", 403],
          [`http://127.0.0.1:${server.port}.evil.example`, 403],
          [`https://127.0.0.1:${server.port}`, 403],
          ["http://127.0.0.1:1", 403],
          ["file://", 403],
          ["not a url", 403],
          [`http://127.0.0.1:${server.port}`, 200],
          [`http://localhost:${server.port}`, 200],
        ];
        for (const [origin, status] of table) {
          const r = await rawPost(server.mcpUrl, INITIALIZE, { origin });
          assertEquals(r.status, status, origin);
          if (status === 403) {
            assertEquals((messagesOf(r.text)[0]!["error"] as { code: number }).code, -32000);
          }
        }
      },
    );

    await t.step(
      "a Host header that does not name the server is refused with 403 (DNS rebinding)",
      async () => {
        const body = JSON.stringify(INITIALIZE);
        const table: [string, number][] = [
          ["evil.example", 403],
          [`evil.example:${server.port}`, 403],
          [`127.0.0.1.nip.io:${server.port}`, 403],
          [`localhost.evil.example:${server.port}`, 403],
          [`127.0.0.1:${server.port}`, 200],
          [`localhost:${server.port}`, 200],
        ];
        for (const [host, status] of table) {
          const r = await rawHttp(
            server.port,
            httpRequest("POST", "/mcp", { host, ...MCP_HEADERS }, body),
          );
          assertEquals(r.status, status, host);
        }
        const health = await rawHttp(
          server.port,
          httpRequest("GET", "/health", { host: "evil.example" }),
        );
        assertEquals(health.status, 200, "probes are not host-checked");
      },
    );

    await t.step(
      "a malformed Host header is 400 with an ordinary access-log line and metrics sample, never a 500 or an error line",
      async () => {
        const hosts = [
          "[::1]evil.example:8000",
          `localhost:${70000 + server.port}`,
          "[::1",
          "a b",
          "evil.example/x",
          "localhost:80:80",
        ];
        const before = await (await fetch(`${server.base}/metrics`)).text();
        const sampleOf = (text: string) =>
          sample(text, 'mcp_http_requests_total{method="POST",route="/mcp",status="400"}') ?? 0;
        for (const host of hosts) {
          const r = await rawHttp(
            server.port,
            httpRequest("POST", "/mcp", { host, ...MCP_HEADERS }, JSON.stringify(INITIALIZE)),
          );
          assertEquals(r.status, 400, host);
          assertMatch(r.body, /the Host header is not a valid host\[:port\]/);
        }
        const after = await (await fetch(`${server.base}/metrics`)).text();
        assertEquals(sampleOf(after) - sampleOf(before), hosts.length);
        await waitFor(
          () =>
            logLines(server.stderr()).filter((l) =>
              l["message"] === "http request" && l["status"] === 400
            ).length >= hosts.length,
          "the access-log lines",
        );
        for (const l of logLines(server.stderr())) {
          assert(!["ERROR", "FATAL"].includes(String(l["level"])), JSON.stringify(l));
          assert(!JSON.stringify(l).includes("evil.example"), JSON.stringify(l));
        }
      },
    );

    await t.step("made-up methods, paths and headers add no metric series", async () => {
      const methods = [
        "PROPFIND",
        "MKCOL",
        "PURGE",
        "LINK",
        "UNLOCK",
        "SEARCH",
        "REPORT",
        "M-SEARCH",
        "NOTIFY",
        "SUBSCRIBE",
        "XYZZY",
        "FOO1",
      ];
      const batch = async (n: number) => {
        for (let i = 0; i < methods.length; i++) {
          const method = methods[(i + n) % methods.length]!;
          await rawHttp(
            server.port,
            httpRequest(method, `/x${n}-${i}/${"a".repeat(n)}`, {
              host: `127.0.0.1:${server.port}`,
            }),
          );
          await rawHttp(
            server.port,
            httpRequest(method, "/mcp", {
              host: `127.0.0.1:${server.port}`,
              "x-request-id": `r${n}-${i}`,
            }),
          );
          await rawHttp(
            server.port,
            httpRequest("GET", `/metrics?${n}=${i}`, { host: `h${n}-${i}.example` }),
          );
        }
      };
      const series = async () =>
        (await (await fetch(`${server.base}/metrics`)).text()).split("\n").filter((l) =>
          l !== "" && !l.startsWith("#")
        ).map((l) => l.slice(0, l.lastIndexOf(" ")));
      await batch(0);
      const before = await series();
      for (let n = 1; n <= 5; n++) {
        await batch(n);
      }
      const after = await series();
      assertEquals(after.filter((s) => !before.includes(s)), [], "new series appeared");
      for (const l of after) assert(!/XYZZY|PROPFIND|\/x\d|h\d-\d/.test(l), l);
    });

    await t.step(
      "a connection whose body is still arriving is closed with the 413, as the answer says",
      async () => {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
        const head =
          `POST /mcp HTTP/1.1\r\nhost: 127.0.0.1:${server.port}\r\ncontent-type: application/json\r\naccept: application/json, text/event-stream\r\ncontent-length: 10000000\r\n\r\n{`;
        await conn.write(new TextEncoder().encode(head));
        let sending = true;
        const trickle = (async () => {
          while (sending) {
            await new Promise((r) => setTimeout(r, 50));
            if (
              !sending ||
              (await conn.write(new TextEncoder().encode(" ")).then(() => false, () => true))
            ) break;
          }
        })();
        // Bounded: if the server never closes, the timer does and the assertion below fails.
        let closedByTimer = false;
        const timer = setTimeout(() => {
          closedByTimer = true;
          conn.close();
        }, 15_000);
        let text = "";
        const buf = new Uint8Array(4096);
        for (;;) {
          const n = await conn.read(buf).catch(() => null);
          if (n === null) break;
          text += new TextDecoder().decode(buf.subarray(0, n));
        }
        sending = false;
        await trickle;
        clearTimeout(timer);
        if (!closedByTimer) conn.close();
        assertMatch(text, /^HTTP\/1\.1 413/);
        assertMatch(text, /connection: close/i);
        assert(!closedByTimer, "the server kept the connection open after its 413");
      },
    );

    await t.step(
      "slow headers, silence and an idle keep-alive connection are all closed by the server",
      async () => {
        // Each probe is bounded by a client-side deadline far above the server's bounds
        // (CONNECTION_TIMEOUTS: 10 s for headers, 5 s idle); reaching it fails the step.
        const probe = async (opening: string, trickle?: string) => {
          const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
          let byTimer = false;
          const timer = setTimeout(() => {
            byTimer = true;
            conn.close();
          }, 30_000);
          let sending = trickle !== undefined;
          const writer = (async () => {
            if (opening !== "") await conn.write(new TextEncoder().encode(opening)).catch(() => {});
            while (sending) {
              await new Promise((r) => setTimeout(r, 200));
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
          probe(`GET /health HTTP/1.1\r\nhost: 127.0.0.1:${server.port}\r\n`, "x"),
          probe(`GET /health HTTP/1.1\r\nhost: 127.0.0.1:${server.port}\r\n\r\n`),
        ]);
        assert(silent.closedByServer, "a connection that sends nothing stayed open");
        assert(slowHeaders.closedByServer, "a connection trickling its headers stayed open");
        assertMatch(slowHeaders.text, /^(HTTP\/1\.1 408|$)/);
        assert(idle.closedByServer, "an idle keep-alive connection stayed open");
        assertMatch(idle.text, /^HTTP\/1\.1 200/);
        // The two refused connections show in the logs and the metrics like any other refusal.
        await waitFor(
          () =>
            logLines(server.stderr()).filter((l) =>
              l["message"] === "http connection refused" && l["status"] === 408
            ).length >= 2,
          "the refusals' log lines",
        );
        const text = await (await fetch(`${server.base}/metrics`)).text();
        assert(
          (sample(text, 'mcp_http_requests_total{method="other",route="other",status="408"}') ??
            0) >= 2,
          "408 samples",
        );
      },
    );

    await t.step("bodies over --max-body-bytes are 413, declared or streamed", async () => {
      const big = JSON.stringify({
        ...INITIALIZE,
        params: { ...INITIALIZE.params, pad: "x".repeat(70_000) },
      });
      const declared = await rawPost(server.mcpUrl, big);
      assertEquals(declared.status, 413);
      const chunks = [
        new TextEncoder().encode(big.slice(0, 40_000)),
        new TextEncoder().encode(big.slice(40_000)),
      ];
      const streamed = await fetch(server.mcpUrl, {
        method: "POST",
        headers: MCP_HEADERS,
        body: new ReadableStream({
          pull(c) {
            const next = chunks.shift();
            if (next) c.enqueue(next);
            else c.close();
          },
        }),
      });
      assertEquals(streamed.status, 413);
      await streamed.body?.cancel();
    });

    await t.step(
      "malformed bodies, wrong content types and bad headers get HTTP or JSON-RPC errors, never a crash",
      async () => {
        const table: {
          body: string | Uint8Array<ArrayBuffer>;
          headers?: Record<string, string>;
          status: number;
          code?: number;
        }[] = [
          { body: "{", status: 400, code: -32700 },
          { body: "null", status: 400, code: -32600 },
          { body: "42", status: 400, code: -32600 },
          { body: '"initialize"', status: 400, code: -32600 },
          { body: "[]", status: 400, code: -32600 },
          { body: "", status: 400, code: -32700 },
          { body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), status: 400, code: -32700 },
          { body: '{"jsonrpc":"2.0"}', status: 400 },
          { body: '{"jsonrpc":"1.0","id":1,"method":"initialize"}', status: 400 },
          {
            body: JSON.stringify(INITIALIZE),
            headers: { "content-type": "text/plain" },
            status: 415,
          },
          {
            body: JSON.stringify(INITIALIZE),
            headers: { "content-type": "application/x-www-form-urlencoded" },
            status: 415,
          },
          { body: JSON.stringify(INITIALIZE), headers: { accept: "text/html" }, status: 406 },
          {
            body: JSON.stringify(CALL_RUFF),
            headers: { "mcp-protocol-version": "1999-01-01" },
            status: 400,
          },
          {
            body: JSON.stringify(Array.from({ length: 101 }, (_, i) => ({ ...CALL_RUFF, id: i }))),
            status: 400,
            code: -32600,
          },
        ];
        for (const { body, headers, status, code } of table) {
          const res = await fetch(server.mcpUrl, {
            method: "POST",
            headers: { ...MCP_HEADERS, ...headers },
            body,
          });
          const text = await res.text();
          assertEquals(
            res.status,
            status,
            `${String(body).slice(0, 40)} ${JSON.stringify(headers)}: ${text}`,
          );
          const error = JSON.parse(text).error as { code: number };
          assert(typeof error.code === "number");
          if (code !== undefined) assertEquals(error.code, code, String(body));
        }
        const unknown = await rawPost(server.mcpUrl, {
          jsonrpc: "2.0",
          id: 9,
          method: "no/such/method",
        });
        assertEquals((messagesOf(unknown.text)[0]!["error"] as { code: number }).code, -32601);
        const put = await fetch(server.mcpUrl, { method: "PUT", body: "x" });
        assertEquals(put.status, 405);
        await put.body?.cancel();
        const garbage = await rawHttp(server.port, "\x00\x01GARBAGE / HTTP/9.9\r\n\r\n");
        assert(garbage.status === 0 || garbage.status >= 400, `garbage answered ${garbage.status}`);
        const health = await fetch(`${server.base}/health`);
        assertEquals(await health.json(), { status: "ok" });
        assert(!/Uncaught|panicked/.test(server.stderr()), server.stderr());
      },
    );

    await t.step("/health and /ready answer without auth and without secrets", async () => {
      const h = await fetch(`${server.base}/health`);
      assertEquals(await h.json(), { status: "ok" });
      const r = await fetch(`${server.base}/ready`);
      assertEquals([r.status, await r.json()], [200, { status: "ready", shared_state: "memory" }]);
    });

    await t.step(
      "/metrics shows per-tool latency histograms, calls, HTTP statuses, cache and linter numbers",
      async () => {
        const res = await fetch(`${server.base}/metrics`);
        assertMatch(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
        const text = await res.text();
        for (const tool of ["list_directory", "read_file", "run_linter", "fetch_github_file"]) {
          assertMatch(
            text,
            new RegExp(`mcp_tool_call_duration_seconds_bucket\\{le="0\\.1",tool="${tool}"\\} \\d+`),
          );
          assert(
            (sample(text, `mcp_tool_call_duration_seconds_count{tool="${tool}"}`) ?? 0) >= 1,
            tool,
          );
        }
        assert((sample(text, 'mcp_tool_calls_total{tool="run_linter",outcome="ok"}') ?? 0) >= 3);
        assert((sample(text, 'mcp_tool_errors_total{tool="read_file"}') ?? 0) >= 1);
        assert(
          (sample(text, 'mcp_http_requests_total{method="POST",route="/mcp",status="200"}') ?? 0) >=
            10,
        );
        assert(
          (sample(text, 'mcp_http_requests_total{method="POST",route="/mcp",status="413"}') ?? 0) >=
            2,
        );
        assert(
          (sample(text, 'mcp_http_requests_total{method="POST",route="/mcp",status="403"}') ?? 0) >=
            5,
        );
        assertEquals(sample(text, "mcp_github_cache_hits_total"), 1);
        assertEquals(sample(text, "mcp_github_cache_misses_total"), 1);
        assert((sample(text, 'mcp_linter_duration_seconds_count{linter="ruff"}') ?? 0) >= 2);
        assert((sample(text, 'mcp_linter_duration_seconds_count{linter="flake8"}') ?? 0) >= 1);
        assertEquals(sample(text, "mcp_sessions_open"), 0);
        assert((sample(text, "mcp_http_open_requests") ?? 0) >= 1, "this scrape is open");
      },
    );

    await t.step("every request gets a fresh server but shares one sandbox worker", async () => {
      for (let i = 0; i < 5; i++) await callTool(client, "list_directory", { dir_path: "src" });
      const text = await (await fetch(`${server.base}/metrics`)).text();
      assertEquals(sample(text, "mcp_sandbox_worker_starts_total"), 1);
    });

    await t.step(
      "run_linter over its stricter limit is 429 with Retry-After; other tools still answer",
      async () => {
        let limited: { status: number; headers: Headers; text: string } | undefined;
        for (let i = 0; i < 10 && limited === undefined; i++) {
          const r = await rawPost(server.mcpUrl, CALL_RUFF, {
            "mcp-protocol-version": "2025-06-18",
          });
          if (r.status === 429) limited = r;
          else assertEquals(r.status, 200);
        }
        assert(limited, "no 429 within 10 run_linter calls (limit 8)");
        const retry = Number(limited.headers.get("retry-after"));
        assert(retry >= 1 && retry <= 60, `Retry-After ${retry}`);
        const err = messagesOf(limited.text)[0]!;
        assertEquals(err["id"], 7);
        assertMatch(
          (err["error"] as { message: string }).message,
          /at most 8 run_linter calls per minute/,
        );
        const sdkErr = await callTool(client, "run_linter", { file_path: "src/app.py" }).then(
          () => null,
          (e) => e as Error,
        );
        assert(sdkErr);
        assertMatch(sdkErr.message, /Too Many Requests/);
        const other = await callTool(client, "read_file", { file_path: "src/clean.py" });
        assert(!other.isError, textOf(other));
        const text = await (await fetch(`${server.base}/metrics`)).text();
        assert((sample(text, 'mcp_rate_limited_total{scope="run_linter"}') ?? 0) >= 1);
      },
    );

    await t.step("stdout stays empty and every stderr line is JSON", () => {
      assertEquals(server.stdout(), "");
      for (const l of server.stderr().split("\n").filter((x) => x.trim() !== "")) {
        if (/^(Info|Warning) /.test(l)) continue; // Deno's own start-up notes
        JSON.parse(l);
      }
    });
  } finally {
    await close();
    const status = await server.stop();
    assertEquals(status.code, 0, server.stderr());
    await gh.close();
    await project.cleanup();
  }
});

Deno.test("HTTP, stateless with JSON answers: every tool through the SDK client", async (t) => {
  const project = await makeProject();
  const gh = await startFakeGitHub();
  const server = await startHttpServer(project.root, {
    fakeGitHub: { base: gh.base, net: `127.0.0.1:${gh.port}` },
    extraArgs: ["--response-mode", "json"],
  });
  const { client, close } = await connectHttp(server.mcpUrl);
  try {
    await t.step("POST answers are single JSON bodies", async () => {
      const r = await rawPost(server.mcpUrl, INITIALIZE);
      assertEquals(r.status, 200);
      assertMatch(r.headers.get("content-type") ?? "", /^application\/json/);
      assertEquals((JSON.parse(r.text) as { id: number }).id, 1);
      assertEquals(r.headers.get("mcp-session-id"), null);
    });
    await exerciseEverything(t, client, project.root);
  } finally {
    await close();
    assertEquals((await server.stop()).code, 0);
    await gh.close();
    await project.cleanup();
  }
});

for (const mode of ["sse", "json"] as const) {
  Deno.test(`HTTP, stateful with ${mode.toUpperCase()} answers: sessions, GET stream, DELETE, every tool`, async (t) => {
    const project = await makeProject();
    const gh = await startFakeGitHub();
    const server = await startHttpServer(project.root, {
      fakeGitHub: { base: gh.base, net: `127.0.0.1:${gh.port}` },
      extraArgs: ["--stateful", "--response-mode", mode],
    });
    const { client, transport, close } = await connectHttp(server.mcpUrl);
    try {
      await exerciseEverything(t, client, project.root);

      const sid = transport.sessionId!;
      await t.step("the session id is 256 random bits, base64url", () => {
        assertMatch(sid, /^[A-Za-z0-9_-]{43}$/);
      });

      await t.step(
        "a non-initialize request without a session is 400; an unknown session is 404",
        async () => {
          const none = await rawPost(server.mcpUrl, CALL_RUFF, {
            "mcp-protocol-version": "2025-06-18",
          });
          assertEquals(none.status, 400);
          assertMatch(none.text, /Mcp-Session-Id header is required/);
          const unknown = await rawPost(server.mcpUrl, CALL_RUFF, {
            "mcp-session-id": "A".repeat(43),
          });
          assertEquals(unknown.status, 404);
          assertEquals(
            (JSON.parse(unknown.text) as { error: { code: number } }).error.code,
            -32001,
          );
          const get = await fetch(server.mcpUrl, { headers: { accept: "text/event-stream" } });
          assertEquals(get.status, 400);
          await get.body?.cancel();
        },
      );

      await t.step("GET opens the session's server-to-client stream", async () => {
        // The SDK client holds the session's one GET stream; a second one is refused with 409.
        const res = await fetch(server.mcpUrl, {
          headers: {
            accept: "text/event-stream",
            "mcp-session-id": sid,
            "mcp-protocol-version": "2025-06-18",
          },
        });
        assert(res.status === 200 || res.status === 409, String(res.status));
        if (res.status === 200) {
          assertMatch(res.headers.get("content-type") ?? "", /^text\/event-stream/);
        }
        await res.body?.cancel();
        const text = await (await fetch(`${server.base}/metrics`)).text();
        assertEquals(sample(text, "mcp_sessions_open"), 1);
      });

      await t.step("DELETE ends the session; its id is 404 afterwards", async () => {
        await transport.terminateSession();
        const after = await rawPost(server.mcpUrl, CALL_RUFF, {
          "mcp-session-id": sid,
          "mcp-protocol-version": "2025-06-18",
        });
        assertEquals(after.status, 404);
        const text = await (await fetch(`${server.base}/metrics`)).text();
        assertEquals(sample(text, "mcp_sessions_open"), 0);
      });
    } finally {
      await close();
      assertEquals((await server.stop()).code, 0, server.stderr());
      await gh.close();
      await project.cleanup();
    }
  });
}

Deno.test("HTTP: a tool call past --request-timeout-ms is aborted and answered as a timeout", async () => {
  const project = await makeProject();
  const gh = await startFakeGitHub();
  const server = await startHttpServer(project.root, {
    fakeGitHub: { base: gh.base, net: `127.0.0.1:${gh.port}` },
    extraArgs: ["--request-timeout-ms", "300"],
  });
  const { client, close } = await connectHttp(server.mcpUrl);
  try {
    const started = performance.now();
    const r = await callTool(client, "fetch_github_file", {
      owner: "octo-org",
      repo: "hello",
      ref: "main",
      path: "slow.txt",
    });
    assert(r.isError);
    assertMatch(textOf(r), /^Timed out after 0\.3 s \(request [0-9a-f.]+\)$/);
    assert(performance.now() - started < 5_000);
    const text = await (await fetch(`${server.base}/metrics`)).text();
    assertEquals(
      sample(text, 'mcp_tool_calls_total{tool="fetch_github_file",outcome="timeout"}'),
      1,
    );
  } finally {
    await close();
    assertEquals((await server.stop()).code, 0);
    await gh.close();
    await project.cleanup();
  }
});
