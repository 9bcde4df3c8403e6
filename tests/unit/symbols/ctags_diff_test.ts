/**
 * Differential: universal-ctags (the reference for which definitions exist) and our queries on
 * the same fixture files in every language. We must find at least 98% of ctags' functions,
 * classes and methods by name on the same line. A missing ctags fails the test.
 */
import { assert, assertEquals } from "../../assert.ts";
import * as path from "node:path";
import { SYMBOL_FIXTURES } from "./fixtures.ts";
import { CTAGS_KINDS, recallAgainstCtags } from "./ctags_compare.ts";
import { brokenPatterns } from "../../../src/symbols/extract.ts";
import { DEFINITION_PATTERNS } from "../../../src/symbols/queries.ts";
import type { LanguageId } from "../../../src/symbols/languages.ts";

Deno.test("our definitions cover at least 98% of universal-ctags' functions, classes and methods, on the same lines", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "crm-ctags-" }));
  try {
    for (const [rel, text] of Object.entries(SYMBOL_FIXTURES)) {
      await Deno.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
      await Deno.writeTextFile(path.join(root, rel), text);
    }
    const r = await recallAgainstCtags(root, Object.keys(SYMBOL_FIXTURES));
    assert(r.expected >= 100, `ctags found only ${r.expected} definitions`);
    const recall = r.found / r.expected;
    assert(
      recall >= 0.98,
      `recall ${(recall * 100).toFixed(1)}%; missing: ${
        r.missing.map((m) => `${m.file}:${m.line} ${m.kind} ${m.name}`).join(", ")
      }`,
    );
    assertEquals(
      new Set(r.tagged.map((t) => t.language)),
      new Set(Object.keys(CTAGS_KINDS)),
      "ctags tagged every language of the fixtures",
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("every definition pattern compiles against its grammar", async () => {
  for (const id of Object.keys(DEFINITION_PATTERNS) as LanguageId[]) {
    assertEquals(await brokenPatterns(id), [], id);
  }
});
