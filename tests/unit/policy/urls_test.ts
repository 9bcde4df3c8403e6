import assert from "node:assert/strict";
import {
  buildRawUrl,
  checkRedirect,
  DEFAULT_NET_PERMISSION,
  DEFAULT_RAW_BASE,
  parseRawBaseOverride,
  type RawFileParts,
} from "../../../src/policy/urls.ts";

const good: RawFileParts = { owner: "denoland", repo: "deno", ref: "main", path: "README.md" };

function expectInvalid(parts: Partial<RawFileParts>, partName: string, because: RegExp) {
  const r = buildRawUrl({ ...good, ...parts });
  assert.equal(r.ok, false, `expected ${JSON.stringify(parts)} to be refused`);
  if (r.ok) return;
  assert.ok(r.reason.startsWith(`Invalid ${partName} `), r.reason);
  assert.match(r.reason, because);
}

Deno.test("the defaults name raw.githubusercontent.com over https on port 443", () => {
  assert.equal(DEFAULT_RAW_BASE, "https://raw.githubusercontent.com");
  assert.equal(DEFAULT_NET_PERMISSION, "raw.githubusercontent.com:443");
  const u = new URL(DEFAULT_RAW_BASE);
  assert.equal(u.protocol, "https:");
  assert.equal(u.host, DEFAULT_NET_PERMISSION.replace(/:443$/, ""));
});

Deno.test("buildRawUrl() builds the raw URL and an owner/repo@ref:path key", () => {
  const r = buildRawUrl(good);
  assert.deepEqual(r, {
    ok: true,
    value: {
      url: "https://raw.githubusercontent.com/denoland/deno/main/README.md",
      key: "denoland/deno@main:README.md",
    },
  });
});

Deno.test("buildRawUrl() accepts ordinary names, refs and nested paths", () => {
  const table: Array<[RawFileParts, string]> = [
    [{ owner: "a", repo: "b", ref: "v1.2.3", path: "src/x/y.ts" }, "/a/b/v1.2.3/src/x/y.ts"],
    [
      { owner: "Octo-Cat-9", repo: "my.repo_name-2", ref: "feature/login", path: "a.md" },
      "/Octo-Cat-9/my.repo_name-2/feature/login/a.md",
    ],
    [
      { owner: "a", repo: ".github", ref: "main", path: ".github/workflows/ci.yml" },
      "/a/.github/main/.github/workflows/ci.yml",
    ],
    [
      { owner: "a", repo: "b", ref: "0123456789abcdef0123456789abcdef01234567", path: "x" },
      "/a/b/0123456789abcdef0123456789abcdef01234567/x",
    ],
    [{ owner: "a", repo: "b", ref: "release@2", path: "x" }, "/a/b/release%402/x"],
    [{ owner: "a", repo: "b", ref: "v1+build", path: "x" }, "/a/b/v1%2Bbuild/x"],
  ];
  for (const [parts, pathname] of table) {
    const r = buildRawUrl(parts);
    assert.ok(r.ok, JSON.stringify(parts));
    assert.equal(new URL(r.value.url).pathname, pathname);
  }
});

Deno.test("buildRawUrl() percent-encodes each path segment, keeping the slashes", () => {
  const table: Array<[string, string]> = [
    ["docs/my file.md", "/docs/my%20file.md"],
    ["src/a+b&c=d.ts", "/src/a%2Bb%26c%3Dd.ts"],
    ["i18n/日本語.md", "/i18n/%E6%97%A5%E6%9C%AC%E8%AA%9E.md"],
    ["emoji/😀.txt", "/emoji/%F0%9F%98%80.txt"],
    ["weird/'quote\"<>.txt", "/weird/'quote%22%3C%3E.txt"],
    ["dots/...", "/dots/..."],
    ["a/.hidden", "/a/.hidden"],
  ];
  for (const [path, suffix] of table) {
    const r = buildRawUrl({ ...good, path });
    assert.ok(r.ok, path);
    assert.equal(new URL(r.value.url).pathname, `/denoland/deno/main${suffix}`, path);
    assert.equal(r.value.key, `denoland/deno@main:${path}`);
  }
});

Deno.test("buildRawUrl() refuses hostile owners", () => {
  const table: Array<[string, RegExp]> = [
    ["", /must not be empty/],
    ["a b", /letters, digits and single hyphens/],
    ["-abc", /hyphen/],
    ["abc-", /hyphen/],
    ["a--b", /single hyphens/],
    ["a_b", /letters/],
    ["a.b", /letters/],
    ["a/b", /letters/],
    ["..", /letters/],
    ["évil", /letters/],
    ["a@b", /letters/],
    ["a\0b", /letters/],
    ["x".repeat(40), /at most 39/],
  ];
  for (const [owner, why] of table) expectInvalid({ owner }, "owner", why);
  assert.ok(buildRawUrl({ ...good, owner: "x".repeat(39) }).ok);
});

Deno.test("buildRawUrl() refuses hostile repository names", () => {
  const table: Array<[string, RegExp]> = [
    ["", /must not be empty/],
    [".", /must not be "\." or "\.\."/],
    ["..", /must not be "\." or "\.\."/],
    ["a b", /letters, digits/],
    ["a/b", /letters, digits/],
    ["a?b", /letters, digits/],
    ["a#b", /letters, digits/],
    ["a@b", /letters, digits/],
    ["a\\b", /letters, digits/],
    ["a%2fb", /letters, digits/],
    ["répo", /letters, digits/],
    ["a\nb", /letters, digits/],
    ["r".repeat(101), /at most 100/],
  ];
  for (const [repo, why] of table) expectInvalid({ repo }, "repo", why);
  assert.ok(buildRawUrl({ ...good, repo: "r".repeat(100) }).ok);
});

Deno.test("buildRawUrl() refuses refs that git-check-ref-format refuses", () => {
  const table: Array<[string, RegExp]> = [
    ["", /must not be empty/],
    ["a..b", /"\.\."/],
    ["..", /"\.\."/],
    ["main@{1}", /"@\{"/],
    ["@", /must not be "@"/],
    ["-main", /start with "-"/],
    ["--upload-pack=x", /start with "-"/],
    ["/main", /start or end with "\/"/],
    ["main/", /start or end with "\/"/],
    ["a//b", /empty segments/],
    ["main.lock", /\.lock/],
    ["a.lock/b", /\.lock/],
    ["a/.hidden", /start with "\."/],
    [".main", /start with "\."/],
    ["main.", /end with "\."/],
    ["a b", /a space/],
    ["a~1", /"~"/],
    ["a^2", /"\^"/],
    ["a:b", /":"/],
    ["a?b", /"\?"/],
    ["a*", /"\*"/],
    ["a[b", /"\["/],
    ["a\\b", /"\\\\"/],
    ["a#b", /"#"/],
    ["%2e%2e", /"%"/],
    ["a\0b", /control/],
    ["a\tb", /control/],
    ["a\x7fb", /control/],
    ["a\u202eb", /control or invisible/],
    ["r".repeat(256), /at most 255/],
  ];
  for (const [ref, why] of table) expectInvalid({ ref }, "ref", why);
  assert.ok(buildRawUrl({ ...good, ref: "r".repeat(255) }).ok);
});

Deno.test("buildRawUrl() refuses hostile paths: traversal, URL syntax, controls, long", () => {
  const table: Array<[string, RegExp]> = [
    ["", /must not be empty/],
    ["..", /"\." or "\.\." segments/],
    ["../etc/passwd", /"\." or "\.\." segments/],
    ["a/../../b", /"\." or "\.\." segments/],
    ["a/./b", /"\." or "\.\." segments/],
    [".", /"\." or "\.\." segments/],
    ["a/..", /"\." or "\.\." segments/],
    ["%2e%2e/secret", /"%"/],
    ["a/%2e%2e/b", /"%"/],
    ["a%2fb", /"%"/],
    ["a%00b", /"%"/],
    ["/etc/passwd", /leading "\/"/],
    ["a//b", /empty segments/],
    ["a/", /empty segments/],
    ["a?raw=1", /"\?"/],
    ["a#frag", /"#"/],
    ["@evil.example/x", /"@"/],
    ["user@host", /"@"/],
    ["..\\..\\x", /backslash/],
    ["a\\b", /backslash/],
    ["a\0b", /U\+0000/],
    ["a\nb", /U\+000A/],
    ["a\rb", /U\+000D/],
    ["a\x1bb", /U\+001B/],
    ["a\x7fb", /U\+007F/],
    ["a\x85b", /U\+0085/],
    ["a\u200bb", /U\+200B/],
    ["a\u202eb.txt", /U\+202E/],
    ["a\u2028b", /U\+2028/],
    ["a\ud800b", /U\+D800/],
    ["a/" + "x".repeat(256), /at most 255/],
    ["a/".repeat(600) + "x", /at most 1024/],
  ];
  for (const [path, why] of table) expectInvalid({ path }, "path", why);
});

Deno.test("buildRawUrl() quotes the refused value and escapes its control characters", () => {
  const r = buildRawUrl({ ...good, path: "a\0b\u202e" });
  assert.ok(!r.ok);
  assert.ok(!r.reason.includes("\0") && !r.reason.includes("\u202e"), r.reason);
  assert.match(r.reason, /^Invalid path "a\\u0000b\\u\{202e\}": /);
  const long = buildRawUrl({ ...good, owner: "a b".repeat(1000) });
  assert.ok(!long.ok && long.reason.length < 200, "a long value is shortened in the message");
});

Deno.test("buildRawUrl() refuses parts that are not strings", () => {
  const r = buildRawUrl({ ...good, path: 42 as unknown as string });
  assert.deepEqual(r, { ok: false, reason: "Invalid path: must be a string" });
});

Deno.test("buildRawUrl() keeps every URL on the base it was given", () => {
  const base = "http://127.0.0.1:8123";
  const r = buildRawUrl({ owner: "o", repo: "r", ref: "main", path: "a b/c.md" }, base);
  assert.ok(r.ok);
  assert.equal(r.value.url, "http://127.0.0.1:8123/o/r/main/a%20b/c.md");
});

Deno.test("parseRawBaseOverride() accepts a loopback http(s) base with an explicit port", () => {
  const table: Array<[string, string, string]> = [
    ["http://127.0.0.1:8123", "http://127.0.0.1:8123", "127.0.0.1:8123"],
    ["http://127.0.0.1:8123/", "http://127.0.0.1:8123", "127.0.0.1:8123"],
    ["https://localhost:9443", "https://localhost:9443", "localhost:9443"],
    ["http://[::1]:8080", "http://[::1]:8080", "[::1]:8080"],
    ["http://127.0.0.1:80", "http://127.0.0.1:80", "127.0.0.1:80"],
    ["HTTP://LOCALHOST:8000", "http://localhost:8000", "localhost:8000"],
  ];
  for (const [value, base, netPermission] of table) {
    assert.deepEqual(
      parseRawBaseOverride(value),
      { ok: true, value: { base, netPermission } },
      value,
    );
  }
});

Deno.test("parseRawBaseOverride() refuses non-loopback hosts, missing ports, credentials, paths", () => {
  const table: Array<[string, RegExp]> = [
    ["http://raw.githubusercontent.com:443", /loopback/],
    ["https://evil.example:8443", /loopback/],
    ["http://10.0.0.1:8080", /loopback/],
    ["http://0.0.0.0:8080", /loopback/],
    ["http://127.0.0.2:8080", /loopback/],
    ["http://localhost.evil.example:8080", /loopback/],
    ["http://127.0.0.1.nip.io:8080", /loopback/],
    ["http://127.0.0.1", /port explicitly/],
    ["https://localhost", /port explicitly/],
    ["http://127.0.0.1:0", /port 0/],
    ["http://user:pass@127.0.0.1:8080", /credentials/],
    ["http://evil.example@127.0.0.1:8080", /credentials/],
    ["http://127.0.0.1:8080@evil.example", /credentials|loopback/],
    ["http://127.0.0.1:8080/prefix", /path/],
    ["http://127.0.0.1:8080/?q=1", /query/],
    ["http://127.0.0.1:8080/#x", /query or fragment/],
    ["ftp://127.0.0.1:21", /http or https/],
    ["file:///etc/passwd", /http or https/],
    ["127.0.0.1:8080", /http or https|not a URL/],
    ["not a url", /spaces|not a URL/],
    ["", /not a URL/],
    ["http://127.0.0.1:8080\n", /control/],
  ];
  for (const [value, why] of table) {
    const r = parseRawBaseOverride(value);
    assert.equal(r.ok, false, value);
    if (!r.ok) assert.match(r.reason, why, `${value}: ${r.reason}`);
  }
});

Deno.test("checkRedirect() follows a Location on the same scheme, host and port", () => {
  const base = "https://raw.githubusercontent.com";
  const cur = "https://raw.githubusercontent.com/o/r/main/a.md";
  assert.deepEqual(checkRedirect(cur, "/o/r/main/b.md", base), {
    ok: true,
    value: "https://raw.githubusercontent.com/o/r/main/b.md",
  });
  assert.deepEqual(checkRedirect(cur, "b.md", base), {
    ok: true,
    value: "https://raw.githubusercontent.com/o/r/main/b.md",
  });
  assert.deepEqual(checkRedirect(cur, "https://raw.githubusercontent.com:443/x#frag", base), {
    ok: true,
    value: "https://raw.githubusercontent.com/x",
  });
  const local = "http://127.0.0.1:8123";
  assert.ok(checkRedirect(`${local}/o/r/main/a`, "/o/r/main/b", local).ok);
});

Deno.test("checkRedirect() refuses any other host, scheme or port, naming the foreign host", () => {
  const base = "https://raw.githubusercontent.com";
  const cur = "https://raw.githubusercontent.com/o/r/main/a.md";
  const table: Array<[string, string]> = [
    ["https://evil.example/x", "evil.example"],
    ["//evil.example/x", "evil.example"],
    ["https://raw.githubusercontent.com.evil.example/x", "raw.githubusercontent.com.evil.example"],
    ["https://raw.githubusercontent.com:8443/x", "raw.githubusercontent.com:8443"],
    ["http://raw.githubusercontent.com/x", "http://raw.githubusercontent.com"],
    ["https://github.com/o/r/raw/main/a.md", "github.com"],
    ["https://user:pw@raw.githubusercontent.com/x", "raw.githubusercontent.com"],
    ["javascript:alert(1)", "javascript://"],
    ["file:///etc/passwd", "file://"],
  ];
  for (const [location, host] of table) {
    const r = checkRedirect(cur, location, base);
    assert.equal(r.ok, false, location);
    if (!r.ok) {
      assert.equal(r.host, host, location);
      assert.ok(r.reason.includes(host), r.reason);
    }
  }
  const local = "http://127.0.0.1:8123";
  const other = checkRedirect(`${local}/a`, "http://127.0.0.1:9999/a", local);
  assert.ok(!other.ok && other.host === "127.0.0.1:9999");
  const otherName = checkRedirect(`${local}/a`, "http://localhost:8123/a", local);
  assert.ok(!otherName.ok && otherName.host === "localhost:8123");
});

Deno.test("checkRedirect() refuses a Location that is not a URL", () => {
  const r = checkRedirect(
    "https://raw.githubusercontent.com/a",
    "http://[bad",
    "https://raw.githubusercontent.com",
  );
  assert.equal(r.ok, false);
});
