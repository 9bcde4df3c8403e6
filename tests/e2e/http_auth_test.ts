/**
 * Authentication end to end: the real server as an OAuth 2.1 resource server (JWTs
 * from a fake issuer on 127.0.0.1, its JWKS fetched by the server) and with static
 * API keys from the environment and a file. Tokens and keys never reach the logs.
 */
import * as path from "node:path";
import { assert, assertEquals, assertMatch } from "../assert.ts";
import { makeProject } from "./harness.ts";
import { startFakeIssuer, unsignedToken } from "../fixtures/fake_issuer.ts";
import {
  connectHttp,
  freePort,
  INITIALIZE,
  logLines,
  rawPost,
  startHttpServer,
  waitFor,
} from "./http_harness.ts";
import { callTool, textOf } from "./http_every_tool.ts";

const SCOPE = "tools:execute";

Deno.test("HTTP with JWT auth: valid, expired, wrong audience, wrong issuer, missing scope, query tokens, metadata", async (t) => {
  const project = await makeProject();
  const issuer = await startFakeIssuer();
  const port = freePort();
  const resource = `http://127.0.0.1:${port}/mcp`;
  const metadataUrl = `http://127.0.0.1:${port}/.well-known/oauth-protected-resource`;
  const server = await startHttpServer(project.root, {
    port,
    jwksUrl: issuer.jwksUrl,
    extraArgs: ["--issuer", issuer.issuer, "--resource-url", resource],
  });
  const tokens: string[] = [];
  const mint = async (claims: Record<string, unknown>, opts?: { otherKey?: boolean }) => {
    const tok = await issuer.sign(claims, opts);
    tokens.push(tok);
    return tok;
  };
  const valid = await mint({
    sub: "user-42",
    aud: resource,
    scope: `profile ${SCOPE}`,
    client_id: "claude-code",
  });
  try {
    await t.step(
      "no token: 401 with a challenge naming the protected resource metadata",
      async () => {
        const r = await rawPost(server.mcpUrl, INITIALIZE);
        assertEquals(r.status, 401);
        assertEquals(
          r.headers.get("www-authenticate"),
          `Bearer resource_metadata="${metadataUrl}"`,
        );
      },
    );

    await t.step(
      "a valid token: the SDK client works and the subject reaches logs and metrics",
      async () => {
        const { client, close } = await connectHttp(server.mcpUrl, {
          authorization: `Bearer ${valid}`,
        });
        try {
          const r = await callTool(client, "read_file", { file_path: "src/clean.py" });
          assert(!r.isError, textOf(r));
          await callTool(client, "list_directory", { dir_path: "." });
        } finally {
          await close();
        }
        await waitFor(
          () =>
            logLines(server.stderr()).some((l) =>
              l["message"] === "tool call" && l["subject"] === "user-42"
            ),
          "a tool call logged with its subject",
        );
        assert(
          logLines(server.stderr()).some((l) =>
            l["message"] === "http request" && l["subject"] === "user-42"
          ),
        );
        const metrics = await fetch(`${server.base}/metrics`, {
          headers: { authorization: `Bearer ${valid}` },
        });
        assertEquals(metrics.status, 200);
        assertMatch(await metrics.text(), /mcp_subject_tool_calls_total\{subject="user-42"\} 2/);
      },
    );

    await t.step(
      "refused tokens: 401 invalid_token, or 403 insufficient_scope naming the scope",
      async () => {
        const now = Math.floor(Date.now() / 1000);
        const table: [string, string, number, RegExp][] = [
          [
            "expired",
            await mint({ sub: "u", aud: resource, scope: SCOPE, exp: now - 120, iat: now - 720 }),
            401,
            /expired/,
          ],
          [
            "not yet valid",
            await mint({ sub: "u", aud: resource, scope: SCOPE, nbf: now + 600 }),
            401,
            /not valid yet/,
          ],
          [
            "wrong audience",
            await mint({ sub: "u", aud: "http://127.0.0.1:1/mcp", scope: SCOPE }),
            401,
            /audience/,
          ],
          ["no audience", await mint({ sub: "u", scope: SCOPE }), 401, /audience|aud/],
          [
            "wrong issuer",
            await mint({ sub: "u", aud: resource, scope: SCOPE, iss: "http://127.0.0.1:2" }),
            401,
            /issuer/,
          ],
          [
            "no expiry",
            await mint({ sub: "u", aud: resource, scope: SCOPE, exp: null }),
            401,
            /exp/,
          ],
          ["no subject", await mint({ aud: resource, scope: SCOPE }), 401, /sub/],
          [
            "foreign key",
            await mint({ sub: "u", aud: resource, scope: SCOPE }, { otherKey: true }),
            401,
            /signature/,
          ],
          [
            "alg none",
            unsignedToken({ sub: "u", aud: resource, scope: SCOPE, iss: issuer.issuer }),
            401,
            /./,
          ],
          ["garbage", "not.a.jwt", 401, /malformed/],
          [
            "missing scope",
            await mint({ sub: "u", aud: resource, scope: "profile" }),
            403,
            /lacks the scope tools:execute/,
          ],
          [
            "scope as a prefix",
            await mint({ sub: "u", aud: resource, scope: "tools:execute-all" }),
            403,
            /lacks the scope/,
          ],
        ];
        for (const [what, token, status, description] of table) {
          const r = await rawPost(server.mcpUrl, INITIALIZE, { authorization: `Bearer ${token}` });
          assertEquals(r.status, status, what);
          const challenge = r.headers.get("www-authenticate") ?? "";
          assert(challenge.startsWith(`Bearer resource_metadata="${metadataUrl}"`), challenge);
          assertMatch(
            challenge,
            status === 403
              ? /error="insufficient_scope".*scope="tools:execute"/
              : /error="invalid_token"/,
          );
          assertMatch(challenge, description);
          assert(!r.text.includes(token), "the token is echoed");
        }
        const scp = await mint({ sub: "u2", aud: resource, scp: [SCOPE] });
        assertEquals(
          (await rawPost(server.mcpUrl, INITIALIZE, { authorization: `Bearer ${scp}` })).status,
          200,
        );
        const basic = await rawPost(server.mcpUrl, INITIALIZE, {
          authorization: "Basic dXNlcjpwYXNz",
        });
        assertEquals(basic.status, 401);
      },
    );

    await t.step(
      "a token in the query string is refused, even next to a valid header",
      async () => {
        for (
          const q of [`access_token=${valid}`, `ACCESS_TOKEN=${valid}`, "token=x", "api_key=x"]
        ) {
          const r = await rawPost(`${server.mcpUrl}?${q}`, INITIALIZE, {
            authorization: `Bearer ${valid}`,
          });
          assertEquals(r.status, 400, q.slice(0, 20));
          assertMatch(r.headers.get("www-authenticate") ?? "", /error="invalid_request"/);
        }
      },
    );

    await t.step(
      "the protected resource metadata comes from configuration, at both well-known paths",
      async () => {
        for (
          const p of [
            "/.well-known/oauth-protected-resource",
            "/.well-known/oauth-protected-resource/mcp",
          ]
        ) {
          const res = await fetch(`${server.base}${p}`, {
            headers: { "x-forwarded-host": "evil.example", forwarded: "host=evil.example" },
          });
          assertEquals(res.status, 200, p);
          const doc = await res.json();
          assertEquals(doc.resource, resource);
          assertEquals(doc.authorization_servers, [issuer.issuer]);
          assertEquals(doc.scopes_supported, [SCOPE]);
          assertEquals(doc.bearer_methods_supported, ["header"]);
        }
      },
    );

    await t.step("/metrics needs a token like /mcp", async () => {
      const res = await fetch(`${server.base}/metrics`);
      assertEquals(res.status, 401);
      await res.body?.cancel();
    });

    await t.step("the issuer's keys were fetched once and cached", () => {
      assertEquals(issuer.jwksFetches(), 1);
    });

    await t.step("no token and no Authorization header value ever reaches the logs", () => {
      const err = server.stderr();
      for (const tok of tokens) assert(!err.includes(tok), "a token in the logs");
      assert(!err.includes(tokens[0]!.split(".")[2]!), "a signature in the logs");
      assert(!/authorization/i.test(err), "an Authorization field in the logs");
    });
  } finally {
    assertEquals((await server.stop()).code, 0);
    await issuer.close();
    await project.cleanup();
  }
});

Deno.test("HTTP with API keys from the environment and a file; /metrics behind its own token", async (t) => {
  const project = await makeProject();
  const dir = await Deno.makeTempDir({ prefix: "crm-keys-" });
  const keysFile = path.join(await Deno.realPath(dir), "keys.txt");
  const alice = "alice-key-0123456789abcdef";
  const bob = "bob-key-fedcba9876543210xyz";
  const metricsToken = "metrics-token-0123456789";
  await Deno.writeTextFile(keysFile, `# team keys\nbob:${bob}\n\n`);
  const server = await startHttpServer(project.root, {
    apiKeysFile: keysFile,
    env: { CODE_REVIEW_API_KEYS: `alice:${alice}`, CODE_REVIEW_METRICS_TOKEN: metricsToken },
  });
  try {
    await t.step(
      "keys from the environment and from the file both work; the key's name is the subject",
      async () => {
        for (const [key, name] of [[alice, "alice"], [bob, "bob"]]) {
          const { client, close } = await connectHttp(server.mcpUrl, {
            authorization: `Bearer ${key}`,
          });
          try {
            const r = await callTool(client, "list_directory", { dir_path: "src" });
            assert(!r.isError, textOf(r));
          } finally {
            await close();
          }
          await waitFor(
            () =>
              logLines(server.stderr()).some((l) =>
                l["message"] === "tool call" && l["subject"] === name
              ),
            `${name}'s call logged`,
          );
        }
      },
    );

    await t.step(
      "a wrong, truncated, extended or missing key is 401 with a Bearer challenge",
      async () => {
        for (
          const auth of [
            `Bearer ${alice.slice(0, -1)}`,
            `Bearer ${alice}x`,
            `Bearer ${bob.toUpperCase()}`,
            "Bearer ",
            `bearer  ${"z".repeat(30)}`,
            alice,
            undefined,
          ]
        ) {
          const r = await rawPost(
            server.mcpUrl,
            INITIALIZE,
            auth === undefined ? {} : { authorization: auth },
          );
          assertEquals(r.status, 401, String(auth).slice(0, 12));
          assertMatch(r.headers.get("www-authenticate") ?? "", /^Bearer realm="code-review-mcp"/);
        }
      },
    );

    await t.step("/metrics takes the metrics token, not an API key", async () => {
      const withToken = await fetch(`${server.base}/metrics`, {
        headers: { authorization: `Bearer ${metricsToken}` },
      });
      assertEquals(withToken.status, 200);
      assertMatch(await withToken.text(), /mcp_auth_failures_total\{reason="unknown_key"\} \d+/);
      for (const h of [{ authorization: `Bearer ${alice}` }, {}] as Record<string, string>[]) {
        const res = await fetch(`${server.base}/metrics`, { headers: h });
        assertEquals(res.status, 401);
        await res.body?.cancel();
      }
    });

    await t.step("keys never reach the logs", () => {
      const err = server.stderr();
      for (const secret of [alice, bob, metricsToken]) assert(!err.includes(secret));
    });
  } finally {
    assertEquals((await server.stop()).code, 0);
    await Deno.remove(dir, { recursive: true });
    await project.cleanup();
  }
});
