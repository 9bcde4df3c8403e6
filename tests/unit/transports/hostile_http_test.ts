/**
 * What a hostile HTTP client can make the app do, in process: it must not add metric
 * series, and a Host header that cannot be part of a URL gets an ordinary refusal,
 * an ordinary access-log line and a metrics sample (never a 500 or an error log).
 */
import * as path from "node:path";
import { reset } from "@logtape/logtape";
import { assert, assertEquals } from "../../assert.ts";
import { createHttpApp, type HttpApp } from "../../../src/transports/http_app.ts";
import { SandboxClient } from "../../../src/sandbox/client.ts";
import { GitHubRawClient } from "../../../src/github/raw_client.ts";
import { defaultHttpConfig, type HttpConfig } from "../../../src/config_http.ts";
import type { Config } from "../../../src/config.ts";
import { setupLogging } from "../../../src/observability/log.ts";
import { Metrics } from "../../../src/observability/metrics.ts";
import { hostSyntaxValid } from "../../../src/transports/middleware/host_check.ts";
import { requestUrl } from "../../../src/transports/middleware/types.ts";
import { TEST_CONFIG } from "../../tool_listing.ts";

const ROOT = path.resolve(
  decodeURIComponent(new URL("../../fixtures/project", import.meta.url).pathname),
);

async function withApp(http: Partial<HttpConfig>, fn: (app: HttpApp) => Promise<void>) {
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
  const app = createHttpApp({ config, sandbox, github });
  try {
    await fn(app);
  } finally {
    await app.endpoint.closeAll();
    sandbox.close();
  }
}

/** Log lines written while `fn` runs, parsed. */
async function captureLogs(fn: () => Promise<void>): Promise<Record<string, unknown>[]> {
  const chunks: Uint8Array[] = [];
  await setupLogging(
    "debug",
    new WritableStream<Uint8Array>({ write: (c) => void chunks.push(c) }),
  );
  try {
    await fn();
  } finally {
    await reset();
  }
  const text = new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
  return text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
}

/** Number of sample lines (series) in a Prometheus exposition. */
function seriesCount(body: string): number {
  return body.split("\n").filter((l) => l !== "" && !l.startsWith("#")).length;
}

/** Hosts that cannot be part of a URL, or carry more than a host and a port. */
const MALFORMED_HOSTS = [
  "[::1]evil.example:8000",
  "localhost:99999",
  "localhost:65536",
  "localhost:123456",
  "[::1",
  "::1",
  "a b",
  "evil.example/mcp",
  "evil.example?x=1",
  "evil.example#frag",
  "user@localhost",
  "localhost:80:80",
  "localhost:8o",
  "%6cocalhost",
  "local\\host",
  "localhost, evil.example",
  "<script>",
  "x".repeat(300),
];

Deno.test("hostSyntaxValid() accepts names, IPv4 and bracketed IPv6 with a port up to 65535, and nothing else", () => {
  for (
    const ok of [
      "localhost",
      "localhost:8000",
      "127.0.0.1:8000",
      "[::1]:8000",
      "[::1]",
      "mcp.example.com",
      "a-b_c.example:65535",
      "localhost:",
    ]
  ) {
    assert(hostSyntaxValid(ok), ok);
  }
  for (const bad of [...MALFORMED_HOSTS, ""]) assert(!hostSyntaxValid(bad), bad);
});

Deno.test("requestUrl() keeps only the path of a URL that Deno.serve built from a malformed Host", () => {
  const table: [string, string, string][] = [
    ["http://[::1]evil.example:8000/mcp?a=1", "/mcp", "?a=1"],
    ["http://localhost:99999/metrics", "/metrics", ""],
    ["http://a b/health", "/health", ""],
    ["http://[::1", "/", ""],
    ["not a url", "/", ""],
    ["http://[::1]x//evil.example/p", "//evil.example/p", ""],
  ];
  for (const [raw, pathname, search] of table) {
    const u = requestUrl(raw);
    assertEquals([u.pathname, u.search, u.hostname], [pathname, search, "host.invalid"], raw);
  }
  assertEquals(requestUrl("http://localhost:8000/mcp").href, "http://localhost:8000/mcp");
});

Deno.test("a malformed Host header gets 400, one access-log line and a metrics sample, on every route, even with --allowed-hosts '*'", async () => {
  for (const allowedHosts of [undefined, ["*"]]) {
    await withApp(allowedHosts ? { allowedHosts } : {}, async (app) => {
      const logs = await captureLogs(async () => {
        for (const host of MALFORMED_HOSTS) {
          for (const route of ["/mcp", "/health", "/metrics"]) {
            const req = new Request(`http://127.0.0.1:8000${route}`, { headers: { host: host } });
            const res = await app.handler(req, "127.0.0.1");
            assertEquals(res.status, 400, `${host} ${route}`);
            assertEquals(
              (await res.json()).error.message,
              "Bad Request: the Host header is not a valid host[:port]",
            );
          }
        }
      });
      const access = logs.filter((l) => l.message === "http request");
      assertEquals(access.length, MALFORMED_HOSTS.length * 3);
      assert(
        access.every((l) => l.status === 400 && ["INFO", "DEBUG"].includes(l.level as string)),
      );
      const loud = logs.filter((l) =>
        l.level === "ERROR" || l.level === "WARNING" || l.level === "FATAL"
      );
      assertEquals(loud, []);
      const { body } = await app.metrics.render();
      for (const route of ["/mcp", "/health", "/metrics"]) {
        assert(
          body.includes(
            `mcp_http_requests_total{method="GET",route="${route}",status="400"} ${MALFORMED_HOSTS.length}`,
          ),
          route,
        );
      }
    });
  }
});

Deno.test("client-controlled values never become label values: hundreds of distinct hostile requests add no series", async () => {
  await withApp({}, async (app) => {
    const send = async (i: number) => {
      const requests = [
        new Request(`http://127.0.0.1:8000/mcp`, { method: `M${i}ETHOD` }),
        new Request(`http://127.0.0.1:8000/metrics`, { method: `X-${i}` }),
        new Request(`http://127.0.0.1:8000/path/${i}/<x>`),
        new Request(`http://127.0.0.1:8000/health?x=${i}`, { method: `get${i}` }),
        new Request(`http://127.0.0.1:8000/mcp`, { headers: { host: `evil${i}.example` } }),
        new Request(`http://127.0.0.1:8000/mcp`, { headers: { host: `[::${i}]bad:${70000 + i}` } }),
        new Request(`http://127.0.0.1:8000/mcp`, {
          method: "POST",
          headers: { "mcp-protocol-version": `v${i}` },
          body: "{}",
        }),
        new Request(`http://127.0.0.1:8000/mcp`, {
          method: "POST",
          headers: { "content-type": `text/x-${i}` },
          body: "{}",
        }),
      ];
      for (const req of requests) {
        const res = await app.handler(req, `10.0.${i % 256}.${i >> 8}`);
        await res.body?.cancel();
      }
    };
    await send(0);
    const before = seriesCount((await app.metrics.render()).body);
    for (let i = 1; i < 300; i++) await send(i);
    const { body } = await app.metrics.render();
    assertEquals(seriesCount(body), before);
    assert(body.includes('method="other"'), "made-up methods count as other");
    assert(body.includes('route="other"'), "unknown paths count as other");
    for (const hostile of ["M1ETHOD", "X-1", "/path/", "evil1", "text/x"]) {
      assert(!body.includes(hostile), hostile);
    }
  });
});

Deno.test('Metrics maps every label value outside its closed set to "other"', async () => {
  const m = new Metrics({ tools: ["read_file"] });
  const hostile = ["", "other", "GET\n", 'a"b', "read_file ", "/mcp/", "x".repeat(1000)];
  m.recordToolCall({ tool: "read_file", durationMs: 1, outcome: "ok", requestId: "r" });
  m.recordHttp("GET", "/mcp", 200, 0.01);
  m.recordLinter("flake8", 0.1);
  m.recordRateLimited("client");
  m.recordAuthFailure("missing");
  const before = seriesCount((await m.render()).body);
  for (let i = 0; i < 200; i++) {
    const v = hostile[i % hostile.length]! + (i >= hostile.length ? String(i) : "");
    // deno-lint-ignore no-explicit-any
    m.recordToolCall({ tool: v, durationMs: 1, outcome: v as any, requestId: "r" });
    m.recordHttp(v, v, 1000 + i, 0.01);
    m.recordLinter(v, 0.1);
    m.recordRateLimited(v);
    m.recordAuthFailure(v);
  }
  const after = (await m.render()).body;
  // One "other" series per labelled metric (histograms count their buckets), then no more.
  const once = seriesCount(after);
  for (let i = 0; i < 50; i++) m.recordHttp(`Z${i}`, `/z${i}`, -i, 0.01);
  assertEquals(seriesCount((await m.render()).body), once);
  assert(once > before);
  assert(!after.includes("x".repeat(100)));
  assert(after.includes('mcp_http_requests_total{method="other",route="other",status="other"}'));
  assert(after.includes('mcp_tool_calls_total{tool="other",outcome="other"}'));
  assert(after.includes('mcp_linter_duration_seconds_count{linter="other"}'));
  assert(after.includes('mcp_rate_limited_total{scope="other"}'));
  assert(after.includes('mcp_auth_failures_total{reason="other"}'));
});
