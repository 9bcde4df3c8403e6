import { assert, assertEquals, assertMatch } from "../assert.ts";
import { parseConfigArgs, resolveRoot } from "../../src/config.ts";

const noEnv = () => undefined;
const envOf = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("parseConfigArgs() gives the defaults with no flags and no environment", () => {
  const r = parseConfigArgs([], noEnv, "/work/proj");
  assert(r.ok);
  const c = r.value.config;
  assertEquals(c.rootArg, "/work/proj");
  assertEquals(c.transport, "stdio");
  assertEquals(c.host, "127.0.0.1");
  assertEquals(c.port, 8000);
  assertEquals(c.logLevel, "info");
  assertEquals(c.githubRawBase, "https://raw.githubusercontent.com");
  assertEquals(c.githubNet, "raw.githubusercontent.com:443");
  assertEquals(c.githubToken, undefined);
  assert(c.linters.includes("flake8"));
});

Deno.test("parseConfigArgs() prefers a flag over the environment over the default", () => {
  const env = envOf({
    CODE_REVIEW_PORT: "9000",
    CODE_REVIEW_ROOT: "/from/env",
    CODE_REVIEW_LOG_LEVEL: "debug",
  });
  const r = parseConfigArgs(["--port", "9100"], env, "/cwd");
  assert(r.ok);
  assertEquals(r.value.config.port, 9100);
  assertEquals(r.value.config.rootArg, "/from/env");
  assertEquals(r.value.config.logLevel, "debug");
});

Deno.test("parseConfigArgs() reads GITHUB_TOKEN from the environment only", () => {
  const r = parseConfigArgs([], envOf({ GITHUB_TOKEN: "ghp_secret" }), "/cwd");
  assert(r.ok);
  assertEquals(r.value.config.githubToken, "ghp_secret");
  const flag = parseConfigArgs(["--github-token", "x"], noEnv, "/cwd");
  assert(!flag.ok);
});

Deno.test("parseConfigArgs() turns every bad value into one line naming its source", () => {
  const table: [string[], Record<string, string>, RegExp][] = [
    [["--port", "0"], {}, /^--port: expected an integer from 1 to 65535/],
    [["--port", "65536"], {}, /^--port: /],
    [["--port", "80a"], {}, /^--port: /],
    [[], { CODE_REVIEW_PORT: "-1" }, /^CODE_REVIEW_PORT: /],
    [["--transport", "carrier-pigeon"], {}, /^--transport: expected stdio or http/],
    [[], { CODE_REVIEW_TRANSPORT: "sse" }, /^CODE_REVIEW_TRANSPORT: /],
    [["--log-level", "loud"], {}, /^--log-level: expected one of/],
    [["--linters", "flake8,rm"], {}, /^--linters: unknown linter "rm"/],
    [["--linters", ","], {}, /^--linters: /],
    [["--host", "a b"], {}, /^--host: /],
    [["--root", "a\0b"], {}, /^--root: contains a NUL byte/],
    [["--root", "a,b"], {}, /^--root: .*comma/],
    [["--github-raw-base", "https://evil.example:443"], {}, /^--github-raw-base: /],
    [["--bogus"], {}, /bogus/],
    [["positional"], {}, /positional|argument/i],
    [
      ["--max-output-bytes", "100"],
      {},
      /^--max-output-bytes: expected bytes from 4096 to 10000000/,
    ],
    [["--max-output-bytes", "80kb"], {}, /^--max-output-bytes: /],
    [["--max-output-bytes", "99999999999"], {}, /^--max-output-bytes: /],
    [[], { CODE_REVIEW_MAX_OUTPUT_BYTES: "-5" }, /^CODE_REVIEW_MAX_OUTPUT_BYTES: /],
    [
      [],
      { CODE_REVIEW_ALLOW_SECRET_FILES: "maybe" },
      /^CODE_REVIEW_ALLOW_SECRET_FILES: expected true or false/,
    ],
  ];
  for (const [argv, env, expected] of table) {
    const r = parseConfigArgs(argv, envOf(env), "/cwd");
    assert(!r.ok, `expected failure for ${JSON.stringify(argv)} ${JSON.stringify(env)}`);
    assertMatch(r.reason, expected);
    assert(!r.reason.includes("\n"), "one line");
  }
});

Deno.test("parseConfigArgs() refuses hard links by default; --allow-hard-links or CODE_REVIEW_ALLOW_HARD_LINKS allows them", () => {
  const table: [string[], Record<string, string>, boolean][] = [
    [[], {}, false],
    [["--allow-hard-links"], {}, true],
    [[], { CODE_REVIEW_ALLOW_HARD_LINKS: "true" }, true],
    [[], { CODE_REVIEW_ALLOW_HARD_LINKS: "1" }, true],
    [[], { CODE_REVIEW_ALLOW_HARD_LINKS: "false" }, false],
    [["--allow-hard-links"], { CODE_REVIEW_ALLOW_HARD_LINKS: "false" }, true],
  ];
  for (const [argv, env, want] of table) {
    const r = parseConfigArgs(argv, envOf(env), "/cwd");
    assert(r.ok, JSON.stringify([argv, env]));
    assertEquals(r.value.config.allowHardLinks, want, JSON.stringify([argv, env]));
  }
  const bad = parseConfigArgs([], envOf({ CODE_REVIEW_ALLOW_HARD_LINKS: "sometimes" }), "/cwd");
  assert(!bad.ok);
  assertMatch(bad.reason, /^CODE_REVIEW_ALLOW_HARD_LINKS: expected true or false/);
});

Deno.test("parseConfigArgs() accepts a loopback raw base and narrows the network permission to it", () => {
  const r = parseConfigArgs(["--github-raw-base", "http://127.0.0.1:8765"], noEnv, "/cwd");
  assert(r.ok);
  assertEquals(r.value.config.githubNet, "127.0.0.1:8765");
});

Deno.test("resolveRoot() refuses a missing root and a file, and realpaths a directory", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const missing = await resolveRoot(`${dir}/nope`);
    assert(!missing.ok);
    assertMatch(missing.reason, /^--root: .* does not exist$/);
    await Deno.writeTextFile(`${dir}/file`, "x");
    const file = await resolveRoot(`${dir}/file`);
    assert(!file.ok);
    assertMatch(file.reason, /is not a directory/);
    await Deno.symlink(dir, `${dir}-link`);
    const linked = await resolveRoot(`${dir}-link`);
    assert(linked.ok);
    assertEquals(linked.value, await Deno.realPath(dir));
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(`${dir}-link`).catch(() => {});
  }
});

Deno.test("parseConfigArgs() hands linters a PATH without relative entries, so none is found inside the project", () => {
  const r = parseConfigArgs([], envOf({ PATH: "/usr/bin::.:bin:/bin" }), "/cwd");
  assert(r.ok);
  assertEquals(r.value.config.linterPath, "/usr/bin:/bin");
  const none = parseConfigArgs([], envOf({ PATH: "./node_modules/.bin" }), "/cwd");
  assert(none.ok);
  assertEquals(none.value.config.linterPath, "/usr/local/bin:/usr/bin:/bin");
});

Deno.test("parseConfigArgs() reads the output budget and the secret-files switch, flag before environment", () => {
  const d = parseConfigArgs([], noEnv, "/cwd");
  assert(d.ok);
  assertEquals([d.value.config.maxOutputBytes, d.value.config.allowSecretFiles], [80_000, false]);
  const f = parseConfigArgs(
    ["--max-output-bytes", "20000", "--allow-secret-files"],
    envOf({ CODE_REVIEW_MAX_OUTPUT_BYTES: "9000" }),
    "/cwd",
  );
  assert(f.ok);
  assertEquals([f.value.config.maxOutputBytes, f.value.config.allowSecretFiles], [20_000, true]);
  const e = parseConfigArgs(
    [],
    envOf({ CODE_REVIEW_MAX_OUTPUT_BYTES: "9000", CODE_REVIEW_ALLOW_SECRET_FILES: "true" }),
    "/cwd",
  );
  assert(e.ok);
  assertEquals([e.value.config.maxOutputBytes, e.value.config.allowSecretFiles], [9_000, true]);
  const off = parseConfigArgs([], envOf({ CODE_REVIEW_ALLOW_SECRET_FILES: "0" }), "/cwd");
  assert(off.ok);
  assertEquals(off.value.config.allowSecretFiles, false);
});
