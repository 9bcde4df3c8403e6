import { assertEquals } from "../../assert.ts";
import {
  decodeText,
  hunkHeader,
  isBinary,
  lineDiff,
  renderHunks,
  similarity,
} from "../../../src/git/diff.ts";
import { matchesFilters, safeEntryName } from "../../../src/git/changes.ts";

Deno.test("lineDiff() counts lines and names the new-side lines added or modified", () => {
  const table: Array<[string, string, string, number, number, number[]]> = [
    ["insert in the middle", "a\nb\nc\n", "a\nb\nX\nc\n", 1, 0, [3]],
    ["modify one line", "a\nb\nc\n", "a\nB\nc\n", 1, 1, [2]],
    ["delete only", "a\nb\nc\n", "a\nc\n", 0, 1, []],
    ["new file", "", "x\ny\n", 2, 0, [1, 2]],
    ["deleted file", "x\ny\n", "", 0, 2, []],
    ["no final newline, last line changed", "a\nb", "a\nc", 1, 1, [2]],
    ["CRLF line changed", "one\r\ntwo\r\n", "one\r\nTWO\r\n", 1, 1, [2]],
  ];
  for (const [name, a, b, added, removed, lines] of table) {
    const d = lineDiff(a, b, 0);
    assertEquals([d.added, d.removed, d.addedLines], [added, removed, lines], name);
  }
});

Deno.test("hunkHeader() writes an empty side as git does, naming the line before the change", () => {
  assertEquals(
    hunkHeader({ oldStart: 1, oldLines: 0, newStart: 1, newLines: 2, lines: [] }),
    "@@ -0,0 +1,2 @@",
  );
  assertEquals(
    hunkHeader({ oldStart: 3, oldLines: 0, newStart: 3, newLines: 1, lines: [] }),
    "@@ -2,0 +3,1 @@",
  );
  assertEquals(
    hunkHeader({ oldStart: 2, oldLines: 1, newStart: 2, newLines: 0, lines: [] }),
    "@@ -2,1 +1,0 @@",
  );
});

Deno.test("renderHunks() drops the CR of CRLF lines and keeps 'no newline' markers", () => {
  const d = lineDiff("a\r\nb", "a\r\nc", 1);
  assertEquals(
    renderHunks(d.hunks),
    "@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file",
  );
});

Deno.test("isBinary(), decodeText() and similarity() on the edge cases", () => {
  assertEquals(isBinary(new Uint8Array([65, 0, 66])), true);
  assertEquals(isBinary(new TextEncoder().encode("plain")), false);
  assertEquals(decodeText(new Uint8Array([0x63, 0xe9])), { text: "c\ufffd", replaced: true });
  assertEquals(decodeText(new TextEncoder().encode("café")), { text: "café", replaced: false });
  assertEquals(similarity("a\nb\nc\nd\n", "a\nb\nc\nx\n"), 0.75);
  assertEquals(similarity("a\n", "b\n"), 0);
});

Deno.test("safeEntryName() lets only one plain path component through", () => {
  const table: Array<[string, boolean]> = [
    ["src", true],
    ["a.py", true],
    [".gitignore", true],
    ["..a", true],
    ["", false],
    [".", false],
    ["..", false],
    [".git", false],
    [".GIT", false],
    ["../outside", false],
    ["/abs", false],
    ["a/b", false],
    ["a\\b", false],
    ["a\0b", false],
  ];
  for (const [name, ok] of table) assertEquals(safeEntryName(name), ok, JSON.stringify(name));
});

Deno.test("matchesFilters() matches files and folders by whole components", () => {
  assertEquals(matchesFilters("src/a.py", ["src"]), true);
  assertEquals(matchesFilters("src2/a.py", ["src"]), false);
  assertEquals(matchesFilters("src/a.py", ["src/a.py"]), true);
  assertEquals(matchesFilters("anything", [""]), true);
  assertEquals(matchesFilters("anything", undefined), true);
});
