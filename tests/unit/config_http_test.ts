import { assert, assertEquals, assertMatch } from "../assert.ts";
import { parseConfigArgs } from "../../src/config.ts";
import {
  isLoopbackHost,
  parseApiKeys,
  RATE_LIMITED_TOOLS,
  sha256Hex,
} from "../../src/config_http.ts";
import { TOOLS } from "../../src/tools/mod.ts";

const envOf = (vars: Record<string, string>) => (name: string) => vars[name];
const parse = (argv: string[], env: Record<string, string> = {}) =>
  parseConfigArgs(argv, envOf(env), "/cwd");
const JWT = [
  "--resource-url",
  "https://mcp.example.com/mcp",
  "--issuer",
  "https://auth.example.com",
  "--jwks-url",
  "https://auth.example.com/jwks.json",
];

Deno.test("HTTP defaults: stateless, SSE, loopback hosts and origins, no auth, 1 MiB bodies", () => {
  const r = parse(["--transport", "http", "--port", "8123"]);
  assert(r.ok);
  const h = r.value.config.http;
  assertEquals([h.stateful, h.responseMode, h.auth.mode, h.maxBodyBytes], [
    false,
    "sse",
    "none",
    1024 * 1024,
  ]);
  assertEquals(h.allowedHosts, ["localhost", "127.0.0.1", "[::1]"]);
  assertEquals(h.allowedOrigins, [
    "http://localhost:8123",
    "http://127.0.0.1:8123",
    "http://[::1]:8123",
  ]);
  assertEquals(h.rateLimits, {
    client: 300,
    tool: 120,
    perTool: { run_linter: 20, fetch_github_file: 30 },
  });
  assertEquals([h.maxConcurrentLinters, h.requestTimeoutMs, h.shutdownTimeoutMs], [
    4,
    60_000,
    10_000,
  ]);
  assert(Object.isFrozen(h));
});

Deno.test("HTTP options: a flag wins over its environment variable", () => {
  const r = parse(["--response-mode", "json", "--max-body-bytes", "2048"], {
    CODE_REVIEW_RESPONSE_MODE: "sse",
    CODE_REVIEW_MAX_BODY_BYTES: "4096",
    CODE_REVIEW_STATEFUL: "true",
    CODE_REVIEW_RATE_LIMITS: "client=10,run_linter=2",
  });
  assert(r.ok);
  const h = r.value.config.http;
  assertEquals([h.responseMode, h.maxBodyBytes, h.stateful], ["json", 2048, true]);
  assertEquals(h.rateLimits, {
    client: 10,
    tool: 120,
    perTool: { run_linter: 2, fetch_github_file: 30 },
  });
});

Deno.test("JWT mode: the resource URL's host and origin join the allowed lists", () => {
  const r = parse(["--transport", "http", "--host", "0.0.0.0", ...JWT]);
  assert(r.ok, r.ok ? "" : r.reason);
  const h = r.value.config.http;
  assertEquals(h.auth, {
    mode: "jwt",
    jwksUrl: "https://auth.example.com/jwks.json",
    issuer: "https://auth.example.com",
    requiredScope: "tools:execute",
  });
  assert(h.allowedHosts.includes("mcp.example.com"));
  assert(!h.allowedHosts.includes("0.0.0.0"));
  assert(h.allowedOrigins.includes("https://mcp.example.com"));
});

Deno.test("API keys: stored as digests only, from the environment and/or a file", () => {
  const r = parse(["--api-keys-file", "/etc/keys"], {
    CODE_REVIEW_API_KEYS: "ci:0123456789abcdef, bob:fedcba9876543210",
  });
  assert(r.ok);
  const auth = r.value.config.http.auth;
  assert(auth.mode === "api-key");
  assertEquals(auth.keys, [{ name: "ci", sha256: sha256Hex("0123456789abcdef") }, {
    name: "bob",
    sha256: sha256Hex("fedcba9876543210"),
  }]);
  assertEquals(auth.keysFile, "/etc/keys");
  assert(!JSON.stringify(r.value.config).includes("0123456789abcdef"));
});

Deno.test("HTTP options: every bad value is one line naming its source, never quoting a key", () => {
  const table: [string[], Record<string, string>, RegExp][] = [
    [["--response-mode", "xml"], {}, /^--response-mode: expected sse or json/],
    [[], { CODE_REVIEW_STATEFUL: "maybe" }, /^CODE_REVIEW_STATEFUL: expected true or false/],
    [["--max-body-bytes", "10"], {}, /^--max-body-bytes: expected an integer from 1024/],
    [["--allowed-hosts", "evil host"], {}, /^--allowed-hosts: not a host/],
    [["--allowed-hosts", ","], {}, /^--allowed-hosts: /],
    [["--allowed-origins", "null"], {}, /^--allowed-origins: /],
    [["--allowed-origins", "ftp://x.example"], {}, /^--allowed-origins: not an http\(s\) origin/],
    [["--resource-url", "http://mcp.example.com/mcp"], {}, /^--resource-url: .*https/],
    [["--resource-url", "https://u:p@mcp.example.com/mcp"], {}, /credentials/],
    [["--issuer", "https://a.example"], {}, /^--jwks-url: JWT mode needs the JWKS URL/],
    [["--jwks-url", "https://a.example/j"], {}, /^--issuer: JWT mode needs the issuer/],
    [JWT.slice(2), {}, /^--resource-url: JWT mode needs this server's resource URL/],
    [[...JWT.slice(0, 4), "--jwks-url", "http://auth.example.com/j"], {}, /^--jwks-url: .*https/],
    [[...JWT, "--api-keys-file", "/k"], {}, /either JWT .* or API keys, not both/],
    [["--required-scope", "a b"], {}, /^--required-scope: /],
    [
      [],
      { CODE_REVIEW_API_KEYS: "secret-without-name-123" },
      /^CODE_REVIEW_API_KEYS: entry 1 is not "name:key"$/,
    ],
    [
      [],
      { CODE_REVIEW_API_KEYS: "ci:short" },
      /^CODE_REVIEW_API_KEYS: entry 1 \(ci\): a key needs at least 16/,
    ],
    [[], { CODE_REVIEW_API_KEYS: "a:0123456789abcdef,a:0123456789abcdeg" }, /appears twice/],
    [[], { CODE_REVIEW_API_KEYS: "bad name:0123456789abcdef" }, /a name is 1-64/],
    [["--api-keys-file", "/a,b"], {}, /comma/],
    [[], { CODE_REVIEW_METRICS_TOKEN: "short" }, /^CODE_REVIEW_METRICS_TOKEN: needs at least 16/],
    [["--rate-limits", "client=0"], {}, /^--rate-limits: client: expected 1 to 1000000/],
    [["--rate-limits", "rm_rf=3"], {}, /^--rate-limits: unknown name "rm_rf"/],
    [["--rate-limits", "client:3"], {}, /^--rate-limits: expected name=N pairs/],
    [["--max-concurrent-linters", "0"], {}, /^--max-concurrent-linters: /],
    [["--request-timeout-ms", "5"], {}, /^--request-timeout-ms: /],
    [["--shutdown-timeout-ms=-1"], {}, /^--shutdown-timeout-ms: /],
    [[], { CODE_REVIEW_SHUTDOWN_TIMEOUT_MS: "9999999" }, /^CODE_REVIEW_SHUTDOWN_TIMEOUT_MS: /],
    [
      ["--transport", "http", "--host", "0.0.0.0"],
      {},
      /^--host: binding 0\.0\.0\.0 with no authentication/,
    ],
    [["--transport", "http", "--host", "192.168.1.5"], {}, /--allow-unauthenticated-remote/],
  ];
  for (const [argv, env, expected] of table) {
    const r = parse(argv, env);
    assert(!r.ok, `expected failure for ${JSON.stringify(argv)} ${JSON.stringify(env)}`);
    assertMatch(r.reason, expected);
    assert(!r.reason.includes("\n"));
    for (const v of Object.values(env)) {
      if (v.length >= 16) assert(!r.reason.includes(v), "a key in the message");
    }
  }
});

Deno.test("a non-loopback bind is accepted with auth, or with the explicit risk flag, or under stdio", () => {
  assert(parse(["--transport", "http", "--host", "0.0.0.0", "--allow-unauthenticated-remote"]).ok);
  assert(
    parse(["--transport", "http", "--host", "0.0.0.0"], {
      CODE_REVIEW_API_KEYS: "ci:0123456789abcdef",
    }).ok,
  );
  assert(parse(["--host", "0.0.0.0"]).ok);
  for (const h of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"]) {
    assert(isLoopbackHost(h), h);
  }
  for (const h of ["0.0.0.0", "::", "10.0.0.1", "localhost.evil.example", "128.0.0.1"]) {
    assert(!isLoopbackHost(h), h);
  }
});

Deno.test("parseApiKeys() skips blank lines and comments", () => {
  const r = parseApiKeys("# team\n\nci:0123456789abcdef\n  # more\n", "f", /\n/);
  assert(r.ok);
  assertEquals(r.value.map((k) => k.name), ["ci"]);
});

Deno.test("the rate-limitable tool names are exactly the server's tools", () => {
  assertEquals([...RATE_LIMITED_TOOLS].sort(), TOOLS.map((t) => t.name).sort());
});

Deno.test("--redis-url takes redis:// and rediss:// URLs, flag before environment; memory without it", () => {
  const none = parse(["--transport", "http"]);
  assert(none.ok);
  assertEquals([none.value.config.http.redisUrl, none.value.config.http.redisPasswordFile], [
    undefined,
    undefined,
  ]);
  const flag = parse(["--transport", "http", "--redis-url", "rediss://cache.internal:6380/2"], {
    CODE_REVIEW_REDIS_URL: "redis://other:6379",
    CODE_REVIEW_REDIS_PASSWORD_FILE: "/run/secrets/redis",
  });
  assert(flag.ok);
  assertEquals(flag.value.config.http.redisUrl, "rediss://cache.internal:6380/2");
  assertEquals(flag.value.config.http.redisPasswordFile, "/run/secrets/redis");
});

Deno.test("--redis-url refuses what is not a Redis URL, and a password file without a URL", () => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [["--redis-url", "http://cache:6379"], {}, /--redis-url: use redis:\/\/host:port/],
    [["--redis-url", "cache:6379"], {}, /--redis-url: use redis:\/\/host:port/],
    [["--redis-url", "not a url"], {}, /--redis-url: not a URL/],
    [[], { CODE_REVIEW_REDIS_URL: "redis://" }, /CODE_REVIEW_REDIS_URL: use redis/],
    [["--redis-password-file", "/run/pw"], {}, /--redis-password-file: needs --redis-url too/],
    [
      ["--redis-url", "redis://c:1", "--redis-password-file", "/a,b"],
      {},
      /comma or NUL byte/,
    ],
  ];
  for (const [argv, env, want] of cases) {
    const r = parse(["--transport", "http", ...argv], env);
    assert(!r.ok, argv.join(" "));
    assertMatch(r.reason, want);
  }
});
