/**
 * Differential tests: native `pylint --recursive=y .` (run from the project root, reading its
 * configuration) and our project lint with pylint (lintProject, the code path of run_linter ".")
 * on the same fixture project must report the same findings: file, line, column and message id.
 * Fixtures are written here into temporary folders. A missing pylint fails the tests.
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { lintProject } from "../../../src/sandbox/lint_project.ts";

type Files = Record<string, string>;

const key = (file: string, line: number, column: number, code: string) =>
  `${file}:${line}:${column} ${code}`;

async function writeProject(files: Files): Promise<string> {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "pylint_diff_" }));
  for (const [rel, text] of Object.entries(files)) {
    await Deno.mkdir(dirname(join(root, rel)), { recursive: true });
    await Deno.writeTextFile(join(root, rel), text);
  }
  return root;
}

async function nativeFindings(root: string): Promise<string[]> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("pylint", {
      args: ["--recursive=y", "--output-format=json", "--score=n", "."],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (e) {
    throw new Error(`pylint is required on PATH (apt-get install pylint): ${e}`);
  }
  const text = new TextDecoder().decode(out.stdout).trim();
  const found = (text === "" ? [] : JSON.parse(text)) as {
    path: string;
    line: number;
    column: number;
    "message-id": string;
  }[];
  return found.map((d) => key(d.path, d.line, d.column + 1, d["message-id"])).sort();
}

async function ourFindings(root: string): Promise<string[]> {
  const r = await lintProject(
    {
      root,
      target: ".",
      enabled: ["pylint"],
      pathEnv: Deno.env.get("PATH") ?? "",
      timeoutMs: 120_000,
      concurrency: 1,
      maxDiagnostics: 10_000,
    },
    () => {},
  );
  if (!r.ok) throw new Error(`lintProject failed: ${JSON.stringify(r)}`);
  assert.deepEqual(r.value.failures, [], "no pylint run failed");
  return r.value.diagnostics.map((d) => key(d.file, d.line, d.column, d.code)).sort();
}

const filesOf = (found: string[]) => [...new Set(found.map((k) => k.split(":")[0]!))].sort();
const MODULE = '"""Module."""\nimport os\n';

Deno.test("pylint differential: ignore, ignore-patterns and ignore-paths from the .pylintrc; build and venv folders are linted as pylint does", async () => {
  const root = await writeProject({
    ".pylintrc": "[MAIN]\nignore=legacy,CVS\nignore-patterns=^gen_.*\\.py$\n" +
      "ignore-paths=^docs/.*$\n\n[FORMAT]\nmax-line-length=60\n\n" +
      "[MESSAGES CONTROL]\ndisable=C0116\n",
    "pkg/__init__.py": '"""Package."""\n',
    "pkg/core.py": `${MODULE}X = "${"x".repeat(60)}"\n`,
    "pkg/legacy/old.py": MODULE,
    "pkg/gen_models.py": MODULE,
    "docs/conf.py": MODULE,
    "build/lib/mod.py": MODULE,
    "venv/lib/site.py": MODULE,
    "scripts/tool.py": MODULE,
  });
  try {
    const native = await nativeFindings(root);
    assert.deepEqual(await ourFindings(root), native, "project lint with pylint vs pylint .");
    assert.deepEqual(filesOf(native), [
      "build/lib/mod.py",
      "pkg/core.py",
      "scripts/tool.py",
      "venv/lib/site.py",
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
