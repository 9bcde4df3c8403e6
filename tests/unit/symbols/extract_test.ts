/** Naming and parsing details of src/symbols/extract.ts that the ctags comparison relies on. */
import { assertEquals } from "../../assert.ts";
import {
  operatorName,
  parseDefinitions,
  parseInput,
  withDefinitions,
} from "../../../src/symbols/extract.ts";
import { SYMBOL_FIXTURES } from "./fixtures.ts";
import { languageOf } from "../../../src/symbols/languages.ts";

Deno.test("operatorName() names C++ operators as universal-ctags does", () => {
  const table: [string, string][] = [
    ["operator==", "operator =="],
    ["operator ()", "operator ()"],
    ["operator()", "operator ()"],
    ["operator int() const", "operator int"],
    ["operator_helper", "operator_helper"],
    ["plain", "plain"],
  ];
  for (const [text, want] of table) assertEquals(operatorName(text), want, text);
});

Deno.test("parseInput() blanks an annotation macro before a C/C++ declaration, keeping every position", () => {
  const src = "FMT_CONSTEXPR void f() {}\n  GTEST_API_ class X {};\nFILE *g(void);\nMAX_SIZE(3);\n";
  const out = parseInput("cpp", src);
  assertEquals(out.length, src.length);
  assertEquals(
    out,
    "              void f() {}\n             class X {};\nFILE *g(void);\nMAX_SIZE(3);\n",
  );
  assertEquals(parseInput("python", src), src);
});

Deno.test("a macro-annotated C++ function keeps its name and line, its signature starts after the macro", async () => {
  const r = await parseDefinitions("cpp", "FMT_CONSTEXPR auto size() -> int { return 1; }\n");
  assertEquals(r!.definitions.map((d) => [d.name, d.line, d.signature]), [
    ["size", 1, "auto size() -> int"],
  ]);
});

Deno.test("languageOf() names a language by file name and never guesses one", () => {
  const table: [string, string | null, boolean][] = [
    ["src/app.py", "Python", true],
    ["web/App.tsx", "TSX", true],
    ["lib/x.h", "C++", true],
    ["Rakefile", "Ruby", true],
    ["Main.kt", "Kotlin", false],
    ["README", null, false],
    ["notes.xyz", null, false],
  ];
  for (const [file, name, supported] of table) {
    const l = languageOf(file);
    assertEquals([l.name, l.supported], [name, supported], file);
  }
});

Deno.test("withDefinitions() gives every function the complexity a full extraction gives it, in every language", async () => {
  let functions = 0;
  for (const [file, text] of Object.entries(SYMBOL_FIXTURES)) {
    const lang = languageOf(file);
    if (!lang.supported) continue;
    const full = await parseDefinitions(lang.id, text, { complexity: true });
    if (!full) throw new Error(`${file}: parse timed out`);
    const picked = await withDefinitions(
      lang.id,
      text,
      (defs, complexityAt) =>
        defs.map((
          d,
          i,
        ) => (d.kind === "function" || d.kind === "method" ? complexityAt(i) : undefined)),
    );
    assertEquals(picked, full.definitions.map((d) => d.complexity), file);
    functions += full.definitions.filter((d) => d.complexity !== undefined).length;
  }
  if (functions < 50) throw new Error(`only ${functions} functions compared`);
});
