import { assert, assertEquals } from "../../assert.ts";
import { escapeInvisible, hasInvisible } from "../../../src/output/unicode.ts";

Deno.test("escapeInvisible() shows each class as <U+XXXX> with line and column", () => {
  const table: [string, string, string, "bidi" | "zero-width" | "invisible"][] = [
    ["a\u202Eb", "a<U+202E>b", "U+202E", "bidi"], // right-to-left override
    ["a\u2066b", "a<U+2066>b", "U+2066", "bidi"], // left-to-right isolate
    ["a\u200Fb", "a<U+200F>b", "U+200F", "bidi"], // right-to-left mark
    ["a\u061Cb", "a<U+061C>b", "U+061C", "bidi"], // Arabic letter mark
    ["a\u200Bb", "a<U+200B>b", "U+200B", "zero-width"],
    ["a\u200Db", "a<U+200D>b", "U+200D", "zero-width"],
    ["a\uFEFFb", "a<U+FEFF>b", "U+FEFF", "zero-width"],
    ["a\u2060b", "a<U+2060>b", "U+2060", "zero-width"],
    ["a\u00ADb", "a<U+00AD>b", "U+00AD", "invisible"], // soft hyphen
    ["a\u3164b", "a<U+3164>b", "U+3164", "invisible"], // Hangul filler
    ["a\u{E0041}b", "a<U+E0041>b", "U+E0041", "invisible"], // tag character
    ["a\u0007b", "a<U+0007>b", "U+0007", "invisible"], // bell
    ["a\u2062b", "a<U+2062>b", "U+2062", "invisible"], // invisible times
  ];
  for (const [text, shown, cp, kind] of table) {
    const r = escapeInvisible(text);
    assertEquals(r.text, shown);
    assertEquals(r.found, [{ codePoint: cp, line: 1, column: 2, kind }]);
  }
});

Deno.test("escapeInvisible() leaves visible text, tabs, newlines and emoji presentation alone", () => {
  for (const text of ["plain", "tab\there\r\n", "café ñ 中文", "❤️ 👍🏽", "a\u00A0b"]) {
    assertEquals(escapeInvisible(text), { text, found: [] }, JSON.stringify(text));
    assert(!hasInvisible(text));
  }
});

Deno.test("escapeInvisible() exposes a Trojan Source sample on the right line and column", () => {
  // From the Trojan Source paper: an early return hidden inside a comment by RLO/LRI/PDI.
  const src =
    '#include <stdio.h>\nint main() {\n    bool isAdmin = false;\n    /*\u202E } \u2066if (isAdmin)\u2069 \u2066 begin admins only */\n    printf("admin");\n}\n';
  const r = escapeInvisible(src, 10);
  assertEquals(r.found.map((f) => [f.codePoint, f.line, f.column, f.kind]), [
    ["U+202E", 13, 7, "bidi"],
    ["U+2066", 13, 11, "bidi"],
    ["U+2069", 13, 24, "bidi"],
    ["U+2066", 13, 26, "bidi"],
  ]);
  assert(
    r.text.includes("/*<U+202E> } <U+2066>if (isAdmin)<U+2069> <U+2066> begin admins only */"),
  );
  assert(!hasInvisible(r.text));
});

Deno.test("escapeInvisible() counts columns in code points after astral characters", () => {
  const r = escapeInvisible("😀😀\u200B\nx\u200C");
  assertEquals(r.found.map((f) => [f.line, f.column]), [[1, 3], [2, 2]]);
});
