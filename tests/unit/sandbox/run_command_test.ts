/**
 * runCommand(): the one subprocess runner. Real processes only: sleep for timeouts,
 * yes for output caps, env for the cleared environment, and a worker with narrowed
 * permissions, as in production.
 */
import * as path from "node:path";
import { assert, assertEquals, assertMatch, assertRejects } from "../../assert.ts";
import { runCommand } from "../../../src/sandbox/run_command.ts";
import type { RunCommandRequest, RunCommandResult } from "../../../src/sandbox/protocol.ts";

const PATH = "/usr/local/bin:/usr/bin:/bin";

function req(
  binary: string,
  args: string[],
  over: Partial<RunCommandRequest> = {},
): RunCommandRequest {
  return {
    op: "runCommand",
    binary,
    args,
    env: { PATH },
    cwd: Deno.cwd(),
    timeoutMs: 20_000,
    maxOutputBytes: 1024 * 1024,
    ...over,
  };
}

Deno.test("runCommand() returns exit code, stdout and stderr of a normal run", async () => {
  const r = await runCommand(req("sh", ["-c", "echo out; echo err >&2; exit 3"]));
  assertEquals({ ...r, durationMs: 0 }, {
    code: 3,
    stdout: "out\n",
    stderr: "err\n",
    timedOut: false,
    truncated: false,
    notFound: false,
    durationMs: 0,
  });
  assert(r.durationMs >= 0);
});

Deno.test("runCommand() passes arguments verbatim, with no shell to interpret them", async () => {
  const args = ["$(id)", "a;rm -rf x", "`id`", "*", "-rf", "--", "new\nline", "quote'\"", "ü"];
  const r = await runCommand(req("printf", ["%s\\n", ...args]));
  assertEquals(r.code, 0);
  assertEquals(r.stdout, args.map((a) => `${a}\n`).join(""));
});

Deno.test("runCommand() clears the environment: GITHUB_TOKEN set in the parent never reaches the child", async () => {
  const had = Deno.env.get("GITHUB_TOKEN");
  Deno.env.set("GITHUB_TOKEN", "ghp_parent_secret");
  Deno.env.set("CODE_REVIEW_TEST_LEAK", "leak");
  try {
    const r = await runCommand(req("env", [], { env: { PATH, LANG: "C.UTF-8" } }));
    assertEquals(r.code, 0);
    assertEquals(r.stdout.split("\n").filter((l) => l !== "").sort(), [
      "LANG=C.UTF-8",
      `PATH=${PATH}`,
    ]);
  } finally {
    if (had === undefined) Deno.env.delete("GITHUB_TOKEN");
    else Deno.env.set("GITHUB_TOKEN", had);
    Deno.env.delete("CODE_REVIEW_TEST_LEAK");
  }
});

Deno.test("runCommand() kills a process that outlives its timeout", async () => {
  const started = performance.now();
  const r = await runCommand(req("sleep", ["30"], { timeoutMs: 300 }));
  assert(r.timedOut);
  assertEquals(r.code, null);
  assertEquals(r.truncated, false);
  assert(performance.now() - started < 5_000, "the timeout did not kill");
});

Deno.test("runCommand() kills a process that prints more than the cap on stdout, keeping exactly the cap", async () => {
  const cap = 64 * 1024;
  const r = await runCommand(req("yes", [], { maxOutputBytes: cap }));
  assert(r.truncated);
  assertEquals(r.code, null);
  assertEquals(r.timedOut, false);
  assertEquals(new TextEncoder().encode(r.stdout).byteLength, cap);
  assert(r.stdout.startsWith("y\ny\n"));
});

Deno.test("runCommand() caps stderr too", async () => {
  const r = await runCommand(req("sh", ["-c", "yes >&2"], { maxOutputBytes: 4096 }));
  assert(r.truncated);
  assertEquals(r.stderr.length, 4096);
});

Deno.test("runCommand() keeps output of exactly the cap without calling it truncated", async () => {
  const r = await runCommand(req("printf", ["abcd"], { maxOutputBytes: 4 }));
  assertEquals([r.stdout, r.truncated, r.code], ["abcd", false, 0]);
  const zero = await runCommand(req("printf", ["a"], { maxOutputBytes: 0 }));
  assertEquals([zero.stdout, zero.truncated], ["", true]);
});

Deno.test("runCommand() reports a missing binary as notFound instead of throwing", async () => {
  const r = await runCommand(req("definitely-not-a-linter-crmcp", ["x"]));
  assertEquals(r.notFound, true);
  assertEquals([r.code, r.stdout, r.stderr, r.timedOut, r.truncated], [null, "", "", false, false]);
  const abs = await runCommand(req("/nonexistent/bin/flake8", []));
  assertEquals(abs.notFound, true);
});

Deno.test("runCommand() does not mistake a missing working directory for a missing binary", async () => {
  await assertRejects(
    () => runCommand(req("env", [], { cwd: "/nonexistent/crmcp/dir" })),
    /working directory does not exist/,
  );
});

Deno.test("runCommand() kills the process when the caller aborts", async () => {
  const ac = new AbortController();
  const started = performance.now();
  setTimeout(() => ac.abort(), 100);
  const r = await runCommand(req("sleep", ["30"]), ac.signal);
  assertEquals(r.code, null);
  assertEquals(r.timedOut, false);
  assert(performance.now() - started < 5_000, "the abort did not kill");
});

Deno.test("runCommand() starts nothing when the signal is already aborted", async () => {
  const ac = new AbortController();
  ac.abort();
  const dir = await Deno.makeTempDir();
  try {
    const marker = path.join(dir, "ran");
    const r = await runCommand(req("touch", [marker]), ac.signal);
    assertEquals(r.code, null);
    await assertRejects(() => Deno.stat(marker));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runCommand() gives the child no stdin, so a reader of stdin ends at once", async () => {
  const r = await runCommand(req("cat", [], { timeoutMs: 5_000 }));
  assertEquals([r.code, r.stdout, r.timedOut], [0, "", false]);
});

Deno.test("runCommand() writes the given stdin to the child and closes it", async () => {
  const text = "line one\n".repeat(20_000);
  const r = await runCommand(req("cat", [], { timeoutMs: 10_000, stdin: text }));
  assertEquals([r.code, r.stdout.length, r.stdout === text, r.timedOut], [
    0,
    text.length,
    true,
    false,
  ]);
});

Deno.test("runCommand() is not upset by a child that exits without reading its stdin", async () => {
  const r = await runCommand(req("true", [], { timeoutMs: 10_000, stdin: "x".repeat(1 << 20) }));
  assertEquals([r.code, r.timedOut, r.truncated], [0, false, false]);
});

Deno.test("runCommand() reports a death by signal as code null", async () => {
  const r = await runCommand(req("sh", ["-c", "kill -9 $$"]));
  assertEquals([r.code, r.timedOut, r.truncated], [null, false, false]);
});

Deno.test("runCommand() decodes invalid UTF-8 lossily instead of failing", async () => {
  const r = await runCommand(req("printf", ["\\377\\376ok \\303\\274"]));
  assertEquals(r.stdout, "\ufffd\ufffdok ü");
});

Deno.test("runCommand() returns soon after the child exits even when a grandchild keeps the pipes open", async () => {
  const started = performance.now();
  const r = await runCommand(req("sh", ["-c", "sleep 3 & echo started"]));
  assertEquals(r.code, 0);
  assertEquals(r.stdout, "started\n");
  assert(performance.now() - started < 2_500, `took ${Math.round(performance.now() - started)} ms`);
});

Deno.test("runCommand() refuses malformed requests", async () => {
  await assertRejects(() => runCommand(req("env", [], { timeoutMs: 0 })), RangeError);
  await assertRejects(() => runCommand(req("env", [], { timeoutMs: Number.NaN })), RangeError);
  await assertRejects(() => runCommand(req("env", [], { maxOutputBytes: -1 })), RangeError);
  await assertRejects(() => runCommand(req("env", ["a\0b"])), TypeError);
  await assertRejects(() => runCommand(req("", [])), TypeError);
});

// ---------------------------------------------------------------------------------
// Inside a worker with narrowed permissions, as the server runs it
// ---------------------------------------------------------------------------------

type WorkerAnswer = { ok: true; result: RunCommandResult } | {
  ok: false;
  name: string;
  message: string;
};

/**
 * Runs cases through tests/fixtures/linters/run_command_host.ts in its own `deno run`,
 * whose --allow-read names only the root and the modules, each case in a worker narrowed
 * further to the case's binaries (the suite's own flags do not matter here).
 */
async function inNarrowedWorkers(
  root: string,
  cases: { run: string[]; request: RunCommandRequest }[],
): Promise<WorkerAnswer[]> {
  const here = import.meta.dirname!;
  const fixtures = path.resolve(here, "../../fixtures/linters");
  const sandbox = path.resolve(here, "../../../src/sandbox");
  const binaries = [...new Set(cases.flatMap((c) => c.run))];
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-prompt",
      "--no-config",
      "--no-lock",
      "--unstable-worker-options",
      `--allow-read=${root},${fixtures},${sandbox}`,
      `--allow-run=${binaries.join(",")}`,
      path.join(fixtures, "run_command_host.ts"),
      root,
      JSON.stringify(cases),
    ],
    cwd: root,
    env: { NO_COLOR: "1" },
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  assert(out.success, `host failed: ${new TextDecoder().decode(out.stderr)}`);
  return JSON.parse(stdout) as WorkerAnswer[];
}

Deno.test("runCommand() works in a worker that may read only the root and run only named binaries", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "crm-run-" }));
  try {
    const [ok, missing, refused] = await inNarrowedWorkers(root, [
      { run: ["env", "sh"], request: req("env", [], { cwd: root }) },
      { run: ["env"], request: req("definitely-not-a-linter-crmcp", [], { cwd: root }) },
      // A binary outside the worker's --allow-run is Deno's refusal, not a missing binary.
      { run: ["env"], request: req("sh", ["-c", "true"], { cwd: root }) },
    ]);
    assert(ok && ok.ok, JSON.stringify(ok));
    assertEquals(ok.result.stdout, `PATH=${PATH}\n`);
    assert(missing && missing.ok && missing.result.notFound, JSON.stringify(missing));
    assert(refused && !refused.ok, JSON.stringify(refused));
    assertMatch(refused.name, /NotCapable|PermissionDenied/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
