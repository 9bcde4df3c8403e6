import assert from "node:assert/strict";
import {
  appliesTo,
  GlobError,
  globToRegExp,
  joinPattern,
  type PerFileIgnore,
} from "../../../../src/linters/ruff/per_file_ignores.ts";

Deno.test("globToRegExp() follows globset's defaults, as ruff uses them", () => {
  const table: [glob: string, path: string, matches: boolean][] = [
    ["*.py", "a.py", true],
    ["*.py", "pkg/a.py", true], // `*` crosses "/" (literal_separator is off in ruff)
    ["*.py", "a.pyi", false],
    ["tests/*", "tests/a.py", true],
    ["tests/*", "tests/unit/a.py", true],
    ["tests/*", "src/tests/a.py", false],
    ["?.py", "a.py", true],
    ["?.py", "ab.py", false],
    ["**", "any/thing/at/all.py", true],
    ["**/test_*.py", "test_a.py", true],
    ["**/test_*.py", "x/y/test_a.py", true],
    ["**/test_*.py", "x/y/a_test.py", false],
    ["src/**", "src/a/b.py", true],
    ["src/**", "src", false],
    ["src/**", "other/a.py", false],
    ["a/**/b.py", "a/b.py", true],
    ["a/**/b.py", "a/x/y/b.py", true],
    ["a/**/b.py", "ab.py", false],
    ["a**b", "a/x/b", true], // "**" not between separators is two "*"
    ["{foo,bar}.py", "foo.py", true],
    ["{foo,bar}.py", "bar.py", true],
    ["{foo,bar}.py", "baz.py", false],
    ["{a,b{c,d}}.py", "bd.py", true],
    ["[abc].py", "b.py", true],
    ["[abc].py", "d.py", false],
    ["[!abc].py", "d.py", true],
    ["[!abc].py", "a.py", false],
    ["[a-c]x.py", "bx.py", true],
    ["[a-c]x.py", "dx.py", false],
    ["[]]x", "]x", true],
    ["[-a]x", "-x", true],
    ["a\\*b", "a*b", true],
    ["a\\*b", "axb", false],
    ["a.py", "aXpy", false], // "." is literal
    ["(x)+.py", "(x)+.py", true], // regex metacharacters are literal
    ["caf\u00e9_*.py", "caf\u00e9_1.py", true],
    ["a,b.py", "a,b.py", true], // "," outside braces is literal
    ["A.py", "a.py", false], // case-sensitive
  ];
  for (const [glob, path, matches] of table) {
    assert.equal(globToRegExp(glob).test(path), matches, `${glob} vs ${path}`);
  }
});

Deno.test("globToRegExp() rejects malformed globs with a GlobError naming the glob", () => {
  for (const glob of ["[abc", "{a,b", "a}", "[]", "x\\", "[z-a]"]) {
    assert.throws(
      () => globToRegExp(glob),
      (e: unknown) => e instanceof GlobError && e.message.includes(glob),
      glob,
    );
  }
});

Deno.test("joinPattern() resolves '.' and '..' lexically and keeps absolute patterns absolute", () => {
  assert.equal(joinPattern("", "tests/*"), "tests/*");
  assert.equal(joinPattern("pkg", "./tests/*"), "pkg/tests/*");
  assert.equal(joinPattern("pkg/sub", "../tests/*"), "pkg/tests/*");
  assert.equal(joinPattern("pkg", "../../x.py"), "../x.py");
  assert.equal(joinPattern("pkg", "/abs/x.py"), "/abs/x.py");
});

Deno.test("appliesTo() matches the basename anywhere or the pattern from the config's directory", () => {
  const entry = (pattern: string, baseDir = ""): PerFileIgnore => ({
    pattern,
    selectors: ["F401"],
    baseDir,
  });
  const table: [PerFileIgnore, string, boolean][] = [
    [entry("__init__.py"), "pkg/sub/__init__.py", true], // basename match at any depth
    [entry("__init__.py", "pkg"), "other/__init__.py", true], // the basename matcher ignores the base, as in ruff
    [entry("tests/*", "pkg"), "pkg/tests/test_a.py", true],
    [entry("tests/*", "pkg"), "tests/test_a.py", false],
    [entry("tests/*"), "tests/test_a.py", true],
    [entry("../shared/*.py", "pkg/sub"), "pkg/shared/x.py", true],
    [entry("../x.py", "pkg"), "x.py", true],
    [entry("../../../y/x.py", "pkg"), "y/x.py", false], // above the root: the anchored form never matches
    [entry("!tests/*"), "src/a.py", true],
    [entry("!tests/*"), "tests/a.py", false],
    [entry("!*.py"), "a.py", false],
    [entry("/abs/x.py"), "abs/x.py", false],
    [entry("tests/*"), "./tests/a.py", true],
    [entry("tests/*"), "tests\\a.py", true],
  ];
  for (const [e, path, applies] of table) {
    assert.equal(appliesTo(e, path), applies, `${e.baseDir}:${e.pattern} vs ${path}`);
  }
});
