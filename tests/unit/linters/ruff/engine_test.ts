import { pythonCodeSeverity } from "../../../../src/linters/severity.ts";
import assert from "node:assert/strict";
import { Workspace } from "@astral-sh/ruff-wasm-web";
import {
  checkSource,
  describeFix,
  RUFF_ENGINE_VERSION,
  severityOf,
  SYNTAX_ERROR_CODE,
  warmUp,
} from "../../../../src/linters/ruff/engine.ts";
import { DEFAULT_RUFF_SETTINGS } from "../../../../src/linters/ruff/config.ts";
import { codesOf, diagnosticsOf, errorOf, fixture } from "./helpers.ts";

const known = (name: string) => Deno.readTextFileSync(fixture(`known/${name}`));

Deno.test("warmUp() loads the engine, can be called twice and resolves", async () => {
  await Promise.all([warmUp(), warmUp()]);
});

Deno.test("RUFF_ENGINE_VERSION equals the engine's own version and the pin in deno.json", async () => {
  await warmUp();
  assert.equal(Workspace.version(), RUFF_ENGINE_VERSION);
  const denoJson = JSON.parse(
    Deno.readTextFileSync(new URL("../../../../deno.json", import.meta.url)),
  );
  assert.equal(
    denoJson.imports["@astral-sh/ruff-wasm-web"],
    `npm:@astral-sh/ruff-wasm-web@${RUFF_ENGINE_VERSION}`,
  );
});

Deno.test("checkSource() reports a mutable default argument (B006) with the fix as text", async () => {
  const result = await checkSource(
    known("mutable_default.py"),
    DEFAULT_RUFF_SETTINGS,
    "known/mutable_default.py",
  );
  const [b006] = diagnosticsOf(result).filter((d) => d.code === "B006");
  assert.deepEqual(
    { ...b006, fix: undefined },
    {
      file: "known/mutable_default.py",
      line: 4,
      column: 28,
      end_line: 4,
      end_column: 30,
      code: "B006",
      severity: "warning",
      message: "Do not use mutable data structures for argument defaults",
      fix: undefined,
      url: "https://docs.astral.sh/ruff/rules/?q=B006",
    },
  );
  assert.equal(
    b006?.fix,
    'Replace with `None`; initialize within function\n- replace 4:28-4:30 with "None"\n' +
      '- insert at 6:1: "    if bucket is None:\\n        bucket = []\\n"',
  );
});

Deno.test("checkSource() reports a bare except (E722) and nothing else in that fixture", async () => {
  const result = await checkSource(
    known("bare_except.py"),
    DEFAULT_RUFF_SETTINGS,
    "bare_except.py",
  );
  assert.deepEqual(codesOf(result), ["E722"]);
  const [e722] = diagnosticsOf(result);
  assert.equal(e722?.line, 8);
  assert.equal(e722?.column, 5);
  assert.equal(e722?.message, "Do not use bare `except`");
});

Deno.test("checkSource() reports an unused import (F401) as a warning with a removal fix", async () => {
  const result = await checkSource(
    known("unused_import.py"),
    DEFAULT_RUFF_SETTINGS,
    "unused_import.py",
  );
  assert.deepEqual(codesOf(result), ["F401"]);
  const [f401] = diagnosticsOf(result);
  assert.equal(f401?.severity, "warning");
  assert.deepEqual([f401?.line, f401?.column, f401?.end_line, f401?.end_column], [3, 8, 3, 10]);
  assert.equal(f401?.fix, "Remove unused import: `os`\n- delete 3:1-4:1");
});

Deno.test("checkSource() flags a 101-character line (E501) but not a 100-character one by default", async () => {
  const result = await checkSource(known("long_line.py"), DEFAULT_RUFF_SETTINGS, "long_line.py");
  const e501 = diagnosticsOf(result).filter((d) => d.code === "E501");
  assert.deepEqual(e501.map((d) => [d.line, d.column]), [[6, 101]]);
  assert.match(String(e501[0]?.message), /Line too long \(101 > 100\)/);
});

Deno.test("checkSource() finds nothing in a file that follows the review rules", async () => {
  assert.deepEqual(
    diagnosticsOf(await checkSource(known("clean.py"), DEFAULT_RUFF_SETTINGS, "clean.py")),
    [],
  );
});

Deno.test("checkSource() turns a syntax error in the checked file into error diagnostics, not a failure", async () => {
  const result = await checkSource(
    known("syntax_error.py"),
    DEFAULT_RUFF_SETTINGS,
    "syntax_error.py",
  );
  const syntax = diagnosticsOf(result).filter((d) => d.code === SYNTAX_ERROR_CODE);
  assert.ok(syntax.length > 0);
  assert.equal(syntax[0]?.line, 4);
  assert.equal(syntax[0]?.column, 12);
  assert.ok(syntax.every((d) => d.severity === "error"));
});

Deno.test("checkSource() reports columns as 1-based code points, even after astral characters", async () => {
  const source = 'x = "\u00e9\u{1F600}"; y = 1\n';
  const result = await checkSource(source, { lint: { select: ["E702"] } }, "emoji.py");
  const [e702] = diagnosticsOf(result);
  assert.equal(e702?.code, "E702");
  // x, space, =, space, quote, é, 😀, quote: the semicolon is the 9th code point.
  assert.equal(e702?.column, 9);
  assert.equal(e702?.end_column, 10);
});

Deno.test("checkSource() honours # noqa comments in the source", async () => {
  const result = await checkSource(
    "import os  # noqa: F401\n",
    { lint: { select: ["F"] } },
    "noqa.py",
  );
  assert.deepEqual(diagnosticsOf(result), []);
});

Deno.test("checkSource() returns an error naming the problem for settings the engine rejects, never throws", async () => {
  const cases: [unknown, RegExp][] = [
    [{ bogus: 1 }, /unknown field `bogus`/],
    [{ lint: { select: ["XYZ123"] } }, /Unknown rule selector `XYZ123` in `select`/],
    [{ "line-length": "long" }, /invalid type: string "long"/],
    [{ "line-length": 0 }, /line-length must be between 1 and/],
    [{ "target-version": "py99" }, /unknown variant `py99`/],
    [{ lint: { "per-file-ignores": { "tests/*": "F401" } } }, /must be a list of rule codes/],
    [{ lint: { "per-file-ignores": { "[broken": ["F401"] } } }, /unclosed character class/],
    [
      { lint: { "per-file-ignores": { "other/*": ["NOPE1"] } } },
      /Unknown rule selector `NOPE1` in `per-file-ignores`/,
    ],
    [[], /settings must be an object/],
  ];
  for (const [settings, expected] of cases) {
    const error = errorOf(
      await checkSource("x = 1\n", settings as Record<string, unknown>, "a.py"),
    );
    assert.match(error, /^ruff rejected the settings: /);
    assert.match(error, expected);
  }
});

Deno.test("checkSource() applies per-file-ignores in settings relative to the project root", async () => {
  const settings = {
    lint: { select: ["F401"], "per-file-ignores": { "tests/*": ["F401"], "!src/*": ["F"] } },
  };
  assert.deepEqual(codesOf(await checkSource("import os\n", settings, "tests/test_x.py")), []);
  assert.deepEqual(codesOf(await checkSource("import os\n", settings, "src/app.py")), ["F401"]);
  assert.deepEqual(codesOf(await checkSource("import os\n", settings, "scripts/run.py")), []);
});

Deno.test("checkSource() accepts the deprecated top-level per-file-ignores too", async () => {
  const settings = { select: ["F401"], "per-file-ignores": { "__init__.py": ["F401"] } };
  assert.deepEqual(codesOf(await checkSource("import os\n", settings, "pkg/__init__.py")), []);
  assert.deepEqual(codesOf(await checkSource("import os\n", settings, "pkg/mod.py")), ["F401"]);
});

Deno.test("checkSource() keeps giving right answers when more settings than the cache holds are used", async () => {
  for (let length = 40; length < 80; length++) {
    const result = await checkSource(`x = "${"a".repeat(60)}"\n`, {
      "line-length": length,
      lint: { select: ["E501"] },
    }, "a.py");
    assert.deepEqual(codesOf(result), length < 66 ? ["E501"] : [], `line-length ${length}`);
  }
  assert.deepEqual(codesOf(await checkSource("import os\n", { lint: { select: ["F"] } }, "a.py")), [
    "F401",
  ]);
});

Deno.test("checkSource() handles a 1 MiB file", async () => {
  const unit = 'def f{i}(values):\n    """Sum values."""\n    return sum(values)\n\n\n';
  let source = '"""A large module."""\n\n\n';
  for (let i = 0; source.length < 1024 * 1024; i++) source += unit.replaceAll("{i}", String(i));
  source += "import os\n";
  const started = performance.now();
  const result = await checkSource(source, DEFAULT_RUFF_SETTINGS, "big.py");
  const elapsed = performance.now() - started;
  const codes = codesOf(result);
  assert.ok(codes.includes("F401") && codes.includes("E402"), codes.join(","));
  assert.ok(elapsed < 20_000, `took ${elapsed} ms`);
});

Deno.test("severityOf() maps ruff codes onto the one severity table every linter shares", () => {
  const table: [string, string][] = [
    [SYNTAX_ERROR_CODE, "error"],
    ["E999", "error"],
    ["E902", "error"],
    ["F401", "warning"],
    ["F821", "error"],
    ["PLE0101", "error"],
    ["E501", "warning"],
    ["E722", "warning"],
    ["W291", "warning"],
    ["B006", "warning"],
    ["S608", "warning"],
    ["S602", "warning"],
    ["UP031", "info"],
    ["FBT001", "info"],
    ["D103", "info"],
    ["I001", "info"],
    ["DJ001", "info"],
    ["ISC001", "info"],
  ];
  for (const [code, severity] of table) {
    assert.equal(severityOf(code), severity, code);
    if (code !== SYNTAX_ERROR_CODE) {
      assert.equal(pythonCodeSeverity(code), severity, `flake8 agrees on ${code}`);
    }
  }
});

Deno.test("describeFix() describes deletions, insertions and replacements, and elides long text", () => {
  assert.equal(describeFix(null), undefined);
  const p = (row: number, column: number) => ({ row, column });
  const fix = describeFix({
    message: null,
    edits: [
      { location: p(1, 1), end_location: p(2, 1), content: null },
      { location: p(3, 5), end_location: p(3, 5), content: "x\n" },
      { location: p(4, 1), end_location: p(4, 3), content: "y".repeat(500) },
    ],
  });
  const lines = fix!.split("\n");
  assert.equal(lines[0], "Suggested fix");
  assert.equal(lines[1], "- delete 1:1-2:1");
  assert.equal(lines[2], '- insert at 3:5: "x\\n"');
  assert.match(String(lines[3]), /^- replace 4:1-4:3 with "y{400}" \(\+100 more characters\)$/);
});

Deno.test("checkSource() with the defaults flags an f-string SQL query and shell=True; assert only outside tests", async () => {
  const src =
    '"""Mod."""\nimport sqlite3\nimport subprocess\n\n\ndef q(conn: sqlite3.Connection, name: str) -> list:\n' +
    '    """Q."""\n    assert name\n    subprocess.call(f"ls {name}", shell=True)\n' +
    "    return conn.execute(f\"SELECT * FROM users WHERE name = '{name}'\").fetchall()\n";
  assert.deepEqual(codesOf(await checkSource(src, DEFAULT_RUFF_SETTINGS, "src/app.py")), [
    "S101",
    "S602",
    "S608",
  ]);
  assert.deepEqual(codesOf(await checkSource(src, DEFAULT_RUFF_SETTINGS, "tests/test_app.py")), [
    "S602",
    "S608",
  ]);
});
