import { assert, assertEquals } from "../../assert.ts";
import {
  describeSkips,
  globMatcher,
  hasMinifiedLine,
  IgnoreRules,
  isBinaryName,
  isGlob,
  isMinifiedName,
  isSkippedDir,
  looksBinary,
  MINIFIED_LINE_CHARS,
  symlinkDecision,
  walkedText,
} from "../../../src/policy/walk.ts";

Deno.test("IgnoreRules: negations, nested files, folder patterns and precedence, as git decides", () => {
  const rules = IgnoreRules.empty()
    .with("", "*.log\n!keep.log\nbuild-out/\n/top-only.txt\n")
    .with("pkg/", "secret.py\n!important.log\n")
    .with("pkg/deep/", "!secret.py\n");
  const table: [string, boolean, boolean][] = [
    ["debug.log", false, true],
    ["keep.log", false, false],
    ["a/b/debug.log", false, true],
    ["a/b/keep.log", false, false],
    ["build-out", true, true],
    ["build-out", false, false], // "build-out/" matches folders only
    ["x/build-out", true, true],
    ["top-only.txt", false, true],
    ["sub/top-only.txt", false, false], // anchored to its .gitignore's folder
    ["pkg/secret.py", false, true],
    ["secret.py", false, false], // the nested rule does not reach above its folder
    ["other/secret.py", false, false],
    ["pkg/important.log", false, false], // a deeper negation wins over the root's *.log
    ["pkg/other.log", false, true],
    ["pkg/deep/secret.py", false, false], // re-included deeper still
    ["pkg/app.py", false, false],
  ];
  for (const [rel, isDir, expected] of table) {
    assertEquals(rules.ignores(rel, isDir), expected, `${rel} (dir: ${isDir})`);
  }
});

Deno.test("IgnoreRules: no rules ignore nothing; comments and blank lines are no patterns", () => {
  assertEquals(IgnoreRules.empty().ignores("a.py", false), false);
  const r = IgnoreRules.empty().with("", "# *.py\n\n  \n");
  assertEquals(r.ignores("a.py", false), false);
});

Deno.test("vendored and generated folders are skipped by name, wherever they are", () => {
  for (
    const n of [
      "node_modules",
      ".venv",
      "venv",
      "dist",
      "build",
      "__pycache__",
      ".tox",
      ".git",
      "pkg.egg-info",
    ]
  ) {
    assert(isSkippedDir(n), n);
  }
  for (const n of ["src", "lib", "builds", "distribution", "venv2"]) assert(!isSkippedDir(n), n);
});

Deno.test("binary files by name and by a NUL byte; minified files by name and by a very long line", () => {
  for (const n of ["a.png", "x/y.PYC", "lib.so", "font.woff2", "data.sqlite"]) {
    assert(isBinaryName(n), n);
  }
  for (const n of ["a.py", "Makefile", ".bashrc", "x.min.js.map.txt"]) assert(!isBinaryName(n), n);
  assert(looksBinary(new Uint8Array([0x89, 0x50, 0, 1])));
  assert(!looksBinary(new TextEncoder().encode("plain text\n")));
  for (const n of ["app.min.js", "style.min.css", "x.MIN.JS"]) assert(isMinifiedName(n), n);
  assert(!isMinifiedName("admin.js"));
  assert(!hasMinifiedLine("a = 1\n".repeat(10_000)));
  assert(hasMinifiedLine("ok\n" + "x".repeat(MINIFIED_LINE_CHARS + 1) + "\nok\n"));
  assert(!hasMinifiedLine("x".repeat(MINIFIED_LINE_CHARS)));
});

Deno.test("symlinks: leading out skipped, folders not followed, files inside visited", () => {
  assertEquals(symlinkDecision(false, false), "symlink-outside");
  assertEquals(symlinkDecision(false, true), "symlink-outside");
  assertEquals(symlinkDecision(true, true), "symlink-directory");
  assertEquals(symlinkDecision(true, false), "visit");
});

Deno.test("globs: without a slash they match names at any depth; with one, the path from the root", () => {
  const table: [string, string, boolean][] = [
    ["*.py", "a.py", true],
    ["*.py", "src/deep/a.py", true],
    ["*.py", "a.pyc", false],
    ["src/*.py", "src/a.py", true],
    ["src/*.py", "src/x/a.py", false],
    ["src/**/*.py", "src/x/y/a.py", true],
    ["./src/**/*.py", "src/x/a.py", true],
    ["**/*.sh", "scripts/run.sh", true],
    ["*.{ts,js}", "web/a.js", true],
    [".github/**", ".github/workflows/ci.yml", true],
  ];
  for (const [glob, rel, expected] of table) {
    assertEquals(globMatcher(glob)(rel), expected, `${glob} ~ ${rel}`);
  }
  assert(isGlob("src/*.py") && isGlob("a?.py") && isGlob("{a,b}.py"));
  assert(!isGlob("src/app.py") && !isGlob("."));
});

Deno.test("describeSkips() names every reason with its count, in a fixed order", () => {
  assertEquals(describeSkips({}), "");
  assertEquals(describeSkips({ binary: 2, ignored: 3 }), "3 ignored by .gitignore, 2 binary");
});

Deno.test("walkedText(): the text, or binary, not-text or minified", () => {
  const enc = new TextEncoder();
  assertEquals(walkedText(enc.encode("a = 1\n")), "a = 1\n");
  assertEquals(walkedText(new Uint8Array([0x61, 0, 0x62])), { skip: "binary" });
  assertEquals(walkedText(new Uint8Array([0x61, 0xff, 0x62])), { skip: "not-text" });
  assertEquals(walkedText(enc.encode("x".repeat(MINIFIED_LINE_CHARS + 1))), { skip: "minified" });
});
