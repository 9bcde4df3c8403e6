import { assert, assertEquals } from "../../assert.ts";
import { cutText, fitRecords, formatBudget, utf8Length } from "../../../src/output/budget.ts";

Deno.test("utf8Length() counts UTF-8 bytes like TextEncoder", () => {
  for (
    const s of ["", "abc", "é", "€", "😀", "a\u0000b", "\uD800", "x\uDC00y", "mixed é€😀 text\n"]
  ) {
    assertEquals(utf8Length(s), new TextEncoder().encode(s).length, JSON.stringify(s));
  }
});

Deno.test("fitRecords() takes records while they fit, at least one, and says when all were taken", () => {
  const size = (r: string) => r.length;
  const table: [string[], number, number, { end: number; usedBytes: number; complete: boolean }][] =
    [
      [["aa", "bb", "cc"], 0, 6, { end: 3, usedBytes: 6, complete: true }], // exactly at the budget
      [["aa", "bb", "cc"], 0, 5, { end: 2, usedBytes: 4, complete: false }], // just under
      [["aa", "bb", "cc"], 0, 7, { end: 3, usedBytes: 6, complete: true }], // over
      [["aaaaaaaa", "bb"], 0, 5, { end: 1, usedBytes: 8, complete: false }], // one oversized record still advances
      [["aa", "bb", "cc"], 2, 1, { end: 3, usedBytes: 2, complete: true }],
      [["aa"], 1, 10, { end: 1, usedBytes: 0, complete: true }], // nothing left
      [[], 0, 10, { end: 0, usedBytes: 0, complete: true }],
    ];
  for (const [records, start, budget, expected] of table) {
    assertEquals(
      fitRecords(records, start, budget, size),
      expected,
      `${records} from ${start} in ${budget}`,
    );
  }
});

Deno.test("fitRecords() pages a 10,000-entry list so that every entry comes exactly once", () => {
  const records = Array.from({ length: 10_000 }, (_, i) => `entry-${i}`);
  const seen: string[] = [];
  let start = 0;
  let pages = 0;
  while (start < records.length) {
    const r = fitRecords(records, start, 4096, (x) => utf8Length(x) + 1);
    assert(r.usedBytes <= 4096);
    seen.push(...records.slice(start, r.end));
    start = r.end;
    pages++;
  }
  assertEquals(seen, records);
  assert(pages > 10);
});

Deno.test("cutText() cuts after the last whole line that fits, else at a character boundary", () => {
  const table: [string, number, string, boolean][] = [
    ["ab\ncd\nef", 100, "ab\ncd\nef", false],
    ["ab\ncd\nef", 8, "ab\ncd\nef", false], // exactly at the budget
    ["ab\ncd\nef", 7, "ab\ncd\n", true], // just under
    ["ab\ncd\nef", 2, "ab", true], // no newline fits: cut inside the line
    ["€€€", 7, "€€", true], // never inside a UTF-8 sequence
    ["😀😀", 5, "😀", true], // never inside a surrogate pair
    ["😀", 3, "", true],
    ["", 0, "", false],
  ];
  for (const [text, max, expected, cut] of table) {
    const r = cutText(text, max);
    assertEquals([r.text, r.cut], [expected, cut], `${JSON.stringify(text)} in ${max}`);
    assertEquals(r.bytes, utf8Length(r.text));
    assert(r.bytes <= max);
  }
});

Deno.test("cutText() keeps a one-line 2 MB text within the budget", () => {
  const line = "x".repeat(2_000_000);
  const r = cutText(line, 80_000);
  assertEquals(r.bytes, 80_000);
  assert(r.cut);
  const wide = "é".repeat(1_000_000);
  const w = cutText(wide, 80_001);
  assertEquals(w.bytes, 80_000);
});

Deno.test("formatBudget() prints decimal units", () => {
  assertEquals(formatBudget(80_000), "80 KB");
  assertEquals(formatBudget(2_000_000), "2 MB");
  assertEquals(formatBudget(512), "512 bytes");
});
