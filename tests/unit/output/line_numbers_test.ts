import { assertEquals } from "../../assert.ts";
import { numberLines } from "../../../src/output/line_numbers.ts";

Deno.test("numberLines() right-aligns numbers, then a tab, keeping a final newline", () => {
  const table: [string, number, number | undefined, string][] = [
    ["a\nb\n", 1, undefined, "1\ta\n2\tb\n"],
    ["a\nb", 9, undefined, " 9\ta\n10\tb"],
    ["a\n", 9, 1000, "   9\ta\n"], // width from the file's length, so pages align
    ["\n\n", 1, undefined, "1\t\n2\t\n"],
    ["", 1, undefined, ""],
    ["only", 42, 42, "42\tonly"],
  ];
  for (const [text, first, total, expected] of table) {
    assertEquals(numberLines(text, first, total), expected, JSON.stringify(text));
  }
});
