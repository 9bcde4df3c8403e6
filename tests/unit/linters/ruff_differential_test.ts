/**
 * Differential tests: native `ruff check` (the pinned version, on PATH) and our project lint
 * (lintProject, the code path of run_linter ".", with the built-in engine and with ruff-native)
 * on the same fixture project must report the same findings: file, line, column and rule code.
 * Each fixture is written here into a temporary folder; none comes from a real repository.
 * A missing native ruff, or one of another version, fails the tests: it never skips them.
 */
import assert from "node:assert/strict";
import { dirname, join, relative } from "node:path";
import { lintProject } from "../../../src/sandbox/lint_project.ts";
import { runLinter } from "../../../src/sandbox/lint.ts";
import { RUFF_ENGINE_VERSION, setDefaultRuffEngine } from "../../../src/linters/ruff/mod.ts";
import { runEngine } from "../../../src/linters/ruff/engine.ts";
import type { LinterName } from "../../../src/linters/registry.ts";

// The in-process engine: the same WebAssembly engine the server's engine worker runs.
setDefaultRuffEngine(runEngine);

type Files = Record<string, string>;

interface Case {
  files: Files;
  /** Run `git init` first (ruff applies .gitignore only inside a git repository). */
  git?: boolean;
  /** Files given the executable bit. */
  executable?: string[];
  /** What both are asked to check: "." unless given (a folder or a file, root-relative). */
  target?: string;
}

async function run(cmd: string, args: string[], cwd: string): Promise<Deno.CommandOutput> {
  return await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" }).output();
}

let nativeChecked: Promise<void> | undefined;

/** Native ruff must be there, in the engine's version: otherwise every test fails. */
function requireNativeRuff(): Promise<void> {
  return nativeChecked ??= (async () => {
    let out: Deno.CommandOutput;
    try {
      out = await run("ruff", ["--version"], Deno.cwd());
    } catch (e) {
      throw new Error(
        `native ruff ${RUFF_ENGINE_VERSION} is required on PATH (pip install ruff==${RUFF_ENGINE_VERSION}): ${e}`,
      );
    }
    const version = new TextDecoder().decode(out.stdout).trim();
    assert.equal(
      version,
      `ruff ${RUFF_ENGINE_VERSION}`,
      "native ruff must be the engine's version",
    );
  })();
}

async function writeProject(files: Files, git: boolean, executable: string[]): Promise<string> {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "ruff_diff_" }));
  if (git) {
    const init = await run("git", ["init", "-q"], root);
    assert.equal(init.code, 0, new TextDecoder().decode(init.stderr));
  }
  for (const [rel, text] of Object.entries(files)) {
    await Deno.mkdir(dirname(join(root, rel)), { recursive: true });
    await Deno.writeTextFile(join(root, rel), text);
  }
  for (const rel of executable) await Deno.chmod(join(root, rel), 0o755);
  return root;
}

const key = (file: string, line: number, column: number, code: string) =>
  `${file}:${line}:${column} ${code}`;

/** Native `ruff check --no-fix --output-format=json <target>`, run from the root. */
async function nativeFindings(root: string, target: string): Promise<string[]> {
  const out = await run(
    "ruff",
    ["check", "--no-fix", "--no-cache", "--output-format=json", target],
    root,
  );
  const stdout = new TextDecoder().decode(out.stdout);
  assert.ok(out.code === 0 || out.code === 1, new TextDecoder().decode(out.stderr));
  const found = JSON.parse(stdout) as {
    filename: string;
    code: string | null;
    location: { row: number; column: number };
  }[];
  return found.map((d) =>
    key(
      relative(root, d.filename),
      d.location.row,
      d.location.column,
      d.code ?? "invalid-syntax",
    )
  ).sort();
}

/** Our project lint of `target`: the built-in engine, or ruff-native when `linter` says so. */
async function ourFindings(root: string, target: string, linter?: LinterName): Promise<string[]> {
  const r = await lintProject(
    {
      root,
      target,
      ...(linter ? { linter } : {}),
      enabled: ["ruff", "ruff-native"],
      pathEnv: Deno.env.get("PATH") ?? "",
      timeoutMs: 60_000,
      concurrency: 1,
      maxDiagnostics: 10_000,
    },
    () => {},
  );
  if (!r.ok) throw new Error(`lintProject failed: ${JSON.stringify(r)}`);
  assert.deepEqual(r.value.failures, [], "no linter run failed");
  return r.value.diagnostics.map((d) => key(d.file, d.line, d.column, d.code)).sort();
}

/**
 * Writes the fixture, runs the three, and demands one answer; returns it, so a test can also
 * say what it expects (a fixture that found nothing would prove nothing).
 */
async function agree(c: Case): Promise<string[]> {
  await requireNativeRuff();
  const root = await writeProject(c.files, c.git === true, c.executable ?? []);
  try {
    const target = c.target ?? ".";
    const native = await nativeFindings(root, target);
    assert.deepEqual(await ourFindings(root, target), native, "built-in ruff vs native ruff");
    assert.deepEqual(
      await ourFindings(root, target, "ruff-native"),
      native,
      "ruff-native vs native ruff",
    );
    return native;
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

/** The files (root-relative) with at least one finding. */
const filesOf = (found: string[]) => [...new Set(found.map((k) => k.split(":")[0]!))].sort();

const UNUSED = "import os\n";

Deno.test("ruff differential: extend-exclude skips a docs folder and a vendored package folder, other folders (build, examples) are linted", async () => {
  const found = await agree({
    files: {
      "pyproject.toml":
        `[project]\nname = "pkg"\n\n[tool.ruff]\nextend-exclude = ["docs", "src/pkg/_vendor"]\n\n[tool.ruff.lint]\nselect = ["F401"]\n`,
      "src/pkg/__init__.py": "",
      "src/pkg/core.py": UNUSED,
      "src/pkg/_vendor/__init__.py": "",
      "src/pkg/_vendor/six.py": UNUSED,
      "docs/conf.py": UNUSED,
      "docs/api/gen.py": UNUSED,
      "examples/demo.py": UNUSED,
      "build/lib/pkg/core.py": UNUSED,
      "pkg/docs/inner.py": UNUSED,
      ".venv/lib/site.py": UNUSED,
      "node_modules/x/y.py": UNUSED,
      ".github/scripts/check.py": UNUSED,
      "pkg.egg-info/setup_hook.py": UNUSED,
      "src/pkg/__pycache__/stale.py": UNUSED,
    },
  });
  assert.deepEqual(filesOf(found), [
    ".github/scripts/check.py",
    "build/lib/pkg/core.py",
    "examples/demo.py",
    "pkg.egg-info/setup_hook.py",
    "src/pkg/__pycache__/stale.py",
    "src/pkg/core.py",
  ]);
});

Deno.test("ruff differential: exclude replaces ruff's default exclusions (a venv folder is linted then)", async () => {
  const found = await agree({
    files: {
      "ruff.toml": `exclude = ["examples", "*_pb2.py"]\n\n[lint]\nselect = ["F401"]\n`,
      "app.py": UNUSED,
      "proto/msg_pb2.py": UNUSED,
      "examples/demo.py": UNUSED,
      "venv/lib/site.py": UNUSED,
      ".venv/lib/site.py": UNUSED,
      "node_modules/x/y.py": UNUSED,
      "dist/pkg/core.py": UNUSED,
    },
  });
  assert.deepEqual(filesOf(found), [
    ".venv/lib/site.py",
    "app.py",
    "dist/pkg/core.py",
    "node_modules/x/y.py",
    "venv/lib/site.py",
  ]);
});

Deno.test("ruff differential: lint.exclude leaves a file out of linting", async () => {
  const found = await agree({
    files: {
      "pyproject.toml":
        `[tool.ruff.lint]\nselect = ["F401"]\nexclude = ["migrations/**", "legacy.py"]\n`,
      "app.py": UNUSED,
      "legacy.py": UNUSED,
      "migrations/0001_initial.py": UNUSED,
    },
  });
  assert.deepEqual(filesOf(found), ["app.py"]);
});

Deno.test("ruff differential: include narrows the files to a pattern, extend-include adds stub patterns", async () => {
  const found = await agree({
    files: {
      "pyproject.toml":
        `[tool.ruff]\ninclude = ["src/**/*.py", "pyproject.toml"]\n\n[tool.ruff.lint]\nselect = ["F401"]\n`,
      "src/app.py": UNUSED,
      "src/sub/mod.py": UNUSED,
      "scripts/tool.py": UNUSED,
      "top.py": UNUSED,
    },
  });
  assert.deepEqual(filesOf(found), ["src/app.py", "src/sub/mod.py"]);
  const stubs = await agree({
    files: {
      "pyproject.toml":
        `[tool.ruff]\ninclude = ["*.py"]\nextend-include = ["typings/*.pyi"]\n\n[tool.ruff.lint]\nselect = ["F401"]\n`,
      "app.py": UNUSED,
      "typings/lib.pyi": UNUSED,
      "other/lib.pyi": UNUSED,
    },
  });
  assert.deepEqual(filesOf(stubs), ["app.py", "typings/lib.pyi"]);
});

Deno.test("ruff differential: a file named directly is linted even when excluded, unless force-exclude holds", async () => {
  const files = (force: boolean) => ({
    "pyproject.toml":
      `[tool.ruff]\nextend-exclude = ["gen"]\nforce-exclude = ${force}\n\n[tool.ruff.lint]\nselect = ["F401"]\n`,
    "gen/out.py": UNUSED,
    "app.py": UNUSED,
  });
  assert.deepEqual(filesOf(await agree({ files: files(false), target: "gen/out.py" })), [
    "gen/out.py",
  ]);
  assert.deepEqual(await agree({ files: files(true), target: "gen/out.py" }), []);
  assert.deepEqual(await agree({ files: files(true), target: "gen" }), []);
});

Deno.test("ruff differential: .gitignore rules (root, nested, info/exclude) apply in a git repository, and not with respect-gitignore = false", async () => {
  const files = (respect: boolean) => ({
    "pyproject.toml":
      `[tool.ruff]\nrespect-gitignore = ${respect}\n\n[tool.ruff.lint]\nselect = ["F401"]\n`,
    ".gitignore": "generated/\n*_tmp.py\n",
    "app.py": UNUSED,
    "scratch_tmp.py": UNUSED,
    "generated/out.py": UNUSED,
    "pkg/.gitignore": "local.py\n!keep_tmp.py\n",
    "pkg/local.py": UNUSED,
    "pkg/keep_tmp.py": UNUSED,
    "pkg/mod.py": UNUSED,
  });
  assert.deepEqual(filesOf(await agree({ files: files(true), git: true })), [
    "app.py",
    "pkg/keep_tmp.py",
    "pkg/mod.py",
  ]);
  assert.deepEqual(filesOf(await agree({ files: files(false), git: true })), [
    "app.py",
    "generated/out.py",
    "pkg/keep_tmp.py",
    "pkg/local.py",
    "pkg/mod.py",
    "scratch_tmp.py",
  ]);
});

Deno.test("ruff differential: outside a git repository .gitignore is not applied", async () => {
  const found = await agree({
    files: {
      "pyproject.toml": `[tool.ruff.lint]\nselect = ["F401"]\n`,
      ".gitignore": "generated/\n",
      "generated/out.py": UNUSED,
    },
  });
  assert.deepEqual(filesOf(found), ["generated/out.py"]);
});

Deno.test("ruff differential: per-file-ignores and extend-per-file-ignores, with a negated pattern", async () => {
  const found = await agree({
    files: {
      "pyproject.toml": `[tool.ruff.lint]\nselect = ["F401", "E501", "S101"]\n\n` +
        `[tool.ruff.lint.per-file-ignores]\n"__init__.py" = ["F401"]\n"tests/**" = ["S101"]\n"!src/**" = ["E501"]\n\n` +
        `[tool.ruff.lint.extend-per-file-ignores]\n"src/pkg/legacy.py" = ["F"]\n`,
      "src/pkg/__init__.py": UNUSED,
      "src/pkg/core.py": `${UNUSED}X = "${"x".repeat(100)}"\nassert X\n`,
      "src/pkg/legacy.py": UNUSED,
      "tests/test_core.py": `${UNUSED}X = "${"x".repeat(100)}"\nassert X\n`,
    },
  });
  assert.deepEqual(found, [
    "src/pkg/core.py:1:8 F401",
    "src/pkg/core.py:2:89 E501",
    "src/pkg/core.py:3:1 S101",
    "tests/test_core.py:1:8 F401",
  ]);
});

Deno.test("ruff differential: the closest configuration governs a folder; a nested ruff.toml extends the root one", async () => {
  const found = await agree({
    files: {
      "pyproject.toml":
        `[tool.ruff]\nline-length = 100\n\n[tool.ruff.lint]\nselect = ["F401", "E501"]\n`,
      "app.py": `${UNUSED}X = "${"x".repeat(90)}"\n`,
      "tools/ruff.toml":
        `extend = "../pyproject.toml"\nline-length = 60\nextend-exclude = ["old"]\n`,
      "tools/run.py": `${UNUSED}X = "${"x".repeat(60)}"\n`,
      "tools/old/run.py": UNUSED,
      "lib/pyproject.toml": `[tool.ruff.lint]\nselect = ["E501"]\n`,
      "lib/mod.py": `${UNUSED}X = "${"x".repeat(90)}"\n`,
      "plain/pyproject.toml": `[project]\nname = "plain"\n`,
      "plain/mod.py": UNUSED,
    },
  });
  assert.deepEqual(found, [
    "app.py:1:8 F401",
    "lib/mod.py:2:89 E501",
    "plain/mod.py:1:8 F401",
    "tools/run.py:1:8 F401",
    "tools/run.py:2:61 E501",
  ]);
});

const IMPORTS =
  "import os\nimport sys\n\nimport requests\nimport mypkg\n\nprint(os, sys, requests, mypkg)\n";

Deno.test("ruff differential: src layout: the package in src is first party for isort (I001)", async () => {
  const found = await agree({
    files: {
      "pyproject.toml": `[tool.ruff.lint]\nselect = ["I"]\n`,
      "src/mypkg/__init__.py": "",
      "src/mypkg/core.py": "import os\n\nimport mypkg\n\nprint(os, mypkg)\n",
      "tests/test_core.py": IMPORTS,
      "tests/test_sorted.py":
        "import os\nimport sys\n\nimport requests\n\nimport mypkg\n\nprint(os, sys, requests, mypkg)\n",
    },
  });
  assert.deepEqual(found, ["tests/test_core.py:1:1 I001"]);
});

Deno.test("ruff differential: flat layout and a configured src: first-party names come from the src folders", async () => {
  const flat = await agree({
    files: {
      "pyproject.toml": `[tool.ruff.lint]\nselect = ["I"]\n`,
      "mypkg/__init__.py": "",
      "single.py": "",
      "stubonly.pyi": "",
      "tests/test_core.py":
        "import os\n\nimport requests\n\nimport mypkg\nimport single\nimport stubonly\n\nprint(os, requests, stubonly, mypkg, single)\n",
    },
  });
  assert.deepEqual(flat, []);
  const configured = await agree({
    files: {
      "pyproject.toml": `[tool.ruff]\nsrc = ["lib"]\n\n[tool.ruff.lint]\nselect = ["I"]\n`,
      "lib/mypkg/__init__.py": "",
      "src/other/__init__.py": "",
      "tests/test_core.py":
        "import os\n\nimport other\nimport requests\n\nimport mypkg\n\nprint(os, other, requests, mypkg)\n",
    },
  });
  assert.deepEqual(configured, []);
});

Deno.test("ruff differential: known-first-party and known-third-party place modules as configured", async () => {
  const found = await agree({
    files: {
      "pyproject.toml": `[tool.ruff.lint]\nselect = ["I"]\n\n[tool.ruff.lint.isort]\n` +
        `known-first-party = ["company_*"]\nknown-third-party = ["mypkg"]\n`,
      "src/mypkg/__init__.py": "",
      "app.py":
        "import os\n\nimport mypkg\nimport requests\n\nimport company_utils\n\nprint(os, mypkg, requests, company_utils)\n",
      "bad.py":
        "import os\n\nimport requests\n\nimport company_utils\nimport mypkg\n\nprint(os, mypkg, requests, company_utils)\n",
    },
  });
  assert.deepEqual(found, ["bad.py:1:1 I001"]);
});

Deno.test("ruff differential: isort force-single-line and lines-after-imports", async () => {
  const found = await agree({
    files: {
      "pyproject.toml": `[tool.ruff.lint]\nselect = ["I"]\n\n[tool.ruff.lint.isort]\n` +
        `force-single-line = true\nlines-after-imports = 2\n`,
      "good.py": "from os import path\nfrom os import sep\n\n\nprint(path, sep)\n",
      "joined.py": "from os import path, sep\n\n\nprint(path, sep)\n",
      "one_line.py": "from os import path\nfrom os import sep\n\nprint(path, sep)\n",
    },
  });
  assert.deepEqual(found, ["joined.py:1:1 I001", "one_line.py:1:1 I001"]);
});

Deno.test("ruff differential: namespace-packages make a folder without __init__.py a package (INP001, first party)", async () => {
  const found = await agree({
    files: {
      "pyproject.toml": `[tool.ruff]\nnamespace-packages = ["ns/plugins"]\n\n` +
        `[tool.ruff.lint]\nselect = ["INP001", "I"]\n`,
      "ns/plugins/mod.py": "",
      "scripts/tool.py": "",
      "pkg/__init__.py": "",
      "pkg/mod.py": "",
    },
  });
  assert.deepEqual(found, ["scripts/tool.py:1:1 INP001"]);
});

const OLD_TYPING =
  "from typing import List, Optional\n\n\ndef f(a: List[int]) -> Optional[int]:\n    return a[0]\n";

Deno.test("ruff differential: target-version comes from requires-python unless set, also for a ruff.toml beside the pyproject.toml", async () => {
  const found = await agree({
    files: {
      "pyproject.toml":
        `[project]\nname = "p"\nrequires-python = ">=3.10"\n\n[tool.ruff.lint]\nselect = ["UP"]\n`,
      "new.py": OLD_TYPING,
      "old/pyproject.toml":
        `[project]\nname = "o"\nrequires-python = ">=3.8"\n\n[tool.ruff.lint]\nselect = ["UP"]\n`,
      "old/mod.py": OLD_TYPING,
      "pinned/pyproject.toml":
        `[project]\nname = "q"\nrequires-python = ">=3.12"\n\n[tool.ruff]\ntarget-version = "py38"\n\n[tool.ruff.lint]\nselect = ["UP"]\n`,
      "pinned/mod.py": OLD_TYPING,
      "side/pyproject.toml": `[project]\nname = "s"\nrequires-python = ">=3.9"\n`,
      "side/ruff.toml": `[lint]\nselect = ["UP"]\n`,
      "side/mod.py": OLD_TYPING,
    },
  });
  assert.deepEqual(found.filter((k) => k.startsWith("new.py")).length > 0, true);
  assert.deepEqual(found.filter((k) => k.startsWith("old/")), []);
  assert.deepEqual(found.filter((k) => k.startsWith("pinned/")), []);
  assert.deepEqual(found.filter((k) => k.startsWith("side/")).length > 0, true);
});

Deno.test("ruff differential: pydocstyle convention, and no missing-docstring findings in private modules", async () => {
  const found = await agree({
    files: {
      "pyproject.toml":
        `[tool.ruff.lint]\nselect = ["D"]\n\n[tool.ruff.lint.pydocstyle]\nconvention = "google"\n`,
      "pkg/__init__.py": '"""Package."""\n',
      "pkg/public.py": "def f(a):\n    pass\n",
      "pkg/_private.py": "def f(a):\n    pass\n",
      "pkg/_internal/__init__.py": "",
      "pkg/_internal/mod.py": "def f(a):\n    pass\n",
      "_script.py": "def f(a):\n    pass\n",
      "pkg/documented.py":
        '"""Module."""\n\n\ndef f(a):\n    """Do it.\n\n    Args:\n        a: thing\n    """\n',
      "pkg/google.py":
        '"""Module."""\n\n\ndef f(a, b):\n    """Do it.\n\n    Args:\n        a: thing\n    """\n',
    },
  });
  assert.deepEqual(filesOf(found), ["pkg/google.py", "pkg/public.py"]);
});

Deno.test("ruff differential: a sub-folder checked on its own uses the configurations above it", async () => {
  const found = await agree({
    files: {
      "pyproject.toml":
        `[tool.ruff]\nextend-exclude = ["src/pkg/gen"]\n\n[tool.ruff.lint]\nselect = ["F401", "I"]\n`,
      "src/pkg/__init__.py": "",
      "src/pkg/core.py": UNUSED,
      "src/pkg/gen/out.py": UNUSED,
      "src/pkg/uses.py": "import os\n\nimport pkg\nimport requests\n\nprint(os, pkg, requests)\n",
    },
    target: "src",
  });
  assert.deepEqual(found, ["src/pkg/core.py:1:8 F401", "src/pkg/uses.py:1:1 I001"]);
});

Deno.test("ruff differential: rules that depend on the file's path: D104 for a package's __init__.py, no D1 in stubs, N999, INP001 with its exemptions", async () => {
  const found = await agree({
    files: {
      "pyproject.toml": `[tool.ruff]\nsrc = ["src", "lib"]\n\n[tool.ruff.lint]\n` +
        `select = ["D1", "N999", "INP001", "F401", "F822", "PYI"]\nignore = ["D103"]\n\n` +
        `[tool.ruff.lint.per-file-ignores]\n"legacy/**" = ["INP"]\n`,
      "pkg/__init__.py": "import os\n",
      "pkg/sub/__init__.py": "# only a comment\n",
      "pkg/documented/__init__.py": '"""Package."""\n\n__all__ = ["submodule"]\n',
      "pkg/documented/mod.py": '"""Module."""\n\n__all__ = ["missing"]\n',
      "pkg/Bad-Name.py": '"""Doc."""\n',
      "pkg/Bad_Dir/__init__.py": '"""Doc."""\n',
      "pkg/migrations/__init__.py": '"""Doc."""\n',
      "pkg/migrations/0001_initial.py": '"""Doc."""\n',
      "pkg/stub.pyi": "import os\nfrom typing import Union\n\nx: Union[int, int]\n\ndef f(): ...\n",
      "pkg/empty.py": "",
      "scripts/run.py": '#!/usr/bin/env python\n"""Doc."""\n',
      "scripts/plain.py": '"""Doc."""\n',
      "scripts/noqa.py": '"""Doc."""  # noqa: INP001\n',
      "scripts/noqa_docstring.py": '"""Doc\n\nmore.\n"""  # noqa: INP001\n',
      "scripts/file_noqa.py": '"""Doc."""\n\n# ruff: noqa: INP001\n',
      "scripts/pep723.py": '# /// script\n# dependencies = []\n# ///\n"""Doc."""\n',
      "tests/unit/test_a.py": '"""Doc."""\n',
      "legacy/old.py": '"""Doc."""\n',
      "top.py": '"""Doc."""\n',
      "src/manage.py": '"""Doc."""\n',
      "lib/tool/cli.py": '"""Doc."""\n',
      "sub/ruff.toml": `[lint]\nselect = ["INP001"]\n`,
      "sub/direct.py": "",
      "sub/deeper/mod.py": "",
    },
  });
  assert.deepEqual(found, [
    "lib/tool/cli.py:1:1 INP001",
    "pkg/Bad-Name.py:1:1 N999",
    "pkg/__init__.py:1:1 D104",
    "pkg/__init__.py:1:8 F401",
    "pkg/documented/mod.py:3:12 F822",
    "pkg/empty.py:1:1 D100",
    "pkg/stub.pyi:1:8 F401",
    "pkg/stub.pyi:4:15 PYI016",
    "pkg/sub/__init__.py:1:1 D104",
    "scripts/plain.py:1:1 INP001",
    "sub/deeper/mod.py:1:1 INP001",
    "tests/unit/test_a.py:1:1 INP001",
  ]);
});

Deno.test("ruff differential: hidden files and folders are linted, .git/info/exclude applies, extend-include adds .pyw and extensionless scripts", async () => {
  const found = await agree({
    files: {
      "pyproject.toml":
        `[tool.ruff]\nextend-include = ["*.pyw", "bin/*"]\n\n[tool.ruff.lint]\nselect = ["F401"]\n`,
      ".git/info/exclude": "excluded.py\n",
      ".hidden.py": UNUSED,
      ".config/tool.py": UNUSED,
      "excluded.py": UNUSED,
      "gui.pyw": UNUSED,
      "bin/tool": UNUSED,
      "other/tool": UNUSED,
      "README": "text\n",
    },
    git: true,
  });
  assert.deepEqual(filesOf(found), [".config/tool.py", ".hidden.py", "bin/tool", "gui.pyw"]);
});

Deno.test("ruff differential: EXE001 and EXE002 follow the file's executable bit", async () => {
  const found = await agree({
    files: {
      "pyproject.toml": `[tool.ruff.lint]\nselect = ["EXE"]\n`,
      "shebang.py": "#!/usr/bin/env python\nx = 1\n",
      "exe.py": "x = 1\n",
      "both.py": "#!/usr/bin/env python\nx = 1\n",
    },
    executable: ["exe.py", "both.py"],
  });
  assert.deepEqual(found, ["exe.py:1:1 EXE002", "shebang.py:1:1 EXE001"]);
});

Deno.test("ruff differential: a monorepo: src as a glob, a sub-project's own pyproject.toml with its src and per-file-ignores", async () => {
  const found = await agree({
    files: {
      "pyproject.toml":
        `[tool.ruff]\nsrc = ["packages/*/src"]\n\n[tool.ruff.lint]\nselect = ["I", "F401"]\n`,
      "packages/alpha/src/alpha/__init__.py": "",
      "packages/beta/src/beta/__init__.py": "",
      "packages/beta/tests/test_beta.py":
        "import os\n\nimport requests\n\nimport alpha\nimport beta\n\nprint(os, requests, alpha, beta)\n",
      "service/pyproject.toml":
        `[project]\nname = "service"\n\n[tool.ruff.lint]\nselect = ["I", "F401"]\n\n` +
        `[tool.ruff.lint.per-file-ignores]\n"tests/*" = ["F401"]\n`,
      "service/src/service/__init__.py": "",
      "service/tests/test_service.py":
        "import os\n\nimport alpha\nimport requests\n\nimport service\n\nprint(requests, service)\n",
    },
  });
  assert.deepEqual(found, []);
});

/** Our single-file run_linter (the path review_changes takes too) on each file. */
async function singleFileFindings(
  root: string,
  rel: string,
  linter: LinterName,
): Promise<string[]> {
  const r = await runLinter({
    root,
    path: rel,
    linter,
    pathEnv: Deno.env.get("PATH") ?? "",
    timeoutMs: 60_000,
    maxOutputBytes: 1024 * 1024,
    maxFileBytes: 1024 * 1024,
  });
  if (!r.ok) throw new Error(`runLinter failed on ${rel}: ${r.reason}`);
  return r.value.diagnostics.map((d) => key(d.file, d.line, d.column, d.code)).sort();
}

Deno.test("ruff differential: a single file named to run_linter (built-in and ruff-native) gets what ruff check <file> gives: first party, package rules, the project's configuration", async () => {
  await requireNativeRuff();
  const root = await writeProject(
    {
      "pyproject.toml": `[tool.ruff]\nline-length = 60\n\n[tool.ruff.lint]\n` +
        `select = ["I", "D1", "INP001", "E501"]\n\n[tool.ruff.lint.per-file-ignores]\n"tests/*" = ["D1"]\n`,
      "src/mypkg/__init__.py": "",
      "src/mypkg/core.py": `"""Core."""\n\nX = "${"x".repeat(60)}"\n`,
      "tests/test_core.py": IMPORTS,
      "tests/test_sorted.py":
        "import os\nimport sys\n\nimport requests\n\nimport mypkg\n\nprint(os, sys, requests, mypkg)\n",
      "scripts/tool.py": '"""Tool."""\n',
    },
    false,
    [],
  );
  try {
    for (
      const rel of [
        "src/mypkg/__init__.py",
        "src/mypkg/core.py",
        "tests/test_core.py",
        "tests/test_sorted.py",
        "scripts/tool.py",
      ]
    ) {
      const native = await nativeFindings(root, rel);
      assert.deepEqual(await singleFileFindings(root, rel, "ruff"), native, `built-in on ${rel}`);
      assert.deepEqual(
        await singleFileFindings(root, rel, "ruff-native"),
        native,
        `ruff-native on ${rel}`,
      );
    }
    assert.deepEqual(await nativeFindings(root, "."), [
      "scripts/tool.py:1:1 INP001",
      "src/mypkg/__init__.py:1:1 D104",
      "src/mypkg/core.py:3:61 E501",
      "tests/test_core.py:1:1 I001",
      "tests/test_core.py:1:1 INP001",
      "tests/test_sorted.py:1:1 INP001",
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("ruff differential: a configuration without select gets ruff's default rule set, path-decided rules included", async () => {
  const found = await agree({
    files: {
      "pyproject.toml":
        `[tool.ruff]\nline-length = 100\n\n[tool.ruff.lint]\nextend-ignore = ["I"]\n`,
      "pkg/__init__.py": "",
      "pkg/Bad-Name.py": "import os\n",
      "pkg/__main__.py": "x = 1\n",
      "scripts/tool.py": "#!/usr/bin/env python\nx = 1\n",
    },
    executable: ["pkg/__main__.py"],
  });
  assert.deepEqual(found, [
    "pkg/Bad-Name.py:1:1 N999",
    "pkg/Bad-Name.py:1:8 F401",
    "pkg/__main__.py:1:1 EXE002",
    "scripts/tool.py:1:1 EXE001",
  ]);
});

Deno.test("ruff differential: a noqa that suppresses a path-decided rule is used (no RUF100), one that suppresses nothing is not", async () => {
  const found = await agree({
    files: {
      "pyproject.toml": `[tool.ruff.lint]\nselect = ["INP001", "RUF100", "D1", "E501"]\n`,
      "scripts/a.py": '"""Doc."""  # noqa: INP001\n',
      "scripts/b.py": '"""Doc."""  # noqa: INP001, E501\n',
      "pkg/__init__.py": "x = 1  # noqa: D104\n",
      "pkg/mod.py": '"""Doc."""  # noqa: INP001\n',
    },
  });
  assert.deepEqual(found, ["pkg/mod.py:1:13 RUF100", "scripts/b.py:1:13 RUF100"]);
});

Deno.test("ruff differential: ignore, extend-select and plugin tables given together with select all apply (ruff-native too)", async () => {
  const found = await agree({
    files: {
      "pyproject.toml": `[tool.ruff.lint]\nselect = ["E", "F", "B"]\nignore = ["B904", "E501"]\n` +
        `extend-select = ["I"]\n\n[tool.ruff.lint.isort]\ncombine-as-imports = true\n`,
      "app.py": "import os\n\n\ndef f(x):\n    try:\n        return x[0]\n" +
        `    except IndexError:\n        raise ValueError("${"x".repeat(90)}")\n`,
    },
  });
  assert.deepEqual(found, ["app.py:1:8 F401"]);
});

Deno.test("ruff differential: a stub may name a class in annotations and bases before defining it (F821 only for a value or an unbound name)", async () => {
  const stub = [
    "from typing import TypeAlias, overload",
    "import collections.abc as cabc",
    "",
    "def f(x: Later) -> Later: ...",
    "class A(Base): ...",
    "y: Alias",
    "Alias = Later",
    "z: Missing",
    "w: cabc.Sized",
    "Tree: TypeAlias = list[Tree] | Later",
    "@overload",
    "def g(v: int) -> Later: ...",
    "class Later: ...",
    "class Base: ...",
    "",
  ].join("\n");
  const found = await agree({
    files: {
      "pyproject.toml": `[tool.ruff.lint]\nselect = ["F"]\n`,
      "pkg/__init__.py": "",
      "pkg/m.pyi": stub,
      // The same text as a module: every forward reference is reported.
      "pkg/m2.py": stub,
    },
  });
  const inStub = found.filter((k) => k.startsWith("pkg/m.pyi:"));
  assert.deepEqual(inStub, ["pkg/m.pyi:7:9 F821", "pkg/m.pyi:8:4 F821"]);
  assert(found.filter((k) => k.startsWith("pkg/m2.py:")).length > inStub.length);
});
