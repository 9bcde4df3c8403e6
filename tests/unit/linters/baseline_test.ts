import { assertEquals } from "../../assert.ts";
import {
  mapLines,
  type MatchableFinding,
  matchFindings,
  normalizeLine,
  tagAddedFile,
  tagByTouchedLines,
} from "../../../src/linters/baseline.ts";

const f = (code: string, line: number, end_line?: number, column = 1): MatchableFinding => ({
  code,
  line,
  column,
  ...(end_line !== undefined ? { end_line } : {}),
});

const tags = (r: { finding: MatchableFinding; tag: string; basis: string }[]) =>
  r.map((x) => [x.finding.code, x.finding.line, x.tag, x.basis]);

Deno.test("mapLines() maps unchanged lines through the diff and lists added lines", () => {
  const m = mapLines("a\nb\nc\n", "a\nx\nb\nc\n");
  assertEquals(m.oldToNew.slice(1), [1, 3, 4]);
  assertEquals(m.added, [2]);
  assertEquals(m.touched, [2]);
  assertEquals(m.gaveUp, false);
});

Deno.test("mapLines() does not count a moved line as touched", () => {
  const m = mapLines("def f():\n    return 1\nx = 2\n", "x = 2\ndef f():\n    return 1\n");
  // Whichever side the diff keeps, the other lines reappear elsewhere: moved, not touched.
  assertEquals(m.touched, []);
});

Deno.test("normalizeLine() ignores indentation and inner whitespace runs", () => {
  assertEquals(normalizeLine("    x  =\t1  "), "x = 1");
  assertEquals(normalizeLine("x = 1"), "x = 1");
});

Deno.test("a multi-line finding whose range includes an added line is new, though the base had it", () => {
  const base = "import b\nimport a\nimport c\n\nprint(a, b, c)\n";
  const now = "import b\nimport a\nimport subprocess\nimport c\n\nprint(a, b, c, subprocess)\n";
  const r = matchFindings({
    baseText: base,
    baseFindings: [f("I001", 1, 3)],
    newText: now,
    newFindings: [f("I001", 1, 4)],
  });
  assertEquals(tags(r), [["I001", 1, "new", "changed"]]);
});

Deno.test("a multi-line finding on untouched lines that the base had too stays existing", () => {
  const base = "import b\nimport a\n\nprint(a, b)\n";
  const now = "import b\nimport a\n\nprint(a, b)\nprint(1)\n";
  const r = matchFindings({
    baseText: base,
    baseFindings: [f("I001", 1, 2)],
    newText: now,
    newFindings: [f("I001", 1, 2)],
  });
  assertEquals(tags(r), [["I001", 1, "existing", "base-line"]]);
});

Deno.test("an unused import caused by deleting its last use is new on its untouched line", () => {
  const base = "import os\n\n\ndef main():\n    return os.getcwd()\n";
  const now = "import os\n\n\ndef main():\n    return 1\n";
  const r = matchFindings({
    baseText: base,
    baseFindings: [],
    newText: now,
    newFindings: [f("F401", 1, 1, 8)],
  });
  assertEquals(tags(r), [["F401", 1, "new", "not-in-base"]]);
});

Deno.test("a finding in a function moved down by 100 lines stays existing", () => {
  const fn = "def moved():\n    unused = 1\n    return 2\n";
  const filler = Array.from({ length: 100 }, (_, i) => `v${i} = ${i}\n`).join("");
  const base = "import os\n" + fn + filler;
  const now = "import os\n" + filler + fn;
  const r = matchFindings({
    baseText: base,
    baseFindings: [f("F401", 1), f("F841", 3, 3, 5)],
    newText: now,
    newFindings: [f("F401", 1), f("F841", 103, 103, 5)],
  });
  assertEquals(tags(r), [["F401", 1, "existing", "base-line"], [
    "F841",
    103,
    "existing",
    "moved",
  ]]);
});

Deno.test("a finding shifted down by 100 inserted lines stays existing through the line map", () => {
  const filler = Array.from({ length: 100 }, (_, i) => `v${i} = ${i}\n`).join("");
  const base = "import os\nx = 1 \n";
  const now = "import os\n" + filler + "x = 1 \n";
  const r = matchFindings({
    baseText: base,
    baseFindings: [f("W291", 2, 2, 6)],
    newText: now,
    newFindings: [f("W291", 102, 102, 6)],
  });
  assertEquals(tags(r), [["W291", 102, "existing", "base-line"]]);
});

Deno.test("a renamed file's old findings stay existing and an edit in it is new", () => {
  const base = "import os\nimport sys\n";
  const now = "import os\nimport sys\nimport re\n";
  const r = matchFindings({
    baseText: base,
    baseFindings: [f("F401", 1), f("F401", 2)],
    newText: now,
    newFindings: [f("F401", 1), f("F401", 2), f("F401", 3)],
  });
  assertEquals(tags(r), [
    ["F401", 1, "existing", "base-line"],
    ["F401", 2, "existing", "base-line"],
    ["F401", 3, "new", "changed"],
  ]);
});

Deno.test("an added file's findings are all new", () => {
  assertEquals(tags(tagAddedFile([f("F401", 1), f("E501", 9)])), [
    ["F401", 1, "new", "added-file"],
    ["E501", 9, "new", "added-file"],
  ]);
});

Deno.test("each base finding matches one current finding: a third copy on a moved line is new", () => {
  // Two `import os` lines with F811/F401 in the base; the change moves them and adds a third copy.
  const base = "import os\nimport os\nx = 1\n";
  const now = "x = 1\nimport os\nimport os\nimport os\n";
  const r = matchFindings({
    baseText: base,
    baseFindings: [f("F401", 1), f("F401", 2)],
    newText: now,
    newFindings: [f("F401", 2), f("F401", 3), f("F401", 4)],
  });
  assertEquals(r.filter((x) => x.tag === "existing").length, 2);
  assertEquals(r.filter((x) => x.tag === "new").length, 1);
});

Deno.test("a finding whose code changed on an untouched line is new", () => {
  const r = matchFindings({
    baseText: "a = 1\n",
    baseFindings: [f("E501", 1)],
    newText: "a = 1\n",
    newFindings: [f("W291", 1)],
  });
  assertEquals(tags(r), [["W291", 1, "new", "not-in-base"]]);
});

Deno.test("tagByTouchedLines() is the fallback: touched lines new, the rest existing", () => {
  const r = tagByTouchedLines([f("SC2086", 2), f("SC2086", 3), f("SC1000", 1, 4)], [4]);
  assertEquals(tags(r), [
    ["SC2086", 2, "existing", "unchanged-lines"],
    ["SC2086", 3, "existing", "unchanged-lines"],
    ["SC1000", 1, "new", "changed"],
  ]);
});
