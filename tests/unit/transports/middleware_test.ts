/** Each middleware factory in process, with plain Requests and hostile inputs as tables. */
import { assert, assertEquals, assertMatch } from "../../assert.ts";
import {
  compose,
  type HttpContext,
  type Middleware,
  newContext,
} from "../../../src/transports/middleware/types.ts";
import { hostAllowed, hostCheck } from "../../../src/transports/middleware/host_check.ts";
import { originAllowed, originCheck } from "../../../src/transports/middleware/origin_check.ts";
import {
  protocolVersion,
  SERVED_PROTOCOL_VERSIONS,
} from "../../../src/transports/middleware/protocol_version.ts";
import { HEADER_MISMATCH, mcpMethodHeader } from "../../../src/transports/middleware/mcp_method.ts";
import { jsonBody } from "../../../src/transports/middleware/json_body.ts";
import {
  bearerAuth,
  bearerToken,
  noQueryCredentials,
} from "../../../src/transports/middleware/bearer_auth.ts";
import { rateLimit } from "../../../src/transports/middleware/rate_limit.ts";
import { requestId } from "../../../src/transports/middleware/request_id.ts";
import type { Authenticator } from "../../../src/auth/types.ts";

const OK = () => Promise.resolve(new Response("passed"));

/** Runs one middleware on a request; returns the response and the context it left. */
async function run(
  mw: Middleware,
  req: Request,
  remote = "127.0.0.1",
): Promise<{ res: Response; c: HttpContext }> {
  const c = newContext(req, remote, "/mcp");
  const res = await compose([mw], OK)(c);
  return { res, c };
}

async function errorOf(res: Response): Promise<{ code: number; message: string }> {
  return (await res.json()).error;
}

Deno.test("hostAllowed() accepts only the configured names, any port unless one is named", () => {
  const allowed = ["localhost", "127.0.0.1", "[::1]", "mcp.example.com:443"];
  const table: [string, boolean][] = [
    ["localhost:8000", true],
    ["LOCALHOST:8000", true],
    ["127.0.0.1", true],
    ["[::1]:8000", true],
    ["mcp.example.com:443", true],
    ["mcp.example.com", false],
    ["mcp.example.com:8443", false],
    ["evil.example", false],
    ["localhost.evil.example:8000", false],
    ["127.0.0.1.nip.io", false],
    ["evil.example@localhost", false],
    ["", false],
    [":8000", false],
  ];
  for (const [host, want] of table) assertEquals(hostAllowed(host, allowed), want, host);
  assert(hostAllowed("anything:1", ["*"]));
});

Deno.test("hostCheck() answers a foreign Host with 403 before the handler runs", async () => {
  const { res } = await run(hostCheck(["localhost"]), new Request("http://evil.example/mcp"));
  assertEquals(res.status, 403);
  assertEquals((await errorOf(res)).code, -32000);
  const ok = await run(hostCheck(["localhost"]), new Request("http://localhost:8000/mcp"));
  assertEquals(await ok.res.text(), "passed");
});

Deno.test("originAllowed() lets requests without Origin pass and refuses null and lookalikes", () => {
  const allowed = ["http://localhost:8000", "https://app.example.com"];
  const table: [string | null, boolean][] = [
    [null, true],
    ["http://localhost:8000", true],
    ["https://app.example.com", true],
    ["https://app.example.com:443", true],
    ["null", false],
    ["http://localhost:8001", false],
    ["https://localhost:8000", false],
    ["http://localhost:8000.evil.example", false],
    ["https://app.example.com.evil.example", false],
    ["http://app.example.com", false],
    ["file://", false],
    ["", false],
    ["javascript:alert(1)", false],
  ];
  for (const [origin, want] of table) {
    assertEquals(originAllowed(origin, allowed), want, String(origin));
  }
});

Deno.test("originCheck() answers a null Origin with 403", async () => {
  const { res } = await run(
    originCheck(["http://localhost:8000"]),
    new Request("http://localhost:8000/mcp", { headers: { origin: "null" } }),
  );
  assertEquals(res.status, 403);
});

Deno.test("protocolVersion() refuses an unsupported MCP-Protocol-Version with 400, passes a supported or absent one", async () => {
  const mw = protocolVersion(["2025-06-18", "2025-03-26"]);
  for (
    const [v, status] of [["2025-06-18", 200], [null, 200], ["1999-01-01", 400], [
      "2025-06-18, 2025-03-26",
      400,
    ], ["", 400]] as const
  ) {
    const headers: Record<string, string> = v === null ? {} : { "mcp-protocol-version": v };
    const { res } = await run(mw, new Request("http://localhost/mcp", { headers }));
    assertEquals(res.status, status, String(v));
    await res.body?.cancel();
  }
});

Deno.test("the served protocol versions put 2026-07-28 first and keep every 2025 revision", async () => {
  assertEquals(SERVED_PROTOCOL_VERSIONS[0], "2026-07-28");
  for (const v of ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]) {
    assert(SERVED_PROTOCOL_VERSIONS.includes(v), v);
  }
  const mw = protocolVersion(SERVED_PROTOCOL_VERSIONS);
  for (
    const [v, status] of [["2026-07-28", 200], ["2025-11-25", 200], ["2026-07-29", 400]] as const
  ) {
    const { res } = await run(
      mw,
      new Request("http://localhost/mcp", { headers: { "mcp-protocol-version": v } }),
    );
    assertEquals(res.status, status, v);
    await res.body?.cancel();
  }
});

Deno.test("mcpMethodHeader() refuses an Mcp-Method that disagrees with the body with 400 and -32020, passes agreement and absence", async () => {
  const mw = mcpMethodHeader();
  const table: [string | null, unknown, number][] = [
    ["tools/list", { jsonrpc: "2.0", id: 7, method: "tools/list" }, 200],
    [null, { jsonrpc: "2.0", id: 7, method: "tools/list" }, 200],
    ["tools/call", { jsonrpc: "2.0", id: 7, method: "tools/list" }, 400],
    ["tools/list", { jsonrpc: "2.0", method: "notifications/initialized" }, 400],
    // A response or a batch has no single method to compare with: the SDK judges those.
    ["tools/list", { jsonrpc: "2.0", id: 7, result: {} }, 200],
    ["tools/list", [{ jsonrpc: "2.0", id: 7, method: "ping" }], 200],
  ];
  for (const [header, body, status] of table) {
    const req = new Request("http://localhost/mcp", {
      method: "POST",
      headers: header === null ? {} : { "mcp-method": header },
    });
    const c = newContext(req, "127.0.0.1");
    c.body = body;
    const res = await mw(c, () => Promise.resolve(new Response("passed")));
    assertEquals(res.status, status, `${header} ${JSON.stringify(body)}`);
    if (status === 400) {
      const answer = await res.json() as { error: { code: number; message: string }; id: unknown };
      assertEquals(answer.error.code, HEADER_MISMATCH);
      assertMatch(answer.error.message, /^Header mismatch: the Mcp-Method header names/);
      assertEquals(answer.id, (body as { id?: unknown }).id ?? null);
    } else {
      await res.body?.cancel();
    }
  }
});

Deno.test("jsonBody() answers 415, 413 and JSON-RPC parse errors, and hands on the parsed body", async () => {
  const mw = jsonBody(64);
  const post = (
    body: BodyInit | null,
    headers: Record<string, string> = { "content-type": "application/json" },
  ) => new Request("http://localhost/mcp", { method: "POST", body, headers });
  const table: [Request, number, number | undefined][] = [
    [post('{"a":1}', { "content-type": "text/plain" }), 415, -32000],
    [post('{"a":1}', {}), 415, -32000],
    [post("x".repeat(65)), 413, -32000],
    [post("{"), 400, -32700],
    [post(""), 400, -32700],
    [post(new Uint8Array([0x22, 0xff, 0x22])), 400, -32700],
    [post("true"), 400, -32600],
    [post("[]"), 400, -32600],
    [
      post('{"jsonrpc":"2.0","id":1,"method":"ping"}', {
        "content-type": "application/json; charset=utf-8",
      }),
      200,
      undefined,
    ],
  ];
  for (const [req, status, code] of table) {
    const { res } = await run(mw, req);
    assertEquals(res.status, status);
    if (code !== undefined) assertEquals((await errorOf(res)).code, code);
    else await res.body?.cancel();
  }
  const { c } = await run(mw, post('[{"jsonrpc":"2.0","id":1,"method":"ping"}]'));
  assertEquals(c.body, [{ jsonrpc: "2.0", id: 1, method: "ping" }]);
});

Deno.test("jsonBody() stops reading a streamed body as soon as it passes the bound", async () => {
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(ctl) {
      pulled++;
      ctl.enqueue(new Uint8Array(32).fill(0x20));
    },
  });
  const req = new Request("http://localhost/mcp", {
    method: "POST",
    body,
    headers: { "content-type": "application/json" },
  });
  const { res } = await run(jsonBody(100), req);
  assertEquals(res.status, 413);
  assert(pulled < 10, `read ${pulled} chunks of an endless body`);
  await res.body?.cancel();
});

Deno.test("jsonBody() cuts off a body that trickles in slower than its time bound with 408", async () => {
  const body = new ReadableStream<Uint8Array>({
    start(ctl) {
      ctl.enqueue(new TextEncoder().encode("{"));
    },
  });
  const req = new Request("http://localhost/mcp", {
    method: "POST",
    body,
    headers: { "content-type": "application/json" },
  });
  const { res } = await run(jsonBody(1024, 50), req);
  assertEquals(res.status, 408);
  await res.body?.cancel();
});

Deno.test("bearerToken() takes only a well-formed Bearer credential", () => {
  const table: [string | null, string | undefined][] = [
    ["Bearer abc.def-ghi_jkl~mno+p/q==", "abc.def-ghi_jkl~mno+p/q=="],
    ["bearer abc", "abc"],
    ["Bearer  abc ", "abc"],
    ["Basic dXNlcjpw", undefined],
    ["Bearer", undefined],
    ["Bearer a b", undefined],
    ["Bearer a\u0000b", undefined],
    ["abc", undefined],
    [null, undefined],
  ];
  for (const [h, want] of table) assertEquals(bearerToken(h), want, String(h));
});

const fakeAuth: Authenticator = {
  requiredScope: "tools:execute",
  authenticate(token) {
    if (token === "good") {
      return Promise.resolve({
        ok: true,
        value: { subject: "u1", clientId: "c1", scopes: ["tools:execute"], method: "jwt" },
      });
    }
    if (token === "narrow") {
      return Promise.resolve({
        ok: false,
        reason: "scope",
        code: "insufficient_scope",
        description: "the token lacks the scope tools:execute",
      });
    }
    return Promise.resolve({
      ok: false,
      reason: "expired",
      code: "invalid_token",
      description: "the token has expired",
    });
  },
};

Deno.test("bearerAuth() answers 401 with a challenge, 403 for a missing scope, and sets the principal", async () => {
  const reasons: string[] = [];
  const mw = bearerAuth({
    authenticator: fakeAuth,
    challenge: { resourceMetadata: "https://m.example/.well-known/oauth-protected-resource" },
    onFailure: (r) => reasons.push(r),
  });
  const req = (auth?: string) =>
    new Request("http://localhost/mcp", { headers: auth ? { authorization: auth } : {} });

  const none = await run(mw, req());
  assertEquals(none.res.status, 401);
  assertEquals(
    none.res.headers.get("www-authenticate"),
    'Bearer resource_metadata="https://m.example/.well-known/oauth-protected-resource"',
  );

  const bad = await run(mw, req("Bearer expired"));
  assertEquals(bad.res.status, 401);
  assertMatch(
    bad.res.headers.get("www-authenticate")!,
    /error="invalid_token", error_description="the token has expired"/,
  );

  const narrow = await run(mw, req("Bearer narrow"));
  assertEquals(narrow.res.status, 403);
  assertMatch(
    narrow.res.headers.get("www-authenticate")!,
    /error="insufficient_scope".*scope="tools:execute"/,
  );

  const good = await run(mw, req("Bearer good"));
  assertEquals(await good.res.text(), "passed");
  assertEquals(good.c.principal?.subject, "u1");
  assertEquals(reasons, ["missing", "expired", "scope"]);
});

Deno.test("noQueryCredentials() refuses tokens in the query string with 400 invalid_request", async () => {
  const mw = noQueryCredentials({ realm: "x" });
  for (
    const q of ["access_token=a", "Access_Token=a", "token=a", "api_key=a", "apikey=a", "x=1&key=a"]
  ) {
    const { res } = await run(mw, new Request(`http://localhost/mcp?${q}`));
    assertEquals(res.status, 400, q);
    assertMatch(res.headers.get("www-authenticate")!, /error="invalid_request"/);
    assert(!(await res.text()).includes("=a"));
  }
  const ok = await run(mw, new Request("http://localhost/mcp?page=2"));
  assertEquals(ok.res.status, 200);
});

const call = (tool: string, id = 1) => ({
  jsonrpc: "2.0",
  id,
  method: "tools/call",
  params: { name: tool, arguments: {} },
});

Deno.test("rateLimit() answers 429 with Retry-After per client, and per tool with stricter limits", async () => {
  const limited: string[] = [];
  const mw = rateLimit({
    limits: { client: 100, tool: 5, perTool: { run_linter: 2 } },
    onLimited: (s) => limited.push(s),
  });
  const send = async (body: unknown, remote = "10.0.0.1") => {
    const c = newContext(new Request("http://localhost/mcp", { method: "POST" }), remote, "/mcp");
    c.body = body;
    return await compose([mw], OK)(c);
  };
  assertEquals((await send(call("run_linter"))).status, 200);
  assertEquals((await send(call("run_linter"))).status, 200);
  const third = await send(call("run_linter", 3));
  assertEquals(third.status, 429);
  const retry = Number(third.headers.get("retry-after"));
  assert(retry >= 1 && retry <= 60);
  const err = await third.json();
  assertEquals(err.id, 3);
  assertMatch(err.error.message, /at most 2 run_linter calls per minute/);
  assertEquals((await send(call("read_file"))).status, 200, "other tools keep their own budget");
  assertEquals(
    (await send(call("run_linter"), "10.0.0.2")).status,
    200,
    "another client keeps its own budget",
  );
  assertEquals(
    (await send([1, 2, 3, 4, 5].map((i) => call("read_file", i)))).status,
    429,
    "a batch counts each call",
  );
  assertEquals(limited, ["run_linter", "read_file"]);
});

Deno.test("rateLimit() keys an authenticated client by subject, not address", async () => {
  const mw = rateLimit({ limits: { client: 1, tool: 10, perTool: {} } });
  const send = async (remote: string, subject?: string) => {
    const c = newContext(new Request("http://localhost/mcp", { method: "POST" }), remote, "/mcp");
    c.body = { jsonrpc: "2.0", id: 1, method: "ping" };
    if (subject) c.principal = { subject, clientId: subject, scopes: [], method: "api-key" };
    return (await compose([mw], OK)(c)).status;
  };
  assertEquals(await send("10.0.0.1", "alice"), 200);
  assertEquals(await send("10.0.0.2", "alice"), 429);
  assertEquals(await send("10.0.0.1", "bob"), 200);
});

Deno.test("requestId() honours a well-formed X-Request-Id and replaces a hostile one", async () => {
  const table: [string | null, RegExp][] = [
    ["abc-123.x:y_z", /^abc-123\.x:y_z$/],
    ["has space", /^[0-9a-f]{16}$/],
    ["x".repeat(129), /^[0-9a-f]{16}$/],
    ["line\r\nbreak", /^[0-9a-f]{16}$/],
    [null, /^[0-9a-f]{16}$/],
  ];
  for (const [incoming, want] of table) {
    let req: Request;
    try {
      req = new Request("http://localhost/mcp", {
        headers: incoming === null ? {} : { "x-request-id": incoming },
      });
    } catch {
      continue; // The Headers class itself refuses CR/LF.
    }
    const { res, c } = await run(requestId(), req);
    assertMatch(c.requestId, want);
    assertEquals(res.headers.get("x-request-id"), c.requestId);
  }
});
