import { assert, assertEquals, assertMatch } from "../../assert.ts";
import * as path from "node:path";
import { apiKeyAuthenticator, digestMatches, loadApiKeys } from "../../../src/auth/api_keys.ts";
import { sha256Hex } from "../../../src/config_http.ts";

const KEYS = [{ name: "ci", sha256: sha256Hex("ci-key-0123456789abcdef") }, {
  name: "bob",
  sha256: sha256Hex("bob-key-0123456789abcdef"),
}];

Deno.test("apiKeyAuthenticator() names the key's owner and refuses near misses", async () => {
  const auth = apiKeyAuthenticator(KEYS);
  const ok = await auth.authenticate("bob-key-0123456789abcdef");
  assert(ok.ok);
  assertEquals(ok.value.subject, "bob");
  for (
    const bad of [
      "bob-key-0123456789abcde",
      "bob-key-0123456789abcdefx",
      "BOB-KEY-0123456789ABCDEF",
      "",
      sha256Hex("bob-key-0123456789abcdef"),
    ]
  ) {
    const out = await auth.authenticate(bad);
    assert(!out.ok, bad);
    assertEquals(out.code, "invalid_token");
  }
});

Deno.test("digestMatches() compares digests, whatever the lengths", () => {
  assert(digestMatches("x", sha256Hex("x")));
  assert(!digestMatches("x", sha256Hex("y")));
  assert(!digestMatches("x", "abcd"));
});

Deno.test("loadApiKeys() adds a file's keys and reports problems without quoting a key", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const good = path.join(dir, "keys");
    await Deno.writeTextFile(good, "# team\nalice:alice-key-0123456789abcdef\n");
    const r = await loadApiKeys(KEYS, good);
    assert(r.ok);
    assertEquals(r.value.map((k) => k.name), ["ci", "bob", "alice"]);
    const table: [string, RegExp][] = [
      ["bob:other-key-0123456789abcdef\n", /the name bob is also in CODE_REVIEW_API_KEYS/],
      ["only-a-secret-value-0123456789\n", /entry 1 is not "name:key"/],
      ["\n# nothing\n", /no keys/],
    ];
    for (const [content, want] of table) {
      const f = path.join(dir, "bad");
      await Deno.writeTextFile(f, content);
      const out = await loadApiKeys(content.startsWith("bob") ? KEYS : [], f);
      assert(!out.ok);
      assertMatch(out.reason, want);
      assert(!out.reason.includes("0123456789"));
    }
    const missing = await loadApiKeys([], path.join(dir, "none"));
    assert(!missing.ok);
    assertMatch(missing.reason, /does not exist/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
