/**
 * End to end over stdio: review_changes tags findings against the base version's findings
 * (new = not there before), and review_changes and run_linter use the linters the project
 * configures. Repositories are built with the real git; the server starts with the README's
 * exact flags and is driven by the official SDK client.
 */
import { assert, assertEquals, assertMatch } from "../assert.ts";
import { connect } from "./harness.ts";
import { callTool, resultText } from "./spawn_client.ts";
import { emptyRepo, type Fixture, git, write } from "../fixtures/git_repo.ts";

interface Finding {
  tag: "new" | "existing";
  basis: string;
  file: string;
  line: number;
  code: string;
  linter: string;
}

interface Group {
  linter: string;
  config: string;
  files: number;
  new: number;
  existing: number;
  baseline: string;
}

interface Review {
  scope: string;
  findings: Finding[];
  linters: Group[];
  notes: string[];
  findings_summary: { new: number; existing: number; files_linted: number };
}

/** A repository whose first commit holds `before`, with `after` written over it uncommitted. */
async function changedRepo(
  before: Record<string, string>,
  after: Record<string, string>,
): Promise<Fixture> {
  const f = await emptyRepo();
  for (const [p, t] of Object.entries(before)) write(f.root, p, t);
  git(f.root, "add", "-A");
  git(f.root, "commit", "-qm", "base");
  for (const [p, t] of Object.entries(after)) write(f.root, p, t);
  return f;
}

/** Starts the server on the fixture, calls review_changes with `args`, and cleans up. */
async function review(f: Fixture, args: Record<string, unknown> = {}): Promise<Review> {
  const s = await connect(f.root);
  try {
    const r = await callTool(s, "review_changes", args);
    assert(!r.isError, resultText(r));
    return r.structuredContent as unknown as Review;
  } finally {
    await s.close();
    await f.cleanup();
  }
}

/** [code, line, tag, basis] of the findings with `code`, in line order. */
function tagsOf(r: Review, code: string, file?: string): [string, number, string, string][] {
  return r.findings.filter((d) => d.code === code && (file === undefined || d.file === file))
    .sort((a, b) => a.line - b.line)
    .map((d) => [d.code, d.line, d.tag, d.basis]);
}

const RUFF_PYPROJECT = '[tool.ruff.lint]\nselect = ["F", "I"]\n';

Deno.test("review_changes: an import inserted into an unsorted block makes its I001 new (the finding spans the added line)", async () => {
  const before = "import sys\nimport os\nimport json\n\nprint(os, sys, json)\n";
  const after =
    "import sys\nimport os\nimport subprocess\nimport json\n\nprint(os, sys, json, subprocess)\n";
  const r = await review(
    await changedRepo({ "pyproject.toml": RUFF_PYPROJECT, "app.py": before }, { "app.py": after }),
  );
  // The base had I001 on lines 1-3 too; the change added line 3 inside the block, so the
  // finding changed with it: new, though its first line was not touched.
  assertEquals(tagsOf(r, "I001"), [["I001", 1, "new", "changed"]]);
  assertEquals(r.linters.map((g) => [g.linter, g.config]), [[
    "ruff",
    "pyproject.toml [tool.ruff]",
  ]]);
  assertMatch(r.linters[0]!.baseline, /base versions linted in memory/);
  // The answer says how findings were matched.
  assert(r.notes.some((n) => n.startsWith("tags: new = not there before.")), r.notes.join("\n"));
});

Deno.test("review_changes: deleting the last use of an import makes F401 on the untouched import line new", async () => {
  const before = "import os\n\n\ndef cwd():\n    return os.getcwd()\n";
  const after = 'import os\n\n\ndef cwd():\n    return "."\n';
  const r = await review(
    await changedRepo({ "pyproject.toml": RUFF_PYPROJECT, "app.py": before }, { "app.py": after }),
  );
  assertEquals(tagsOf(r, "F401"), [["F401", 1, "new", "not-in-base"]]);
  assertEquals(r.findings_summary.new, 1);
});

Deno.test("review_changes: a finding on untouched lines stays existing when lines inserted above shift it down", async () => {
  const before = '"""Module."""\nimport os\nimport sys\n\nprint(sys)\n';
  const after =
    '"""Module."""\n# one\n# two\n# three\nimport os\nimport sys\n\nprint(sys)\nprint(len(sys.argv))\n';
  const r = await review(
    await changedRepo({ "pyproject.toml": RUFF_PYPROJECT, "app.py": before }, { "app.py": after }),
  );
  // F401 moved from line 2 to line 5 with the inserted comments: the line mapped through the
  // diff has the same code in the base, so it was there before.
  assertEquals(tagsOf(r, "F401"), [["F401", 5, "existing", "base-line"]]);
  assertEquals(r.findings_summary.new, 0);
});

Deno.test("review_changes: a function moved down by 100 lines keeps its finding existing (matched as moved)", async () => {
  const fn = "def moved():\n    unused = 1\n    return 2\n";
  const filler = Array.from({ length: 100 }, (_, i) => `\n\ndef f${i}():\n    return ${i}\n`)
    .join("");
  const r = await review(
    await changedRepo({ "pyproject.toml": RUFF_PYPROJECT, "app.py": fn + filler }, {
      "app.py": filler.slice(2) + "\n\n" + fn,
    }),
  );
  const f841 = r.findings.filter((d) => d.code === "F841");
  assertEquals(f841.map((d) => [d.line > 300, d.tag, d.basis]), [[true, "existing", "moved"]]);
  assertEquals(r.findings_summary.new, 0);
});

Deno.test("review_changes: a renamed and edited file keeps the findings it had under its old name existing", async () => {
  const f = await changedRepo({
    "pyproject.toml": RUFF_PYPROJECT,
    "old_name.py": "import os\nimport sys\n\nprint(sys)\n",
  }, {});
  git(f.root, "mv", "old_name.py", "new_name.py");
  write(f.root, "new_name.py", "import os\nimport sys\n\nprint(sys)\nprint(sys.path)\n");
  git(f.root, "add", "-A");
  const r = await review(f);
  assertEquals(tagsOf(r, "F401", "new_name.py"), [["F401", 1, "existing", "base-line"]]);
});

Deno.test("review_changes: a deno.json project gets deno lint, its base version linted from standard input", async () => {
  const before = "let a = 1;\nexport const b = a;\n";
  const after = "// header\nlet a = 1;\nexport const b = a;\nvar c = 2;\nexport { c };\n";
  const r = await review(
    await changedRepo({ "deno.json": "{}\n", "mod.ts": before }, { "mod.ts": after }),
  );
  assertEquals(r.linters.map((g) => g.linter), ["deno-lint"]);
  assertEquals(tagsOf(r, "prefer-const"), [["prefer-const", 2, "existing", "base-line"]]);
  assertEquals(tagsOf(r, "no-var"), [["no-var", 4, "new", "changed"]]);
});

Deno.test("review_changes: a project that configures flake8 only gets flake8's findings, none of the server's own rules", async () => {
  // No docstrings and a mutable default: the server's own rules (D1xx, B006) would report them.
  const before = "import os\n\n\ndef cwd(x=[]):\n    return os.getcwd()\n";
  const after = "import os\n\n\ndef cwd(x=[]):\n    return x\n\n\nunused = 1\n";
  const r = await review(
    await changedRepo(
      {
        "setup.cfg": "[metadata]\nname = demo\n\n[flake8]\nmax-line-length = 100\n",
        "app.py": before,
      },
      { "app.py": after },
    ),
  );
  assertEquals(r.linters.map((g) => [g.linter, g.config]), [["flake8", "setup.cfg [flake8]"]]);
  assert(r.findings.length > 0, JSON.stringify(r));
  assertEquals([...new Set(r.findings.map((d) => d.linter))], ["flake8"]);
  const codes = r.findings.map((d) => d.code);
  assertEquals(codes.filter((c) => /^(D|B)\d/.test(c)), [], codes.join(", "));
  // flake8's F401 (pyflakes), caused by the change on an untouched line.
  assertEquals(tagsOf(r, "F401"), [["F401", 1, "new", "not-in-base"]]);
});

Deno.test("review_changes: a configured flake8 that is not installed gives way to the server's own rules, and a note says so", async () => {
  const f = await changedRepo({
    "setup.cfg": "[flake8]\nmax-line-length = 100\n",
    "app.py": "import os\n\n\ndef cwd():\n    return os.getcwd()\n",
  }, { "app.py": 'import os\n\n\ndef cwd():\n    return "."\n' });
  // A PATH without flake8 (the built-in ruff needs none; deno itself is started by path).
  const empty = await Deno.makeTempDir({ prefix: "crm-nopath-" });
  const s = await connect(f.root, { env: { PATH: empty } });
  try {
    const r = await callTool(s, "review_changes", {});
    assert(!r.isError, resultText(r));
    const v = r.structuredContent as unknown as Review;
    assert(
      v.notes.some((n) =>
        /^flake8 \(setup\.cfg \[flake8\]\) is not installed here: its files got the server's own review rules/
          .test(n)
      ),
      v.notes.join("\n"),
    );
    assertEquals(v.linters.map((g) => [g.linter, g.config]), [
      ["ruff", "the server's own review rules (the configured linter is not installed)"],
    ]);
    assertEquals(tagsOf(v, "F401"), [["F401", 1, "new", "not-in-base"]]);
    // run_linter makes the same choice.
    const one = await callTool(s, "run_linter", { file_path: "app.py" });
    assert(!one.isError, resultText(one));
    const a = one.structuredContent as { linter: string; chosen_by?: string[] };
    assertEquals(a.linter, "ruff");
    assertEquals(a.chosen_by, [
      "Python: ruff (the server's own review rules (the configured linter is not installed)); flake8 (setup.cfg [flake8]) is not installed here",
    ]);
  } finally {
    await s.close();
    await f.cleanup();
    await Deno.remove(empty, { recursive: true });
  }
});

Deno.test("review_changes: a project with .flake8 keeps a flake8 finding that was there before existing", async () => {
  const before = "import os\nimport sys\n\nprint(sys)\n";
  const after = "# a comment\nimport os\nimport sys\n\nprint(sys)\nprint(sys.argv)\n";
  const r = await review(
    await changedRepo({ ".flake8": "[flake8]\nselect = F\n", "app.py": before }, {
      "app.py": after,
    }),
  );
  assertEquals(r.linters.map((g) => [g.linter, g.config]), [["flake8", ".flake8 [flake8]"]]);
  assertEquals(tagsOf(r, "F401"), [["F401", 2, "existing", "base-line"]]);
  assertMatch(r.linters[0]!.baseline, /base versions linted/);
});

Deno.test("review_changes: a project with a pylintrc gets pylint, its base version linted from standard input", async () => {
  const before = '"""Module."""\nimport os\nimport sys\n\nprint(sys)\nprint(os.sep)\n';
  const after = '"""Module."""\nimport os\nimport sys\n\nprint(sys)\n';
  const r = await review(
    await changedRepo({ "pylintrc": "[MESSAGES CONTROL]\ndisable = C\n", "app.py": before }, {
      "app.py": after,
    }),
  );
  assertEquals(r.linters.map((g) => [g.linter, g.config]), [["pylint", "pylintrc"]]);
  // W0611 unused-import: the change deleted the last use of os on line 6.
  assertEquals(tagsOf(r, "W0611"), [["W0611", 2, "new", "not-in-base"]]);
  assertMatch(r.linters[0]!.baseline, /base versions linted/);
});

Deno.test("review_changes: a project with ruff settings gets ruff's findings under its configuration", async () => {
  const before = "def add(x, acc=[]):\n    acc.append(x)\n    return acc\n";
  const after = "import os\n\n\ndef add(x, acc=[]):\n    acc.append(x)\n    return acc\n";
  const r = await review(
    await changedRepo(
      { "ruff.toml": '[lint]\nselect = ["F", "B"]\n', "app.py": before },
      { "app.py": after },
    ),
  );
  assertEquals(r.linters.map((g) => [g.linter, g.config]), [["ruff", "ruff.toml"]]);
  // B006 (selected by ruff.toml) was there before and moved down with the added import.
  assertEquals(tagsOf(r, "B006"), [["B006", 4, "existing", "base-line"]]);
  assertEquals(tagsOf(r, "F401"), [["F401", 1, "new", "changed"]]);
  // Only what ruff.toml selects: no docstring rules from the server's own set.
  assertEquals(r.findings.filter((d) => d.code.startsWith("D")), []);
});

Deno.test("review_changes with base HEAD~1 tags a committed change against the parent commit", async () => {
  const f = await emptyRepo();
  write(f.root, "pyproject.toml", RUFF_PYPROJECT);
  write(f.root, "app.py", "import os\nimport sys\n\n\ndef cwd():\n    return os.getcwd()\n");
  git(f.root, "add", "-A");
  git(f.root, "commit", "-qm", "base");
  write(f.root, "app.py", 'import os\nimport sys\n\n\ndef cwd():\n    return "."\n');
  write(f.root, "extra.py", "import json\n");
  git(f.root, "add", "-A");
  git(f.root, "commit", "-qm", "drop os");
  const r = await review(f, { base: "HEAD~1" });
  assertMatch(r.scope, /base HEAD~1/);
  assertEquals(tagsOf(r, "F401", "app.py"), [
    ["F401", 1, "new", "not-in-base"],
    ["F401", 2, "existing", "base-line"],
  ]);
  assertEquals(tagsOf(r, "F401", "extra.py"), [["F401", 1, "new", "added-file"]]);
});

Deno.test("run_linter without a linter says which configuration chose it (chosen_by)", async () => {
  const f = await changedRepo({
    "setup.cfg": "[flake8]\nmax-line-length = 100\n",
    "app.py": "import os\n",
    "run.sh": "#!/bin/sh\necho $1\n",
  }, {});
  const s = await connect(f.root);
  try {
    const one = await callTool(s, "run_linter", { file_path: "app.py" });
    assert(!one.isError, resultText(one));
    const a = one.structuredContent as { linter: string; chosen_by?: string[] };
    assertEquals(a.linter, "flake8");
    assertEquals(a.chosen_by, ["Python: flake8 (setup.cfg [flake8])"]);
    assertMatch(resultText(one), /Linter choice: Python: flake8 \(setup\.cfg \[flake8\]\)/);

    const all = await callTool(s, "run_linter", { file_path: "." });
    assert(!all.isError, resultText(all));
    const p = all.structuredContent as {
      linter: string;
      chosen_by?: string[];
      diagnostics: { code: string }[];
    };
    assertEquals(p.linter.split(/,\s*/).sort(), ["flake8", "shellcheck"]);
    assert(p.chosen_by !== undefined);
    assertEquals(p.chosen_by.filter((c) => c.startsWith("Python:")), [
      "Python: flake8 (setup.cfg [flake8])",
    ]);
    assert(p.chosen_by.some((c) => c.startsWith("shell: shellcheck")), p.chosen_by.join("\n"));
    assert(p.diagnostics.some((d) => d.code === "F401"));

    const named = await callTool(s, "run_linter", { file_path: "app.py", linter: "ruff" });
    assert(!named.isError, resultText(named));
    assertEquals((named.structuredContent as { chosen_by?: string[] }).chosen_by, undefined);
  } finally {
    await s.close();
    await f.cleanup();
  }
});

Deno.test("run_linter on a project that configures nothing names the server's own rules", async () => {
  const f = await changedRepo({ "app.py": "import os\n" }, {});
  const s = await connect(f.root);
  try {
    const r = await callTool(s, "run_linter", { file_path: "app.py" });
    assert(!r.isError, resultText(r));
    const a = r.structuredContent as { linter: string; chosen_by?: string[] };
    assertEquals(a.linter, "ruff");
    assertEquals(a.chosen_by, [
      "Python: ruff (the server's own review rules (no Python linter configured))",
    ]);
  } finally {
    await s.close();
    await f.cleanup();
  }
});
