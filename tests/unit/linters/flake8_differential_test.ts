/**
 * Differential tests: native `flake8 .` (run from the project root, reading its configuration)
 * and our project lint with flake8 (lintProject, the code path of run_linter ".") on the same
 * fixture project must report the same findings: file, line, column and code. Fixtures are
 * written here into temporary folders. A missing flake8 fails the tests: it never skips them.
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { lintProject } from "../../../src/sandbox/lint_project.ts";

type Files = Record<string, string>;

const key = (file: string, line: number, column: number, code: string) =>
  `${file}:${line}:${column} ${code}`;

async function writeProject(files: Files): Promise<string> {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "flake8_diff_" }));
  for (const [rel, text] of Object.entries(files)) {
    await Deno.mkdir(dirname(join(root, rel)), { recursive: true });
    await Deno.writeTextFile(join(root, rel), text);
  }
  return root;
}

async function nativeFindings(root: string): Promise<string[]> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("flake8", {
      args: ["--format=%(path)s\t%(row)d\t%(col)d\t%(code)s", "."],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (e) {
    throw new Error(`flake8 is required on PATH (apt-get install flake8): ${e}`);
  }
  assert.ok(out.code === 0 || out.code === 1, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).split("\n").filter((l) => l !== "").map((l) => {
    const [file, row, col, code] = l.split("\t");
    return key(file!.replace(/^\.\//, ""), Number(row), Number(col), code!);
  }).sort();
}

async function ourFindings(root: string): Promise<string[]> {
  const r = await lintProject(
    {
      root,
      target: ".",
      enabled: ["flake8"],
      pathEnv: Deno.env.get("PATH") ?? "",
      timeoutMs: 60_000,
      concurrency: 1,
      maxDiagnostics: 10_000,
    },
    () => {},
  );
  if (!r.ok) throw new Error(`lintProject failed: ${JSON.stringify(r)}`);
  assert.deepEqual(r.value.failures, [], "no flake8 run failed");
  return r.value.diagnostics.map((d) => key(d.file, d.line, d.column, d.code)).sort();
}

async function agree(files: Files): Promise<string[]> {
  const root = await writeProject(files);
  try {
    const native = await nativeFindings(root);
    assert.deepEqual(await ourFindings(root), native, "project lint with flake8 vs flake8 .");
    return native;
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

const filesOf = (found: string[]) => [...new Set(found.map((k) => k.split(":")[0]!))].sort();
const UNUSED = "import os\n";
const LONG = `X = "${"x".repeat(95)}"\n`;

Deno.test("flake8 differential: extend-exclude of docs and a vendored folder; build, dist and venv are linted as flake8 does", async () => {
  const found = await agree({
    ".flake8": "[flake8]\nextend-exclude = docs,pkg/_vendor\n",
    "pkg/__init__.py": "",
    "pkg/core.py": UNUSED,
    "pkg/_vendor/six.py": UNUSED,
    "docs/conf.py": UNUSED,
    "build/lib/pkg/core.py": UNUSED,
    "dist/x.py": UNUSED,
    "venv/lib/site.py": UNUSED,
    "stubs/lib.pyi": UNUSED,
    "pkg/__pycache__/stale.py": UNUSED,
  });
  assert.deepEqual(filesOf(found), [
    "build/lib/pkg/core.py",
    "dist/x.py",
    "pkg/core.py",
    "venv/lib/site.py",
  ]);
});

Deno.test("flake8 differential: exclude replaces the defaults, filename narrows the files, settings from setup.cfg apply", async () => {
  const found = await agree({
    "setup.cfg": "[metadata]\nname = p\n\n[flake8]\nexclude =\n    .git,\n    migrations\n" +
      "filename = ./a*.py,*/test_*.py,*.pyi\nmax-line-length = 100\nextend-ignore = E203\n" +
      "per-file-ignores =\n    tests/*: F401\n",
    "app.py": UNUSED + LONG,
    "app/migrations/0001.py": UNUSED,
    "other.py": UNUSED,
    "stubs/lib.pyi": UNUSED,
    "tests/test_app.py": UNUSED + LONG,
    "__pycache__/x.py": UNUSED,
  });
  assert.deepEqual(filesOf(found), ["app.py", "stubs/lib.pyi", "tests/test_app.py"]);
});
