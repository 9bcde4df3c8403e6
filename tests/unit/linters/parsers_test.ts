/**
 * The output parsers, on outputs recorded from the real tools (tests/fixtures/linters)
 * and on hostile or broken outputs written here.
 */
import * as path from "node:path";
import { assert, assertEquals, assertMatch } from "../../assert.ts";
import {
  type OutputParser,
  parseDenoLint,
  parseFlake8,
  parsePylint,
  parseRuff,
  parseShellcheck,
  pythonCodeSeverity,
} from "../../../src/linters/parsers.ts";
import type { Diagnostic, ParseResult } from "../../../src/linters/types.ts";

const FIXTURES = path.join(import.meta.dirname!, "../../fixtures/linters");
const recorded = JSON.parse(Deno.readTextFileSync(path.join(FIXTURES, "recorded.json"))) as {
  codes: Record<string, number>;
};

function fixture(name: string): { text: string; code: number } {
  const code = recorded.codes[name];
  if (code === undefined) throw new Error(`no recorded exit code for ${name}`);
  return { text: Deno.readTextFileSync(path.join(FIXTURES, name)), code };
}

/** The findings without their documentation links (checked on their own below). */
function diagnosticsOf(r: ParseResult): Diagnostic[] {
  if (!r.ok) throw new Error(`expected diagnostics, got failure: ${r.reason}`);
  return r.value.map(({ url: _url, ...d }) => d);
}

function urlsOf(r: ParseResult): (string | undefined)[] {
  if (!r.ok) throw new Error(`expected diagnostics, got failure: ${r.reason}`);
  return r.value.map((d) => d.url);
}

function errorOf(r: ParseResult): string {
  if (r.ok) throw new Error(`expected a failure, got ${r.value.length} diagnostics`);
  return r.reason;
}

function find(ds: Diagnostic[], code: string, line?: number): Diagnostic {
  const d = ds.find((x) => x.code === code && (line === undefined || x.line === line));
  if (!d) {
    throw new Error(
      `no ${code}${line ? ` on line ${line}` : ""} in ${JSON.stringify(ds.map((x) => x.code))}`,
    );
  }
  return d;
}

const PARSERS: Record<string, OutputParser> = {
  flake8: parseFlake8,
  pylint: parsePylint,
  shellcheck: parseShellcheck,
  deno_lint: parseDenoLint,
  ruff: parseRuff,
};
const EXT: Record<string, string> = {
  flake8: "txt",
  pylint: "json",
  shellcheck: "json",
  deno_lint: "json",
  ruff: "json",
};

for (const [tool, parse] of Object.entries(PARSERS)) {
  Deno.test(`${tool} parser reports no findings for a clean file`, () => {
    const f = fixture(`${tool}_clean.${EXT[tool]}`);
    assertEquals(diagnosticsOf(parse(f.text, "", f.code, "src/clean")), []);
  });

  Deno.test(`${tool} parser names the requested relative path, never the absolute one the tool printed`, () => {
    for (const kind of ["dirty", "syntax"]) {
      const f = fixture(`${tool}_${kind}.${EXT[tool]}`);
      const ds = diagnosticsOf(parse(f.text, "", f.code, "pkg/my file.x"));
      assert(ds.length > 0, `${kind}: no diagnostics`);
      for (const d of ds) {
        assertEquals(d.file, "pkg/my file.x");
        assert(Number.isInteger(d.line) && d.line >= 1, `line ${d.line}`);
        assert(Number.isInteger(d.column) && d.column >= 1, `column ${d.column}`);
        assert(d.message.length > 0 && d.code.length > 0);
        assert(["error", "warning", "info"].includes(d.severity));
      }
    }
  });

  Deno.test(`${tool} parser reports a syntax error as an error`, () => {
    const f = fixture(`${tool}_syntax.${EXT[tool]}`);
    const ds = diagnosticsOf(parse(f.text, "", f.code, "x"));
    assert(ds.some((d) => d.severity === "error"), JSON.stringify(ds));
  });

  Deno.test(`${tool} parser turns a killed process into a failure, not an exception`, () => {
    assertMatch(errorOf(parse("", "", null, "x")), /killed by a signal/);
  });

  Deno.test(`${tool} parser never throws on garbage`, () => {
    const garbage = [
      "",
      "{",
      "null",
      "[1,2]",
      '{"comments":[null]}',
      '[{"line":"1"}]',
      "\u0000\uffff",
      "x".repeat(10_000),
    ];
    for (const g of garbage) {
      for (const code of [0, 1, 2, 4, 32, 127, null]) {
        const r = parse(g, "Traceback (most recent call last):\nValueError: boom", code, "x");
        assert(typeof r.ok === "boolean");
      }
    }
  });
}

Deno.test("flake8 parser keeps colons inside messages", () => {
  const ds = diagnosticsOf(
    parseFlake8("3:5:F841:local variable 'a:b' is: assigned: to\n", "", 1, "a.py"),
  );
  assertEquals(ds, [{
    file: "a.py",
    line: 3,
    column: 5,
    code: "F841",
    severity: "warning",
    message: "local variable 'a:b' is: assigned: to",
  }]);
});

Deno.test("flake8 parser reads the recorded run: positions, codes and severities", () => {
  const f = fixture("flake8_dirty.txt");
  const ds = diagnosticsOf(parseFlake8(f.text, "", f.code, "dirty.py"));
  assertEquals(ds.length, 18);
  assertEquals(find(ds, "E501"), {
    file: "dirty.py",
    line: 9,
    column: 80,
    code: "E501",
    severity: "warning",
    message: "line too long (106 > 79 characters)",
  });
  assertEquals(find(ds, "F821").severity, "error");
  assertEquals(find(ds, "F821").message, "undefined name 'undefined_name'");
  assertEquals(find(ds, "E702").line, 8);
});

Deno.test("flake8 parser keeps a message's extra line with its finding", () => {
  const ds = diagnosticsOf(
    parseFlake8(
      "1:1:E999:SyntaxError: bad\n    here\n2:1:W291:trailing whitespace\n",
      "",
      1,
      "a.py",
    ),
  );
  assertEquals(ds.map((d) => d.message), ["SyntaxError: bad\n    here", "trailing whitespace"]);
});

Deno.test("flake8 parser clamps line 0 (E902 on an unreadable file) to line 1", () => {
  const ds = diagnosticsOf(parseFlake8("0:1:E902:FileNotFoundError: [Errno 2] x\n", "", 1, "a.py"));
  assertEquals(ds[0]!.line, 1);
});

Deno.test("flake8 parser treats a usage error as a failure naming the bad flag", () => {
  const stderr =
    "usage: flake8 [options] file file ...\nflake8: error: unrecognized arguments: --bogus\n";
  const e = errorOf(parseFlake8("", stderr, 2, "a.py"));
  assertMatch(e, /^flake8 exited with code 2: usage: flake8/);
  assertMatch(e, /unrecognized arguments: --bogus/);
});

Deno.test("flake8 parser treats exit 1 with a traceback and no findings as a failure", () => {
  const stderr =
    'Traceback (most recent call last):\n  File "/usr/bin/flake8", line 33\nconfigparser.DuplicateSectionError: x\n';
  const e = errorOf(parseFlake8("", stderr, 1, "a.py"));
  assertMatch(e, /Traceback \(most recent call last\): … configparser\.DuplicateSectionError: x/);
});

Deno.test("flake8 parser refuses output that is not in its format", () => {
  assertMatch(
    errorOf(parseFlake8("/abs/a.py:1:1: F401 'os' imported\n", "", 1, "a.py")),
    /not a finding/,
  );
});

Deno.test("pylint parser converts 0-based columns and keeps the symbol", () => {
  const f = fixture("pylint_dirty.json");
  const ds = diagnosticsOf(parsePylint(f.text, "", f.code, "dirty.py"));
  assertEquals(ds.length, 20);
  assertEquals(find(ds, "E0602"), {
    file: "dirty.py",
    line: 4,
    column: 12,
    end_line: 4,
    end_column: 26,
    code: "E0602",
    severity: "error",
    message: "Undefined variable 'undefined_name' (undefined-variable)",
  });
  const long = find(ds, "C0301");
  assertEquals([long.line, long.column, long.end_line, long.severity], [9, 1, undefined, "info"]);
  assertEquals(find(ds, "W0102").severity, "warning");
  assertEquals(find(ds, "R0903").severity, "info");
});

Deno.test("pylint parser reads every exit status made of message bits 1-16", () => {
  const one =
    '[{"type":"fatal","line":1,"column":0,"message-id":"F0001","message":"No module named x","symbol":"fatal"}]';
  for (const code of [1, 2, 4, 8, 16, 31]) {
    assertEquals(diagnosticsOf(parsePylint(one, "", code, "a.py")).length, 1);
  }
  assertEquals(diagnosticsOf(parsePylint(one, "", 1, "a.py"))[0]!.severity, "error");
});

Deno.test("pylint parser treats the usage-error bit (32) as a failure", () => {
  const stderr = "usage: pylint [options]\npylint: error: Unrecognized option found: bogus\n";
  assertMatch(
    errorOf(parsePylint("", stderr, 32, "a.py")),
    /pylint exited with code 32: usage: pylint \[options\] … .*bogus/,
  );
  assertMatch(errorOf(parsePylint("[]", "", 32 | 4, "a.py")), /code 36/);
});

Deno.test("pylint parser treats non-JSON output as a failure with the first line of stderr", () => {
  const e = errorOf(
    parsePylint(
      "************* Module x\n",
      "Traceback (most recent call last):\nKeyError: 1\n",
      1,
      "a.py",
    ),
  );
  assertMatch(e, /not a JSON array/);
  assertMatch(e, /Traceback/);
});

Deno.test("pylint parser treats a findings exit status with an empty list as a failure", () => {
  assertMatch(errorOf(parsePylint("[]", "", 4, "a.py")), /none were printed/);
});

Deno.test("shellcheck parser maps levels and prefixes codes with SC", () => {
  const f = fixture("shellcheck_dirty.json");
  const ds = diagnosticsOf(parseShellcheck(f.text, "", f.code, "dirty.sh"));
  assertEquals(ds.length, 12);
  assertEquals(find(ds, "SC2086", 3), {
    file: "dirty.sh",
    line: 3,
    column: 7,
    end_line: 3,
    end_column: 9,
    code: "SC2086",
    severity: "info",
    message: "Double quote to prevent globbing and word splitting.",
  });
  assertEquals(find(ds, "SC2164").severity, "warning");
  assertEquals(find(ds, "SC2006").severity, "info");
  const f2 = fixture("shellcheck_syntax.json");
  assertEquals(
    find(diagnosticsOf(parseShellcheck(f2.text, "", f2.code, "s.sh")), "SC1073").severity,
    "error",
  );
});

Deno.test("shellcheck parser treats exit 2 (file not processed) as a failure with stderr", () => {
  const e = errorOf(
    parseShellcheck(
      '{"comments":[]}',
      "/p/x.sh: /p/x.sh: openBinaryFile: does not exist (No such file or directory)\n",
      2,
      "x.sh",
    ),
  );
  assertMatch(e, /shellcheck exited with code 2: .*does not exist/);
});

Deno.test("shellcheck parser treats bad options (exit 3 and 4) as failures", () => {
  assertMatch(
    errorOf(parseShellcheck("", "unrecognized option `--bogus'\n\nUsage: shellcheck", 3, "x.sh")),
    /--bogus/,
  );
  assertMatch(errorOf(parseShellcheck("", "", 4, "x.sh")), /code 4 and printed nothing/);
});

Deno.test("deno lint parser converts 0-based columns and offers the hint as a fix", () => {
  const f = fixture("deno_lint_dirty.json");
  const ds = diagnosticsOf(parseDenoLint(f.text, "", f.code, "dirty.ts"));
  assertEquals(ds.length, 5);
  assertEquals(ds[0], {
    file: "dirty.ts",
    line: 1,
    column: 7,
    end_line: 1,
    end_column: 13,
    code: "no-unused-vars",
    severity: "warning",
    message: "`unused` is never used",
    fix: "If this is intentional, prefix it with an underscore like `_unused`",
  });
  // After "é😀" the column counts characters, not UTF-8 bytes.
  assertEquals(find(ds, "no-unused-vars", 4).column, 30);
});

Deno.test("deno lint parser turns a file deno cannot parse into a syntax-error at its position", () => {
  const f = fixture("deno_lint_syntax.json");
  const ds = diagnosticsOf(parseDenoLint(f.text, "", f.code, "syntax.ts"));
  assertEquals(ds, [{
    file: "syntax.ts",
    line: 1,
    column: 7,
    code: "syntax-error",
    severity: "error",
    message: "SyntaxError: Unexpected token `=`. Expected yield, an identifier, [ or {",
  }]);
});

Deno.test("deno lint parser treats 'No target files found' (no JSON, exit 1) as a failure without ANSI codes", () => {
  const e = errorOf(
    parseDenoLint(
      "",
      "\u001b[0m\u001b[1m\u001b[31merror\u001b[0m: No target files found.\n",
      1,
      "x.ts",
    ),
  );
  assertEquals(
    e,
    "deno lint exited with code 1 (output is not deno lint's JSON format): error: No target files found.",
  );
});

Deno.test("ruff parser reads documented JSON: positions, fix message, severities", () => {
  const f = fixture("ruff_dirty.json");
  const ds = diagnosticsOf(parseRuff(f.text, "", f.code, "dirty.py"));
  assertEquals(ds.length, 5);
  assertEquals(find(ds, "F401"), {
    file: "dirty.py",
    line: 1,
    column: 8,
    end_line: 1,
    end_column: 10,
    code: "F401",
    severity: "warning",
    message: "`os` imported but unused",
    fix: "Remove unused import: `os`",
  });
  assertEquals(find(ds, "F821").severity, "error");
  assertEquals(find(ds, "F821").fix, undefined);
});

Deno.test("ruff parser names a null-code syntax error 'syntax-error', and E999 is an error too", () => {
  const f = fixture("ruff_syntax.json");
  const d = diagnosticsOf(parseRuff(f.text, "", f.code, "s.py"))[0]!;
  assertEquals([d.code, d.severity, d.line, d.column], ["syntax-error", "error", 1, 7]);
  const old =
    '[{"code":"E999","location":{"row":2,"column":1},"end_location":{"row":2,"column":2},"message":"SyntaxError: x","fix":null}]';
  assertEquals(diagnosticsOf(parseRuff(old, "", 1, "s.py"))[0]!.severity, "error");
});

Deno.test("ruff parser treats exit 2 (abnormal termination) as a failure", () => {
  const e = errorOf(
    parseRuff("", "ruff failed\n  Cause: Failed to parse /p/pyproject.toml\n", 2, "a.py"),
  );
  assertMatch(e, /^ruff exited with code 2: ruff failed … Cause: Failed to parse/);
});

Deno.test("failure reasons are short even when stderr is huge", () => {
  const e = errorOf(parseFlake8("", "x".repeat(100_000), 3, "a.py"));
  assert(e.length < 400, `reason is ${e.length} characters`);
});

Deno.test("parsers keep odd characters in messages as they are", () => {
  const msg = "name 'ü\t$(id)`x`;|&<>\"' is: undefined";
  assertEquals(diagnosticsOf(parseFlake8(`1:1:F821:${msg}\n`, "", 1, "a.py"))[0]!.message, msg);
  const sc = JSON.stringify({
    comments: [{ line: 1, column: 1, level: "error", code: 1000, message: msg }],
  });
  assertEquals(diagnosticsOf(parseShellcheck(sc, "", 1, "a.sh"))[0]!.message, msg);
});

Deno.test("pythonCodeSeverity(): syntax, undefined names and broken comparisons are errors; complexity is info", () => {
  const table: [string, string][] = [
    ["E999", "error"],
    ["E902", "error"],
    ["F821", "error"],
    ["F632", "error"],
    ["F701", "error"],
    ["PLE0101", "error"],
    ["E501", "warning"],
    ["W291", "warning"],
    ["F401", "warning"],
    ["B006", "warning"],
    ["S101", "warning"],
    ["C901", "info"],
    ["N802", "info"],
    ["D100", "info"],
    ["SIM102", "info"],
    ["UP032", "info"],
  ];
  for (const [code, severity] of table) assertEquals(pythonCodeSeverity(code), severity, code);
});

Deno.test("every parser links a finding to its rule's documentation", () => {
  assertEquals(
    urlsOf(
      parseFlake8("1:1:F401:'os' imported but unused\n2:80:E501:line too long\n", "", 1, "a.py"),
    ),
    [
      "https://flake8.pycqa.org/en/latest/user/error-codes.html",
      "https://pycodestyle.pycqa.org/en/latest/intro.html#error-codes",
    ],
  );
  const pylint = JSON.stringify([{
    type: "warning",
    line: 1,
    column: 0,
    "message-id": "W0611",
    symbol: "unused-import",
    message: "Unused import os",
  }]);
  assertEquals(urlsOf(parsePylint(pylint, "", 4, "a.py")), [
    "https://pylint.readthedocs.io/en/stable/user_guide/messages/warning/unused-import.html",
  ]);
  const sc = JSON.stringify({
    comments: [{ line: 1, column: 6, level: "info", code: 2086, message: "Double quote" }],
  });
  assertEquals(urlsOf(parseShellcheck(sc, "", 1, "a.sh")), [
    "https://www.shellcheck.net/wiki/SC2086",
  ]);
  const ruff = JSON.stringify([
    {
      code: "F401",
      message: "unused",
      location: { row: 1, column: 8 },
      end_location: { row: 1, column: 10 },
      url: "https://docs.astral.sh/ruff/rules/unused-import",
    },
    {
      code: "S608",
      message: "sql",
      location: { row: 2, column: 1 },
      end_location: { row: 2, column: 9 },
    },
  ]);
  assertEquals(urlsOf(parseRuff(ruff, "", 1, "a.py")), [
    "https://docs.astral.sh/ruff/rules/unused-import",
    "https://docs.astral.sh/ruff/rules/?q=S608",
  ]);
});
