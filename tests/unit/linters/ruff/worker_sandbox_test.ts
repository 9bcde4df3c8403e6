import assert from "node:assert/strict";
import { join } from "node:path";
import { RUFF_ENGINE_VERSION } from "../../../../src/linters/ruff/engine.ts";

const repo = Deno.realPathSync(new URL("../../../../", import.meta.url));
const srcDir = join(repo, "src");
const sandboxDir = join(repo, "tests", "fixtures", "ruff", "sandbox");
const host = join(sandboxDir, "host.ts");

/** Where Deno keeps the engine's .wasm, which the narrowed worker must not need; "" if unknown. */
async function wasmInNpmCache(): Promise<string> {
  const { stdout, success } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    stdout: "piped",
    stderr: "null",
  })
    .output();
  if (!success) return "";
  const { npmCache } = JSON.parse(new TextDecoder().decode(stdout)) as { npmCache?: string };
  if (!npmCache) return "";
  const path = join(
    npmCache,
    "registry.npmjs.org",
    "@astral-sh",
    "ruff-wasm-web",
    RUFF_ENGINE_VERSION,
    "ruff_wasm_bg.wasm",
  );
  return await Deno.stat(path).then(() => path, () => "");
}

Deno.test("the engine loads and checks inside a worker that may read only the root and src/, lazily", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "ruff_sandbox_" }));
  try {
    await Deno.mkdir(join(root, "pkg"));
    await Deno.writeTextFile(join(root, "ruff.toml"), '[lint]\nselect = ["B", "E722"]\n');
    await Deno.writeTextFile(
      join(root, "pkg", "mod.py"),
      "def f(a=[]):\n    try:\n        return a\n    except:\n        return None\n",
    );
    const wasmPath = await wasmInNpmCache();
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-prompt",
        "--unstable-worker-options",
        // The host may also read the test's worker entry (in production the entry is in src/);
        // the worker itself gets exactly [root, src].
        `--allow-read=${root},${srcDir},${sandboxDir}`,
        host,
        root,
        srcDir,
        join(root, "pkg", "mod.py"),
        "pkg/mod.py",
        wasmPath,
      ],
      cwd: repo,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(stderr);
    assert.equal(code, 0, err);
    const report = JSON.parse(new TextDecoder().decode(stdout));
    assert.equal(report.workerError, undefined);
    assert.equal(report.loadedBeforeFirstCheck, false);
    assert.equal(report.loadedAfter, true);
    assert.deepEqual(report.result.configFile, "ruff.toml");
    assert.equal(report.result.engineVersion, RUFF_ENGINE_VERSION);
    assert.equal(report.result.ok, true, report.result.reason);
    assert.deepEqual(report.result.value.map((d: { code: string }) => d.code), [
      "B006",
      "E722",
    ]);
    // The sandbox really is narrow: what init() would have needed is refused.
    if (wasmPath) {
      assert.equal(report.readNpmCache, "NotCapable");
      assert.notEqual(report.fetchNpmCache, "allowed");
    }
    assert.equal(report.readOutsideRoot, "NotCapable");
    for (const name of ["env", "net", "run", "write"]) {
      assert.notEqual(report[name], "granted", name);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
