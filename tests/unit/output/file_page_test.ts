import { assert, assertEquals, assertMatch } from "../../assert.ts";
import { renderFilePage, sliceLines } from "../../../src/output/file_page.ts";
import { utf8Length } from "../../../src/output/budget.ts";

const page = (
  text: string,
  firstLine: number,
  totalLines: number,
  budgetBytes: number,
  extra = {},
) =>
  renderFilePage({
    label: "a.py",
    text,
    firstLine,
    totalLines,
    lineNumbers: true,
    budgetBytes,
    continueWith: (n) => `start_line=${n}`,
    ...extra,
  });

Deno.test("renderFilePage() at, under and over the budget", () => {
  const lines = Array.from({ length: 500 }, (_, i) => `line ${i + 1} ${"x".repeat(30)}\n`).join("");
  const whole = page(lines, 1, 500, 100_000);
  assertEquals([whole.firstShown, whole.lastShown, whole.nextLine], [1, 500, undefined]);
  assertMatch(whole.text, /^\[a\.py: lines 1-500 of 500\]\n {2}1\tline 1 /);
  for (const budget of [4096, 8000, 20_000]) {
    const p = page(lines, 1, 500, budget);
    assert(utf8Length(p.text) <= budget, `${utf8Length(p.text)} > ${budget}`);
    assertEquals(p.nextLine, p.lastShown + 1);
    assertMatch(
      p.text,
      new RegExp(
        `lines ${p.lastShown + 1}-500 not shown .*continue with start_line=${
          p.lastShown + 1
        }\\]\\n$`,
      ),
    );
  }
});

Deno.test("renderFilePage() cuts a single line longer than the budget and says so", () => {
  const p = page("é".repeat(1_000_000), 1, 1, 4096);
  assert(utf8Length(p.text) <= 4096);
  assertEquals([p.firstShown, p.lastShown, p.nextLine], [1, 1, undefined]);
  assertMatch(p.text, /Line 1 is longer than 4\.1 KB/);
});

Deno.test("renderFilePage() redacts, escapes and reports on the shown lines", () => {
  const p = page(`a = 1\nk = "${"ghp_"}${"a1B2".repeat(9)}"\nb = "\u202E"\n`, 10, 12, 80_000);
  assertMatch(p.text, /\n11\tk = "\[REDACTED github-token\]"\n12\tb = "<U\+202E>"\n/);
  assertEquals(p.redactions, [{ kind: "github-token", line: 11 }]);
  assertEquals(p.invisible.map((f) => [f.line, f.codePoint]), [[12, "U+202E"]]);
  assertMatch(
    p.text,
    /\[1 secret redacted \(github-token on line 11\); 1 invisible code point shown as <U\+XXXX> \(1 bidi\)\]\n$/,
  );
});

Deno.test("renderFilePage() names an empty file; without numbers or header it is the text itself", () => {
  assertEquals(page("", 1, 0, 4096).text, "[a.py: empty file]\n");
  const plain = renderFilePage({
    label: "a.py",
    text: "x\ny\n",
    firstLine: 1,
    totalLines: 2,
    lineNumbers: false,
    budgetBytes: 4096,
    noHeader: true,
    continueWith: () => "",
  });
  assertEquals(plain.text, "x\ny\n");
});

Deno.test("sliceLines() takes lines start..end and counts them all", () => {
  const table: [string, number, number | undefined, string, number][] = [
    ["a\nb\nc", 2, 3, "b\nc", 3],
    ["a\nb\nc\n", 1, 1, "a\n", 3],
    ["a\nb\nc\n", 3, undefined, "c\n", 3],
    ["a\nb\nc\n", 4, undefined, "", 3],
    ["", 1, undefined, "", 0],
  ];
  for (const [text, s, e, out, total] of table) {
    const r = sliceLines(text, s, e);
    assertEquals(
      { text: r.text, totalLines: r.totalLines },
      { text: out, totalLines: total },
      `${JSON.stringify(text)} ${s}-${e}`,
    );
    if (out !== "") {
      assertEquals(
        r.before + r.text,
        text.slice(0, r.before.length + r.text.length),
        "before is the text ahead of the slice",
      );
    }
  }
});
