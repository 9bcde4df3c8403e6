/**
 * The permission module is the one definition: README's commands, the deno.json
 * start task and the worker's set must agree with it.
 */
import { assert, assertEquals } from "../assert.ts";
import * as path from "node:path";
import {
  denoCompileFlags,
  denoRunFlags,
  denoTaskFlags,
  ENV_VARS,
  GITHUB_NET,
  HTTP_ENV_VARS,
  LINTER_BINARIES,
  LISTEN_HOSTS,
  listenNet,
  REDIS_SERVICE_NET,
  startTasks,
  urlNet,
  workerPermissions,
} from "../../src/permissions.ts";
import { workerModuleDirs } from "../../src/sandbox/client.ts";
import {
  APP_PLACEHOLDER,
  PROJECT_PLACEHOLDER,
  readmeBlock,
  readmeCommand,
} from "../e2e/harness.ts";
import { parseConfigArgs } from "../../src/config.ts";
import { OPTIONS, type OptionSpec } from "../../src/options.ts";

const APP_DIR = path.resolve(decodeURIComponent(new URL("../../", import.meta.url).pathname));

Deno.test("README's deno run command carries exactly the permission module's flags", () => {
  const words = readmeCommand();
  const expected = denoRunFlags({ read: [PROJECT_PLACEHOLDER, `${APP_PLACEHOLDER}/src`] });
  assertEquals(words.slice(0, 4), ["npx", "-y", "deno@2.9.6", "run"]);
  assertEquals(words.slice(4, 4 + expected.length), expected);
  assertEquals(words.slice(4 + expected.length), [
    `${APP_PLACEHOLDER}/main.ts`,
    "--root",
    PROJECT_PLACEHOLDER,
  ]);
});

Deno.test("deno.json's start tasks are the module's: unscoped read like a binary, the checkout as the named default root", () => {
  const config = JSON.parse(Deno.readTextFileSync(path.join(APP_DIR, "deno.json")));
  const tasks = startTasks();
  assertEquals(config.tasks.start, tasks.start);
  assertEquals(config.tasks["start:http"], tasks["start:http"]);
  assert(tasks.start.startsWith("CODE_REVIEW_ROOT=. deno run --quiet "));
  const flags = denoTaskFlags();
  assertEquals(
    flags,
    denoRunFlags({ read: ["."] }).map((f) => (f.startsWith("--allow-read=") ? "--allow-read" : f)),
  );
  for (const f of flags) {
    assert(!/^(-A|--allow-all|--allow-(net|run|env|write|ffi|sys|import)$)/.test(f), f);
  }
});

Deno.test("README's client entries use the same flags", () => {
  const readme = Deno.readTextFileSync(path.join(APP_DIR, "README.md"));
  const flags = denoRunFlags({ read: [PROJECT_PLACEHOLDER, `${APP_PLACEHOLDER}/src`] });
  for (const f of flags) {
    assert(readme.split(`"${f}"`).length > 1, `Claude Desktop entry lacks ${f}`);
  }
  for (const f of flags) assert(readme.includes(` ${f}`), `README lacks ${f}`);
});

Deno.test("the flags never grant everything and always pin the GitHub port", () => {
  const flags = denoRunFlags({ read: ["."] });
  for (const f of flags) {
    assert(!/^(-A|--allow-all|--allow-(read|net|run|env|write|ffi|sys)$)/.test(f), f);
  }
  assert(flags.includes(`--allow-net=${GITHUB_NET}`));
  assert(GITHUB_NET.endsWith(":443"));
  assert(!flags.some((f) => f.startsWith("--allow-write")));
  assertEquals(flags.find((f) => f.startsWith("--allow-run="))?.split("=")[1]?.split(","), [
    ...LINTER_BINARIES,
  ]);
  assertEquals(flags.find((f) => f.startsWith("--allow-env="))?.split("=")[1]?.split(","), [
    ...ENV_VARS,
  ]);
});

Deno.test("the worker's set is narrower than the process's: root and modules only, no env, no write", () => {
  const p = workerPermissions({
    root: "/proj",
    moduleDirs: ["/app/src"],
    net: GITHUB_NET,
    run: LINTER_BINARIES,
  });
  assertEquals(p.read, ["/proj", "/app/src"]);
  assertEquals(p.env, false);
  assertEquals(p.write, false);
  assertEquals(p.ffi, false);
  assertEquals(p.net, [GITHUB_NET]);
});

const README_READ = [PROJECT_PLACEHOLDER, `${APP_PLACEHOLDER}/src`];
const flagOf = (flags: string[], name: string) =>
  flags.find((f) => f.startsWith(`--${name}=`))!.split("=")[1]!.split(",");

Deno.test("docs/http.md's HTTP command carries the module's HTTP flags for 127.0.0.1:8000", () => {
  const words = readmeBlock("deno-run-command-http", "docs/http.md");
  const expected = denoRunFlags({ read: README_READ, http: { host: "127.0.0.1", port: 8000 } });
  assertEquals(words.slice(0, 4), ["npx", "-y", "deno@2.9.6", "run"]);
  assertEquals(words.slice(4, 4 + expected.length), expected);
  assertEquals(words.slice(4 + expected.length), [
    `${APP_PLACEHOLDER}/main.ts`,
    "--root",
    PROJECT_PLACEHOLDER,
    "--transport",
    "http",
  ]);
});

Deno.test("docs/http.md's JWT command adds the JWKS host to --allow-net and names the same JWKS URL", () => {
  const words = readmeBlock("deno-run-command-http-jwt", "docs/http.md");
  const jwks = words[words.indexOf("--jwks-url") + 1]!;
  const host = words[words.indexOf("--host") + 1]!;
  const expected = denoRunFlags({ read: README_READ, http: { host, port: 8000, jwksUrl: jwks } });
  assertEquals(words.slice(4, 4 + expected.length), expected);
  assert(flagOf(expected, "allow-net").includes("auth.example.com:443"));
  const args = words.slice(4 + expected.length + 1);
  const parsed = parseConfigArgs(args, () => undefined, "/");
  assert(parsed.ok, parsed.ok ? "" : parsed.reason);
  assertEquals(parsed.value.config.http.auth.mode, "jwt");
});

Deno.test("the HTTP flags add the listen address, the JWKS host, the keys file and the HTTP variables only", () => {
  const stdio = denoRunFlags({ read: ["/p"] });
  const http = denoRunFlags({
    read: ["/p"],
    http: {
      host: "0.0.0.0",
      port: 9000,
      jwksUrl: "https://auth.example.com/jwks.json",
      apiKeysFile: "/etc/mcp/keys.txt",
    },
  });
  assertEquals(flagOf(http, "allow-net"), [GITHUB_NET, "0.0.0.0:9000", "auth.example.com:443"]);
  assertEquals(flagOf(http, "allow-read"), ["/p", "/etc/mcp/keys.txt"]);
  assertEquals(flagOf(http, "allow-env"), [...ENV_VARS, ...HTTP_ENV_VARS]);
  assertEquals(flagOf(http, "allow-run"), flagOf(stdio, "allow-run"));
  assert(
    !flagOf(stdio, "allow-env").some((v) => (HTTP_ENV_VARS as readonly string[]).includes(v)),
    "stdio reads HTTP variables",
  );
  for (const f of http) {
    assert(!/^(-A|--allow-all|--allow-(read|net|run|env|write|ffi|sys)$)/.test(f), f);
  }
});

Deno.test("listenNet() and urlNet() always name a port, IPv6 literals bracketed", () => {
  const table: [string, string][] = [
    [listenNet("127.0.0.1", 8000), "127.0.0.1:8000"],
    [listenNet("::", 8000), "[::]:8000"],
    [listenNet("[::1]", 8000), "[::1]:8000"],
    [urlNet("https://auth.example.com/jwks"), "auth.example.com:443"],
    [urlNet("http://127.0.0.1/jwks"), "127.0.0.1:80"],
    [urlNet("https://auth.example.com:8443/x"), "auth.example.com:8443"],
  ];
  for (const [got, want] of table) assertEquals(got, want);
});

Deno.test("every HTTP variable is read by the HTTP options and documented in docs/options.md", () => {
  const readme = Deno.readTextFileSync(path.join(APP_DIR, "docs/options.md"));
  const source = Deno.readTextFileSync(path.join(APP_DIR, "src/config_http.ts"));
  const httpOptions = (OPTIONS as readonly OptionSpec[]).filter((o) => o.http === true);
  assertEquals(httpOptions.flatMap((o) => o.env ?? []), [...HTTP_ENV_VARS]);
  for (const o of httpOptions) {
    const name = o.flag ?? o.env;
    assert(source.includes(`"${name}"`), `${name} not read in config_http.ts`);
  }
  for (const v of HTTP_ENV_VARS) {
    assert(readme.includes("`" + v + "`"), `${v} not in docs/options.md`);
  }
});

Deno.test("compile flags differ from the HTTP run flags only in read (unscoped) and the listen hosts (any port)", () => {
  const run = denoRunFlags({ read: ["/proj"], http: { host: "127.0.0.1", port: 8000 } });
  const compile = denoCompileFlags();
  assertEquals(compile.length, run.length);
  for (let i = 0; i < run.length; i++) {
    if (run[i]!.startsWith("--allow-read=")) assertEquals(compile[i], "--allow-read");
    else if (run[i]!.startsWith("--allow-net=")) {
      assertEquals(
        compile[i],
        `--allow-net=${[GITHUB_NET, ...LISTEN_HOSTS, REDIS_SERVICE_NET].join(",")}`,
      );
    } else assertEquals(compile[i], run[i]);
  }
  assertEquals(flagOf(compile, "allow-env"), [...ENV_VARS, ...HTTP_ENV_VARS]);
  assert(compile.includes("--no-prompt"));
  assert(compile.includes("--unstable-worker-options"));
});

Deno.test("compile flags never grant everything, write, ffi or sys, and name no relative path", () => {
  const flags = denoCompileFlags();
  for (const f of flags) {
    assert(!/^(-A|--allow-all|--allow-(net|run|env|write|ffi|sys|import)$)/.test(f), f);
  }
  assert(!flags.some((f) => /^--allow-(write|ffi|sys)/.test(f)));
  // A relative path would be resolved against whatever folder the binary starts in.
  for (const f of flags) {
    const value = f.split("=")[1];
    for (const item of value?.split(",") ?? []) {
      assert(!item.startsWith(".") && !item.includes("/"), `${f}: ${item}`);
    }
  }
  const net = flags.find((f) => f.startsWith("--allow-net="))!.split("=")[1]!.split(",");
  assert(net.includes(GITHUB_NET));
  assertEquals(net.filter((h) => h.includes("github")), [GITHUB_NET]);
});

Deno.test("a compiled binary's worker gets no module folder: its modules load from the embedded file system", () => {
  assertEquals(workerModuleDirs(new URL("file:///tmp/deno-compile-crm/src/"), true), []);
  assertEquals(workerModuleDirs(new URL("file:///app/src/"), false), ["/app/src/"]);
  assertEquals(workerModuleDirs(new URL("https://example.com/src/"), false), []);
  assertEquals(workerModuleDirs(), [path.join(APP_DIR, "src") + "/"]);
});

Deno.test("the HTTP flags add the Redis host with its port (6379 by default) and the password file", () => {
  const flags = denoRunFlags({
    read: ["/proj"],
    http: {
      host: "127.0.0.1",
      port: 8000,
      redisUrl: "redis://:pw@cache.internal/0",
      redisPasswordFile: "/run/secrets/redis",
    },
  });
  assertEquals(flagOf(flags, "allow-net"), [
    GITHUB_NET,
    "127.0.0.1:8000",
    "cache.internal:6379",
  ]);
  assertEquals(flagOf(flags, "allow-read"), ["/proj", "/run/secrets/redis"]);
  assertEquals(urlNet("rediss://cache:6380"), "cache:6380");
});
