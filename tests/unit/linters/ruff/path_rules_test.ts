import assert from "node:assert/strict";
import {
  applyPathRules,
  type PathRuleInput,
  ruleEnabled,
  selectorSpecificity,
  suppressedAtStart,
} from "../../../../src/linters/ruff/path_rules.ts";
import type { Diagnostic } from "../../../../src/linters/types.ts";

Deno.test("selectorSpecificity() ranks ALL, the linter, longer prefixes and the code, and never matches another linter", () => {
  const table: [string, string, number][] = [
    ["ALL", "INP001", 0],
    ["INP", "INP001", 1],
    ["INP0", "INP001", 2],
    ["INP001", "INP001", 100],
    ["D1", "D104", 2],
    ["E", "EXE001", -1], // pycodestyle's E is not flake8-executable's EXE
    ["N", "NPY001", -1],
    ["D105", "D104", -1],
  ];
  for (const [selector, code, want] of table) {
    assert.equal(selectorSpecificity(selector, code), want, `${selector} for ${code}`);
  }
});

Deno.test("ruleEnabled() lets the most specific selector decide, ignoring on a tie, with ruff's default selection", () => {
  const table: [Record<string, unknown>, string, boolean][] = [
    [{ lint: { select: ["ALL"], ignore: ["D1"] } }, "D104", false],
    [{ lint: { select: ["ALL"], ignore: ["D1"], "extend-select": ["D104"] } }, "D104", true],
    [{ lint: { select: ["INP"], ignore: ["INP"] } }, "INP001", false],
    [{ lint: { select: ["E"] } }, "EXE001", false],
    [{}, "N999", true], // in ruff 0.16.9's default set
    [{}, "EXE001", true],
    [{}, "INP001", false],
    [{ lint: { ignore: ["N"] } }, "N999", false],
    [{ lint: { "extend-select": ["INP"] } }, "INP001", true],
    [{ lint: { "extend-select": ["INP"] } }, "D104", false],
  ];
  for (const [settings, code, want] of table) {
    assert.equal(ruleEnabled(settings, code), want, `${JSON.stringify(settings)} ${code}`);
  }
});

Deno.test("suppressedAtStart() honours noqa on the first line, on the closing line of a starting docstring, and file-level exemptions", () => {
  const table: [string, boolean][] = [
    ["x = 1  # noqa: INP001\n", true],
    ["x = 1  # noqa\n", true],
    ["x = 1  # noqa: E501\n", false],
    ['"""Doc\n\nmore.\n"""  # noqa: INP001\n', true],
    ['"""Doc."""\ny = 2  # noqa: INP001\n', false],
    ["x = 1\n# ruff: noqa: INP001\n", true],
    ["x = 1\n# ruff: noqa\n", true],
    ["x = 1\n# flake8: noqa\n", true],
    ["x = 1\n# ruff: noqa: D104\n", false],
  ];
  for (const [text, want] of table) {
    assert.equal(suppressedAtStart(text, "INP001"), want, JSON.stringify(text));
  }
});

const input = (over: Partial<PathRuleInput>): PathRuleInput => ({
  rel: "pkg/mod.py",
  text: '"""Doc."""\n',
  settings: { lint: { select: ["ALL"] } },
  perFileIgnores: [],
  packageRoot: "pkg",
  projectRoot: "",
  src: ["", "src"],
  ...over,
});

const d100 = (file: string): Diagnostic => ({
  file,
  line: 1,
  column: 1,
  code: "D100",
  severity: "info",
  message: "Missing docstring in public module",
});

const codes = (ds: Diagnostic[]) => ds.map((d) => d.code);

Deno.test("applyPathRules() reports an __init__.py's missing docstring as D104, and drops missing-docstring findings in stubs", () => {
  assert.deepEqual(
    codes(applyPathRules([d100("pkg/__init__.py")], input({ rel: "pkg/__init__.py", text: "" }))),
    ["D104"],
  );
  assert.deepEqual(
    codes(
      applyPathRules(
        [d100("pkg/__init__.py")],
        input({ rel: "pkg/__init__.py", text: "", settings: { lint: { select: ["D100"] } } }),
      ),
    ),
    [],
  );
  assert.deepEqual(
    codes(applyPathRules([d100("pkg/mod.pyi")], input({ rel: "pkg/mod.pyi", text: "" }))),
    [],
  );
});

Deno.test("applyPathRules() adds INP001 outside packages except beside the configuration, directly in src, in scripts and when ignored per file", () => {
  const inp = (over: Partial<PathRuleInput>) =>
    codes(
      applyPathRules(
        [],
        input({ packageRoot: undefined, settings: { lint: { select: ["INP"] } }, ...over }),
      ),
    );
  assert.deepEqual(inp({ rel: "scripts/tool.py" }), ["INP001"]);
  assert.deepEqual(inp({ rel: "tool.py" }), []);
  assert.deepEqual(inp({ rel: "src/manage.py" }), []);
  assert.deepEqual(inp({ rel: "scripts/tool.pyi" }), []);
  assert.deepEqual(inp({ rel: "scripts/tool.py", text: "#!/usr/bin/env python\n" }), []);
  assert.deepEqual(
    inp({ rel: "scripts/tool.py", text: "# /// script\n# dependencies = []\n# ///\n" }),
    [],
  );
  assert.deepEqual(
    inp({
      rel: "scripts/tool.py",
      perFileIgnores: [{ pattern: "scripts/*", selectors: ["INP"], baseDir: "" }],
    }),
    [],
  );
  assert.deepEqual(inp({ rel: "sub/tool.py", projectRoot: "sub" }), []);
});

Deno.test("applyPathRules() adds N999 for a module name that is not lower case, allowing digits first in migrations", () => {
  const n = (rel: string, packageRoot: string | undefined) =>
    codes(applyPathRules([], input({ rel, packageRoot, settings: { lint: { select: ["N"] } } })));
  assert.deepEqual(n("pkg/Bad-Name.py", "pkg"), ["N999"]);
  assert.deepEqual(n("pkg/good_name.py", "pkg"), []);
  assert.deepEqual(n("pkg/migrations/0001_initial.py", "pkg"), []);
  assert.deepEqual(n("pkg/0001_initial.py", "pkg"), ["N999"]);
  assert.deepEqual(n("scripts/Bad-Name.py", undefined), []);
  assert.deepEqual(n("Pkg/__init__.py", "Pkg"), ["N999"]);
});

Deno.test("applyPathRules() adds EXE001 and EXE002 from the executable bit, and nothing when it is unknown", () => {
  const exe = (text: string, executable: boolean | undefined) =>
    codes(applyPathRules([], input({ text, executable, settings: { lint: { select: ["EXE"] } } })));
  assert.deepEqual(exe("#!/usr/bin/env python\n", false), ["EXE001"]);
  assert.deepEqual(exe("x = 1\n", true), ["EXE002"]);
  assert.deepEqual(exe("#!/usr/bin/env python\n", true), []);
  assert.deepEqual(exe("x = 1\n", undefined), []);
});
