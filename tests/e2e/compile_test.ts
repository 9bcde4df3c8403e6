/**
 * Standalone binaries. Always: the compile script's one-line stop, what `deno compile`
 * embeds and bakes in (checked in its output, built on a stand-in runtime that is never
 * run), and the compiled-mode run: main.ts under `deno run` with exactly the compile
 * flags, started from another folder. Only with a Deno runtime (denort) for this
 * machine's target: the real binary, compiled and driven by the SDK client.
 */
import { assert, assertEquals, assertMatch } from "../assert.ts";
import * as path from "node:path";
import { Buffer } from "node:buffer";
import { APP_DIR } from "./harness.ts";
import { assertConfined, runDeno, scene } from "./confinement.ts";
import { freePort } from "./http_harness.ts";
import { Client, StreamableHTTPClientTransport } from "../sdk_client.ts";
import {
  denoCompileFlags,
  ENV_VARS,
  GITHUB_NET,
  HTTP_ENV_VARS,
  LINTER_BINARIES,
  LISTEN_HOSTS,
  REDIS_SERVICE_NET,
} from "../../src/permissions.ts";
import { compileArgs } from "../../scripts/lib/compile_args.ts";
import { binaryFileName, hostTarget } from "../../scripts/lib/targets.ts";
import { denoInfo } from "../../scripts/lib/denort.ts";
import { SERVER_NAME } from "../../src/version.ts";

const MAIN = path.join(APP_DIR, "main.ts");

Deno.test("compile script stops with one line naming what it needs when no runtime is available", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const r = await runDeno(
      [
        "run",
        "--allow-read",
        `--allow-write=${tmp}`,
        "--allow-run",
        "--allow-env",
        "--allow-net=dl.deno.land:443",
        "scripts/compile.ts",
        "--out",
        path.join(tmp, "dist"),
      ],
      {
        cwd: APP_DIR,
        env: {
          DENO_DIR: path.join(tmp, "deno_dir"),
          CODE_REVIEW_COMPILE_OFFLINE: "1",
          PATH: Deno.env.get("PATH") ?? "",
        },
      },
    );
    assertEquals(r.code, 1);
    assertEquals(r.stdout, "");
    const lines = r.stderr.trim().split("\n");
    assertEquals(lines.length, 1, r.stderr);
    assertMatch(
      lines[0]!,
      /^compile: no Deno runtime \(denort \d+\.\d+\.\d+\) for x86_64-unknown-linux-gnu, .*DENORT_BIN.*dl\.deno\.land:443/,
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

/** The metadata JSON `deno compile` appends after its magic bytes (Deno 2.9's layout). */
function compiledMetadata(binary: Uint8Array): Record<string, unknown> {
  const buf = Buffer.from(binary.buffer, binary.byteOffset, binary.byteLength);
  for (let at = buf.indexOf("d3n0l4nd"); at >= 0; at = buf.indexOf("d3n0l4nd", at + 1)) {
    const len = Number(buf.readBigUInt64LE(at + 8));
    if (len <= 0 || len > 1_000_000) continue;
    try {
      return JSON.parse(buf.subarray(at + 16, at + 16 + len).toString("utf8"));
    } catch {
      // another occurrence of the magic bytes
    }
  }
  throw new Error("no deno compile metadata found");
}

Deno.test("deno compile embeds the worker, the ruff wasm byte for byte and exactly the compile flags (stand-in runtime /bin/true: inspected, not run)", async () => {
  const t = hostTarget();
  assert(t, `no release target for ${Deno.build.target}`);
  const tmp = await Deno.makeTempDir();
  try {
    const output = path.join(tmp, binaryFileName(t));
    const info = await denoInfo();
    const r = await runDeno(compileArgs(t, output, info.npmCache), {
      cwd: APP_DIR,
      env: { DENORT_BIN: "/bin/true", PATH: Deno.env.get("PATH") ?? "" },
    });
    assertEquals(r.code, 0, r.stderr);
    const binary = await Deno.readFile(output);
    // --quiet (baked in, see log_level below) also silences compile's own listing: look in the binary.
    const listing = new TextDecoder("latin1").decode(binary);
    for (
      const name of [
        "worker.ts",
        "engine_worker.ts",
        "files.ts",
        "lint.ts",
        "engine.ts",
        "wasm_module.js",
        "ruff-wasm-web",
      ]
    ) {
      assert(listing.includes(name), `${name} is not embedded`);
    }
    const ruffVersion = JSON.parse(await Deno.readTextFile(path.join(APP_DIR, "deno.json")))
      .imports["@astral-sh/ruff-wasm-web"].split("@").at(-1);
    const wasm = await Deno.readFile(
      path.join(
        info.npmCache,
        "registry.npmjs.org/@astral-sh/ruff-wasm-web",
        ruffVersion,
        "ruff_wasm_bg.wasm",
      ),
    );
    const haystack = Buffer.from(binary.buffer, binary.byteOffset, binary.byteLength);
    for (const at of [0, Math.floor(wasm.length / 2), wasm.length - 4096]) {
      assert(
        haystack.indexOf(wasm.subarray(at, at + 4096)) >= 0,
        `wasm bytes at ${at} not embedded`,
      );
    }
    const meta = compiledMetadata(binary);
    const p = meta.permissions as Record<string, unknown>;
    assertEquals(p.allow_read, [], "unscoped read (an empty list means every path)");
    assertEquals(p.allow_net, [GITHUB_NET, ...LISTEN_HOSTS, REDIS_SERVICE_NET]);
    assertEquals(p.allow_run, [...LINTER_BINARIES]);
    assertEquals(p.allow_env, [...ENV_VARS, ...HTTP_ENV_VARS]);
    for (const k of ["allow_write", "allow_ffi", "allow_sys"]) assertEquals(p[k], null, k);
    assertEquals(p.prompt, false);
    assertEquals((meta.unstable_config as { features: string[] }).features, ["worker-options"]);
    assertEquals(meta.entrypoint_key, "main.ts");
    assertEquals(meta.argv, []);
    // Deno's own notices (e.g. "Failed to resolve 'ruff' for allow-run") stay off the binary's stderr.
    assertEquals(meta.log_level, "ERROR");
    assert(
      (meta.v8_flags as string[]).includes("--max-semi-space-size=1"),
      JSON.stringify(meta.v8_flags),
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("compiled-mode run (deno run with exactly the compile flags), started from another folder: initialize, tools/list, reads confined to --root", async () => {
  const s = await scene();
  try {
    await assertConfined(
      Deno.execPath(),
      ["run", ...denoCompileFlags(), MAIN, "--root", s.root],
      s,
    );
  } finally {
    await s.cleanup();
  }
});

Deno.test("compiled-mode run refuses to start without --root or CODE_REVIEW_ROOT (one line, exit 2)", async () => {
  const s = await scene();
  try {
    const r = await runDeno(["run", ...denoCompileFlags(), MAIN], { cwd: s.root });
    assertEquals(r.code, 2);
    assertEquals(r.stdout, "");
    assertMatch(
      r.stderr.trim(),
      /^code-review-mcp: --root: required when the process may read every file/,
    );
    assertEquals(r.stderr.trim().split("\n").length, 1);
  } finally {
    await s.cleanup();
  }
});

Deno.test("compiled-mode run: the worker's Deno permissions stop a bypassed policy at the root, from any folder", async () => {
  const s = await scene();
  try {
    const host = path.join(APP_DIR, "tests/fixtures/compiled_mode_host.ts");
    for (const cwd of [s.outside, "/"]) {
      const r = await runDeno(["run", ...denoCompileFlags(), host, s.root, s.secret], { cwd });
      assertEquals(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assertEquals(
        out.processReadsSecret,
        true,
        "the process itself may read everything, as a binary does",
      );
      // The policy was told the secret's folder is the root, so it passes the path on; the
      // worker's realpath then gets NotCapable, which the policy reports as "outside the root".
      assertEquals(out.bypassRead.ok, false);
      assertMatch(
        out.bypassRead.reason,
        /NotCapable|Requires read access|outside the project root/,
      );
      assertEquals(out.bypassList.ok, false);
      assertMatch(
        out.bypassList.reason,
        /NotCapable|Requires read access|outside the project root/,
      );
      assertEquals(out.rootList.ok, true, JSON.stringify(out.rootList));
    }
  } finally {
    await s.cleanup();
  }
});

Deno.test("compiled-mode run serves Streamable HTTP with an API key on a port chosen at run time; healthcheck works under the same flags", async () => {
  const s = await scene();
  const port = freePort();
  const key = crypto.randomUUID().replaceAll("-", "");
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...denoCompileFlags(),
      MAIN,
      "--root",
      s.root,
      "--transport",
      "http",
      "--host",
      "0.0.0.0",
      "--port",
      String(port),
    ],
    cwd: s.outside,
    env: { NO_COLOR: "1", PATH: Deno.env.get("PATH") ?? "", CODE_REVIEW_API_KEYS: `test:${key}` },
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  try {
    const health = [
      "run",
      ...denoCompileFlags(),
      MAIN,
      "healthcheck",
      "--host",
      "0.0.0.0",
      "--port",
      String(port),
    ];
    let probe = await runDeno(health, { cwd: s.outside });
    for (let i = 0; i < 100 && probe.code !== 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      probe = await runDeno(health, { cwd: s.outside });
    }
    assertEquals(probe.code, 0, probe.stderr);
    assertMatch(
      probe.stdout,
      new RegExp(`^healthy: http://127\\.0\\.0\\.1:${port}/health answered 200`),
    );
    const transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${key}` } },
    });
    const client = new Client({ name: "compiled-http", version: "1.0.0" }, { capabilities: {} });
    await client.connect(transport);
    try {
      assertEquals(client.getServerVersion()?.name, SERVER_NAME);
      const outside =
        (await client.callTool({ name: "read_file", arguments: { file_path: s.secret } })) as {
          isError?: boolean;
        };
      assertEquals(outside.isError, true);
    } finally {
      await client.close();
    }
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await stderr;
    await s.cleanup();
  }
});
