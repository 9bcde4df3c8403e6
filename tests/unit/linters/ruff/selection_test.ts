import assert from "node:assert/strict";
import {
  defaultSelection,
  isExcluded,
  isIncluded,
  matchesAny,
} from "../../../../src/linters/ruff/selection.ts";

Deno.test("matchesAny() matches a pattern without '/' by name anywhere, and one with '/' anchored at its configuration's folder", () => {
  const table: [string, string, string, boolean][] = [
    ["docs", "", "docs", true],
    ["docs", "", "pkg/docs", true],
    ["src/pkg/_vendor", "", "src/pkg/_vendor", true],
    ["src/pkg/_vendor", "", "other/src/pkg/_vendor", false],
    ["_vendor", "src/pkg", "src/pkg/_vendor", true],
    ["gen/*.py", "tools", "tools/gen/out.py", true],
    ["gen/*.py", "tools", "gen/out.py", false],
    ["*_pb2.py", "", "proto/msg_pb2.py", true],
    ["../outside", "sub", "outside", true], // sub/../outside
    ["../../outside", "sub", "outside", false], // above the root: never
  ];
  for (const [pattern, baseDir, rel, want] of table) {
    assert.equal(matchesAny([{ pattern, baseDir }], rel), want, `${baseDir}:${pattern} vs ${rel}`);
  }
});

Deno.test("matchesAny() never matches with an invalid glob", () => {
  assert.equal(matchesAny([{ pattern: "[", baseDir: "" }], "["), false);
});

Deno.test("defaultSelection() excludes ruff's default folders by name and includes Python sources", () => {
  const sel = defaultSelection();
  assert.equal(isExcluded(sel, "pkg/.venv"), true);
  assert.equal(isExcluded(sel, "node_modules"), true);
  assert.equal(isExcluded(sel, "build"), false); // not among ruff's defaults
  assert.equal(isIncluded(sel, "a/b.py"), true);
  assert.equal(isIncluded(sel, "a/b.pyi"), true);
  assert.equal(isIncluded(sel, "a/b.pyw"), false);
  assert.deepEqual(defaultSelection("sub").src, ["sub", "sub/src"]);
});
