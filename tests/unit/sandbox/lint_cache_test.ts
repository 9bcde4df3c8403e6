/**
 * The built-in ruff's remembered findings never answer from stale input: between two project
 * lints a file is edited (another size, or the same size with its modification time put back),
 * made executable, a package gains an `__init__.py`, or the configuration changes; the second
 * lint equals a fresh lint (cache emptied), and files that did not change are answered from
 * memory. The cache is bounded by files and findings, least recently used first out.
 */
import { assert, assertEquals } from "../../assert.ts";
import * as path from "node:path";
import { lintProject, type LintProjectResult } from "../../../src/sandbox/lint_project.ts";
import { LintResultCache, ruffResults } from "../../../src/sandbox/lint_cache.ts";
import { setDefaultRuffEngine } from "../../../src/linters/ruff/mod.ts";
import { runEngine } from "../../../src/linters/ruff/engine.ts";
import type { Diagnostic } from "../../../src/linters/types.ts";

// The in-process engine: the same WebAssembly engine the server's engine workers run.
setDefaultRuffEngine(runEngine);

async function lint(root: string): Promise<LintProjectResult> {
  const r = await lintProject(
    {
      root,
      target: ".",
      linter: "ruff",
      enabled: ["ruff"],
      pathEnv: "",
      timeoutMs: 60_000,
      concurrency: 1,
      maxDiagnostics: 10_000,
    },
    () => {},
  );
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r.value;
}

/** What the model reads of a lint: every finding in order, the configuration files, failures. */
function answer(r: LintProjectResult): string[] {
  return [
    ...r.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.code} ${d.message}`),
    ...r.configFiles.map((c) => `config ${c}`),
    ...r.failures.map((f) => `failure ${f}`),
    `checked ${r.filesChecked}`,
  ];
}

/** The same lint with the cache emptied first. */
async function fresh(root: string): Promise<string[]> {
  ruffResults.clear();
  return answer(await lint(root));
}

/** Waits until time stamps taken now are no longer "racy" (whole-second change times). */
const settle = () => new Promise((r) => setTimeout(r, 2_300));

Deno.test("a repeated project lint answers unchanged files from memory and sees every change: an edit, a same-size edit with its time put back, an executable bit, a new __init__.py, a configuration edit", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "lint_cache_" }));
  const write = (rel: string, text: string) => {
    Deno.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    Deno.writeTextFileSync(path.join(root, rel), text);
  };
  try {
    write(
      "pyproject.toml",
      '[tool.ruff.lint]\nselect = ["F", "E", "INP", "EXE", "I"]\n',
    );
    write("app/main.py", '"""Main."""\nimport os\n\nprint(1)\n');
    write("app/util.py", '"""Util."""\n\nVALUE = 1\n');
    write("lib/tool.py", '"""Tool."""\nimport lib.x\n\nprint(lib.x)\n');
    for (let i = 0; i < 20; i++) write(`pkg/__init__.py`, "");
    for (let i = 0; i < 20; i++) write(`pkg/m${i}.py`, `"""M${i}."""\nimport sys\n`);
    await settle();
    ruffResults.clear();
    const first = answer(await lint(root));
    assert(ruffResults.size >= 20, `files remembered: ${ruffResults.size}`);
    const hits = ruffResults.hits;
    assertEquals(answer(await lint(root)), first);
    assert(ruffResults.hits - hits >= 20, "the second lint is answered from memory");

    const steps: [string, () => void | Promise<void>][] = [
      ["an edit of another size", () => write("app/util.py", '"""Util."""\nimport json\n')],
      ["a same-size edit with its modification time put back", () => {
        const p = path.join(root, "app/main.py");
        const before = Deno.statSync(p);
        write("app/main.py", '"""Main."""\nimport re\n\nprint(1)\n');
        Deno.utimeSync(p, before.atime!, before.mtime!);
      }],
      ["an executable bit", () => Deno.chmodSync(path.join(root, "pkg/m3.py"), 0o755)],
      ["a new __init__.py (a package now: INP001 gone, first party changes)", () => {
        write("lib/__init__.py", "");
      }],
      ["a configuration edit", () => {
        write(
          "pyproject.toml",
          '[tool.ruff.lint]\nselect = ["F", "E", "INP", "EXE", "I"]\nignore = ["F401"]\n',
        );
      }],
    ];
    let previous = first;
    for (const [what, change] of steps) {
      await change();
      const after = answer(await lint(root));
      assertEquals(after, await fresh(root), `after ${what}: the same as a fresh lint`);
      assert(JSON.stringify(after) !== JSON.stringify(previous), `${what} changed the answer`);
      previous = after;
    }
  } finally {
    ruffResults.clear();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("LintResultCache keeps a file's findings for its stamp and configuration only, bounded by files and findings, least recently used first out", () => {
  const d = (file: string): Diagnostic => ({
    file,
    line: 1,
    column: 1,
    code: "F401",
    severity: "warning",
    message: "unused",
  });
  const cache = new LintResultCache(3, 40);
  cache.set("/a", { stamp: "1", configKey: "k", diagnostics: [d("a")] });
  assertEquals(cache.get("/a", "1", "k")?.diagnostics.length, 1);
  assertEquals(cache.get("/a", "2", "k"), undefined, "another stamp");
  assertEquals(cache.get("/a", "1", "k"), undefined, "a mismatch forgets the entry");
  cache.set("/a", { stamp: "1", configKey: "k", diagnostics: [d("a")] });
  assertEquals(cache.get("/a", "1", "other"), undefined, "another configuration");
  for (const f of ["/a", "/b", "/c"]) cache.set(f, { stamp: "1", configKey: "k", diagnostics: [] });
  cache.get("/a", "1", "k"); // used: /b is now the oldest
  cache.set("/d", { stamp: "1", configKey: "k", diagnostics: [] });
  assertEquals(cache.size, 3);
  assertEquals(cache.get("/b", "1", "k"), undefined, "the least recently used went first");
  assert(cache.get("/a", "1", "k") !== undefined);
  const many = (n: number) => Array.from({ length: n }, () => d("x"));
  cache.set("/e", { stamp: "1", configKey: "k", diagnostics: many(4) });
  cache.set("/f", { stamp: "1", configKey: "k", diagnostics: many(4) });
  assert(cache.findings <= 40);
  cache.set("/g", { stamp: "1", configKey: "k", diagnostics: many(5) });
  assertEquals(cache.get("/g", "1", "k"), undefined, "over a tenth of the bound: not kept");
  cache.clear();
  assertEquals([cache.size, cache.findings], [0, 0]);
});
