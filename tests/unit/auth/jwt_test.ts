/** jwtAuthenticator() against a fake issuer on 127.0.0.1: each refusal as a table row. */
import { assert, assertEquals, assertMatch } from "../../assert.ts";
import { jwtAuthenticator, scopesOf } from "../../../src/auth/jwt.ts";
import { startFakeIssuer, unsignedToken } from "../../fixtures/fake_issuer.ts";

const AUD = "https://mcp.example.com/mcp";

Deno.test("jwtAuthenticator() accepts a valid token and refuses each kind of bad one with a reason", async () => {
  const issuer = await startFakeIssuer();
  try {
    const auth = jwtAuthenticator({
      jwksUrl: issuer.jwksUrl,
      issuer: issuer.issuer,
      audience: AUD,
      requiredScope: "tools:execute",
    });
    const good = await auth.authenticate(
      await issuer.sign({ sub: "u1", aud: AUD, scope: "tools:execute", azp: "cli" }),
    );
    assert(good.ok);
    assertEquals(good.value.subject, "u1");
    assertEquals(good.value.clientId, "cli");
    assertEquals(good.value.method, "jwt");
    assert(good.value.expiresAt! > Date.now() / 1000);

    const now = Math.floor(Date.now() / 1000);
    const table: [string, Promise<string> | string, string, string][] = [
      [
        "expired",
        issuer.sign({ sub: "u", aud: AUD, scope: "tools:execute", exp: now - 60 }),
        "invalid_token",
        "expired",
      ],
      [
        "expired within the skew is still fine",
        issuer.sign({ sub: "u", aud: AUD, scope: "tools:execute", exp: now - 5 }),
        "ok",
        "",
      ],
      [
        "future nbf",
        issuer.sign({ sub: "u", aud: AUD, scope: "tools:execute", nbf: now + 300 }),
        "invalid_token",
        "not_before",
      ],
      [
        "wrong audience",
        issuer.sign({ sub: "u", aud: "https://other.example/mcp", scope: "tools:execute" }),
        "invalid_token",
        "audience",
      ],
      [
        "audience list without us",
        issuer.sign({ sub: "u", aud: ["a", "b"], scope: "tools:execute" }),
        "invalid_token",
        "audience",
      ],
      [
        "audience list with us",
        issuer.sign({ sub: "u", aud: ["a", AUD], scope: "tools:execute" }),
        "ok",
        "",
      ],
      [
        "wrong issuer",
        issuer.sign({ sub: "u", aud: AUD, scope: "tools:execute", iss: "https://evil.example" }),
        "invalid_token",
        "issuer",
      ],
      [
        "foreign key",
        issuer.sign({ sub: "u", aud: AUD, scope: "tools:execute" }, { otherKey: true }),
        "invalid_token",
        "signature",
      ],
      [
        "alg none",
        unsignedToken({
          sub: "u",
          aud: AUD,
          scope: "tools:execute",
          iss: issuer.issuer,
          exp: now + 60,
        }),
        "invalid_token",
        "algorithm",
      ],
      ["not a JWT", "abc", "invalid_token", "malformed"],
      ["no scope", issuer.sign({ sub: "u", aud: AUD }), "insufficient_scope", "scope"],
      ["scp list", issuer.sign({ sub: "u", aud: AUD, scp: ["read", "tools:execute"] }), "ok", ""],
    ];
    for (const [what, tokenP, error, reason] of table) {
      const out = await auth.authenticate(await tokenP);
      if (error === "ok") {
        assert(out.ok, what);
        continue;
      }
      assert(!out.ok, what);
      assertEquals([out.code, out.reason], [error, reason], what);
    }
    assertEquals(issuer.jwksFetches(), 1, "the JWKS is fetched once and cached");
  } finally {
    await issuer.close();
  }
});

Deno.test("jwtAuthenticator() refuses every token when the JWKS cannot be fetched", async () => {
  const issuer = await startFakeIssuer();
  const token = await issuer.sign({ sub: "u", aud: AUD, scope: "tools:execute" });
  await issuer.close();
  const auth = jwtAuthenticator({
    jwksUrl: issuer.jwksUrl,
    issuer: issuer.issuer,
    audience: AUD,
    requiredScope: "tools:execute",
  });
  const out = await auth.authenticate(token);
  assert(!out.ok);
  assertMatch(out.description, /could not|verified/);
});

Deno.test("scopesOf() reads scope strings and scp lists, nothing else", () => {
  assertEquals(scopesOf({ scope: "a  b" }), ["a", "b"]);
  assertEquals(scopesOf({ scp: ["a", 1, "b"] }), ["a", "b"]);
  assertEquals(scopesOf({ scp: "a b" }), ["a", "b"]);
  assertEquals(scopesOf({ scope: 7 }), []);
  assertEquals(scopesOf({}), []);
});
