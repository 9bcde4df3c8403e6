/**
 * The HTTP listener over raw TCP on 127.0.0.1, with short timeouts: every way a client
 * can hold a connection (slow headers, silence, an idle keep-alive, a trickled body, a
 * body still coming after the answer) ends with the connection closed by the server.
 * Each exchange is bounded by a client-side deadline far above the server's timeouts;
 * reaching it means the server never closed, and the test fails.
 */
import { assert, assertEquals, assertMatch } from "../../assert.ts";
import {
  type ConnectionRefusal,
  type HttpListener,
  listen,
  peerAddress,
  refusalFor,
  requestUrlOf,
} from "../../../src/transports/http_listener.ts";
import { compose } from "../../../src/transports/middleware/types.ts";
import { newContext } from "../../../src/transports/middleware/types.ts";
import { jsonBody } from "../../../src/transports/middleware/json_body.ts";
import { jsonRpcError } from "../../../src/transports/http_responses.ts";

const TIMEOUTS = {
  headersTimeoutMs: 400,
  requestTimeoutMs: 3_000,
  keepAliveTimeoutMs: 300,
  checkIntervalMs: 100,
};
/** Far above every server timeout above: reaching it means the server held the connection. */
const DEADLINE_MS = 8_000;
const BODY_TIMEOUT_MS = 300;
const MAX_BODY = 1024;

interface Exchange {
  /** Everything the server sent. */
  text: string;
  /** True when the server closed the connection; false when the deadline closed it. */
  closedByServer: boolean;
  /** Status lines received, in order. */
  statuses: number[];
}

/**
 * Opens a connection, writes `opening`, then `trickle` every 50 ms (while the
 * connection lasts), and reads until the server closes or the deadline passes.
 */
async function exchange(port: number, opening: string, trickle?: string): Promise<Exchange> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  let deadlineHit = false;
  const deadline = setTimeout(() => {
    deadlineHit = true;
    try {
      conn.close();
    } catch {
      // Already closed.
    }
  }, DEADLINE_MS);
  const enc = new TextEncoder();
  let writing = true;
  const writer = (async () => {
    if (opening !== "") await conn.write(enc.encode(opening)).catch(() => {});
    while (trickle !== undefined && writing) {
      await new Promise((r) => setTimeout(r, 50));
      if (!writing) break;
      try {
        await conn.write(enc.encode(trickle));
      } catch {
        break;
      }
    }
  })();
  const chunks: string[] = [];
  const buf = new Uint8Array(16 * 1024);
  const dec = new TextDecoder();
  for (;;) {
    let n: number | null;
    try {
      n = await conn.read(buf);
    } catch {
      n = null;
    }
    if (n === null) break;
    chunks.push(dec.decode(buf.subarray(0, n), { stream: true }));
  }
  writing = false;
  await writer;
  clearTimeout(deadline);
  try {
    conn.close();
  } catch {
    // Closed by the deadline.
  }
  const text = chunks.join("");
  const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
  return { text, closedByServer: !deadlineHit, statuses };
}

/** A small app: POST bodies go through the real jsonBody middleware (with a short body timeout). */
const app = compose(
  [
    (
      c,
      next,
    ) => (c.url.pathname === "/refuse"
      ? Promise.resolve(jsonRpcError(401, -32000, "Unauthorized"))
      : next()),
    jsonBody(MAX_BODY, BODY_TIMEOUT_MS),
  ],
  (c) =>
    Promise.resolve(
      new Response(
        JSON.stringify({ ok: true, path: c.url.pathname, host: c.req.headers.get("host") }),
        { headers: { "content-type": "application/json" } },
      ),
    ),
);

async function withListener(
  fn: (l: HttpListener, refused: ConnectionRefusal[]) => Promise<void>,
): Promise<void> {
  const refused: ConnectionRefusal[] = [];
  const l = await listen((req, remote) => app(newContext(req, remote)), {
    hostname: "127.0.0.1",
    port: 0,
    timeouts: TIMEOUTS,
    onConnectionRefused: (r) => refused.push(r),
  });
  try {
    await fn(l, refused);
  } finally {
    l.closeAll();
    await l.shutdown();
  }
}

const post = (path: string, length: number, extra = "") =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n${extra}\r\n`;

Deno.test("listener: a client that never finishes its headers, or sends nothing, is answered 408, closed and reported", () =>
  withListener(async (l, refused) => {
    for (
      const [what, opening, trickle] of [
        ["nothing at all", "", undefined],
        ["half a request line", "GET /health HT", undefined],
        ["headers without their end", "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n", undefined],
        ["one header byte at a time", "GET /health HTTP/1.1\r\n", "X"],
      ] as const
    ) {
      const r = await exchange(l.addr.port, opening, trickle);
      assert(r.closedByServer, `${what}: the server never closed the connection`);
      assert(r.statuses.every((s) => s === 408), `${what}: ${r.text.slice(0, 80)}`);
    }
    assertEquals(
      refused.map((r) => [r.status, r.reason, r.remoteAddr]),
      Array(4).fill([408, "timeout", "127.0.0.1"]),
    );
  }));

Deno.test("listener: bytes that are not HTTP and a made-up method are 400, oversized headers 431, each closed and reported", () =>
  withListener(async (l, refused) => {
    for (
      const opening of [
        "\x00\x01GARBAGE / HTTP/9.9\r\n\r\n",
        "XYZZY /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        "GET /mcp HTTP/1.1\r\nBad Header\r\n\r\n",
      ]
    ) {
      const r = await exchange(l.addr.port, opening);
      assert(r.closedByServer, JSON.stringify(opening));
      assertEquals(r.statuses, [400], JSON.stringify(opening));
    }
    assertEquals(refused.map((r) => [r.status, r.reason]), Array(3).fill([400, "malformed"]));
    const big = await exchange(
      l.addr.port,
      `GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${"a".repeat(64 * 1024)}\r\n\r\n`,
    );
    assert(big.closedByServer);
    assertEquals(big.statuses, [431]);
    assertEquals(refused.at(-1)?.reason, "headers_too_large");
    assertEquals(refusalFor("HPE_HEADER_OVERFLOW"), { status: 431, reason: "headers_too_large" });
  }));

Deno.test("listener: an idle keep-alive connection is closed after its answer", () =>
  withListener(async (l) => {
    const r = await exchange(
      l.addr.port,
      "GET /a HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /b HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    );
    assert(r.closedByServer, "the idle connection was never closed");
    assertEquals(r.statuses, [200, 200], "keep-alive serves several requests before going idle");
    assertMatch(r.text, /"path":"\/a"[\s\S]*"path":"\/b"/);
  }));

Deno.test("listener: a trickled body is answered 408 with Connection: close, and the connection closes though the client keeps sending", () =>
  withListener(async (l) => {
    const r = await exchange(l.addr.port, post("/mcp", 500) + "{", " ");
    assert(r.closedByServer, "the connection stayed open after the 408");
    assertEquals(r.statuses, [408]);
    assertMatch(r.text, /connection: close/i);
  }));

Deno.test("listener: a body over the limit (declared or streamed) is 413 and the connection closes while the client still sends", () =>
  withListener(async (l) => {
    const declared = await exchange(l.addr.port, post("/mcp", MAX_BODY * 10) + "{", "x");
    assert(declared.closedByServer, "declared: the connection stayed open after the 413");
    assertEquals(declared.statuses, [413]);
    const streamed = await exchange(
      l.addr.port,
      `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${
        (MAX_BODY * 2).toString(16)
      }\r\n${"x".repeat(MAX_BODY * 2)}\r\n`,
      "1\r\nx\r\n",
    );
    assert(streamed.closedByServer, "streamed: the connection stayed open after the 413");
    assertEquals(streamed.statuses, [413]);
  }));

Deno.test("listener: any answer given before the body is in closes the connection (a refusal, a wrong media type)", () =>
  withListener(async (l) => {
    for (
      const opening of [
        post("/refuse", 100),
        post("/mcp", 100).replace("application/json", "text/plain"),
      ]
    ) {
      const r = await exchange(l.addr.port, opening + "{", " ");
      assert(r.closedByServer, `${opening.split("\r\n")[0]}: the connection stayed open`);
      assertEquals(r.statuses.length, 1);
      assertMatch(r.text, /connection: close/i);
    }
  }));

Deno.test("listener: a complete POST is served and the connection stays usable for the next request", () =>
  withListener(async (l) => {
    const body = '{"jsonrpc":"2.0","id":1,"method":"ping"}';
    const r = await exchange(
      l.addr.port,
      post("/mcp", body.length) + body + "GET /after HTTP/1.1\r\nHost: localhost:1\r\n\r\n",
    );
    assert(r.closedByServer);
    assertEquals(r.statuses, [200, 200]);
    assertMatch(r.text, /"path":"\/after","host":"localhost:1"/);
  }));

Deno.test("listener: an HTTP/1.0 request without Host is served under the address it reached; HTTP/1.1 without Host is 400", () =>
  withListener(async (l) => {
    const old = await exchange(l.addr.port, "GET /x HTTP/1.0\r\n\r\n");
    assertEquals(old.statuses.length, 1);
    assertMatch(old.text, /"path":"\/x","host":null/);
    const missing = await exchange(l.addr.port, "GET /x HTTP/1.1\r\nConnection: close\r\n\r\n");
    assertEquals(missing.statuses, [400]);
    assert(missing.closedByServer);
  }));

Deno.test("listener: a malformed Host reaches the handler as a header, under a placeholder URL, with the path intact", () =>
  withListener(async (l) => {
    for (const host of ["[::1]evil.example:8000", "localhost:99999", "a/b", "x?y"]) {
      const r = await exchange(
        l.addr.port,
        `GET /mcp?q=1 HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
      );
      assertEquals(r.statuses, [200], host);
      assert(r.text.includes(`"path":"/mcp","host":${JSON.stringify(host)}`), `${host}: ${r.text}`);
    }
  }));

Deno.test("requestUrlOf() keeps the request target's path and query and never lets the Host change them", () => {
  const table: [string | undefined, string | undefined, string][] = [
    ["/mcp?a=1", "localhost:8000", "http://localhost:8000/mcp?a=1"],
    ["/mcp", "[::1]evil.example:8000", "http://host.invalid/mcp"],
    ["/mcp", "evil.example/health?", "http://host.invalid/mcp"],
    ["/mcp", "user@evil.example", "http://host.invalid/mcp"],
    ["/mcp", undefined, "http://host.invalid/mcp"],
    ["/mcp", "", "http://host.invalid/mcp"],
    ["http://other.example/metrics?x", "localhost", "http://localhost/metrics?x"],
    ["*", "localhost", "http://localhost/"],
    [undefined, "localhost", "http://localhost/"],
    ["//evil.example/x", "localhost", "http://localhost//evil.example/x"],
  ];
  for (const [target, host, want] of table) {
    assertEquals(requestUrlOf(target, host), want, `${target} ${host}`);
  }
  // Without a Host (HTTP/1.0), the address the connection reached stands for it; a Host always wins.
  assertEquals(requestUrlOf("/mcp", undefined, "127.0.0.1:8000"), "http://127.0.0.1:8000/mcp");
  assertEquals(requestUrlOf("/mcp", undefined, "[::1]:8000"), "http://[::1]:8000/mcp");
  assertEquals(
    requestUrlOf("/mcp", "[::1]evil.example", "127.0.0.1:8000"),
    "http://host.invalid/mcp",
  );
});

Deno.test("peerAddress() shows an IPv4-mapped peer as IPv4", () => {
  // deno-lint-ignore no-explicit-any
  const s = (remoteAddress: string | undefined) => ({ remoteAddress }) as any;
  assertEquals(peerAddress(s("::ffff:127.0.0.1")), "127.0.0.1");
  assertEquals(peerAddress(s("::1")), "::1");
  assertEquals(peerAddress(s(undefined)), "");
});

Deno.test("listener: the app's own Connection: keep-alive never overrides a client's Connection: close", async () => {
  const l = await listen(
    () =>
      Promise.resolve(
        new Response("data: x\n\n", {
          headers: {
            "content-type": "text/event-stream",
            connection: "keep-alive",
            "keep-alive": "timeout=600",
          },
        }),
      ),
    {
      hostname: "127.0.0.1",
      port: 0,
      // Far longer than the deadline: only the client's Connection: close can end this exchange in time.
      timeouts: { ...TIMEOUTS, keepAliveTimeoutMs: 60_000 },
    },
  );
  try {
    const r = await exchange(
      l.addr.port,
      "GET /sse HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    );
    assert(r.closedByServer, "the connection outlived the client's Connection: close");
    assertEquals(r.statuses, [200]);
    assert(
      !/keep-alive: timeout=600/i.test(r.text),
      "hop-by-hop headers from the app are not forwarded",
    );
  } finally {
    l.closeAll();
    await l.shutdown();
  }
});

Deno.test("listener: lingering close: a request followed by more bytes than its Content-Length says still gets its answer read", () =>
  withListener(async (l) => {
    const body = '{"jsonrpc":"2.0","id":1,"method":"ping"}'.padEnd(100, " ");
    const r = await exchange(l.addr.port, post("/mcp", 100) + body + "x".repeat(2 * 1024 * 1024));
    assert(r.closedByServer, "the connection stayed open");
    assertEquals(r.statuses[0], 200, r.text.slice(0, 200));
  }));

Deno.test("listener: lingering close: an early 413 is read by a client still sending a huge body", () =>
  withListener(async (l) => {
    const r = await exchange(
      l.addr.port,
      post("/mcp", 4 * 1024 * 1024) + "x".repeat(4 * 1024 * 1024),
    );
    assert(r.closedByServer, "the connection stayed open");
    assertEquals(r.statuses, [413], r.text.slice(0, 200));
  }));
