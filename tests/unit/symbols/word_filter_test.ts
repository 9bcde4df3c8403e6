/** The index's word filter: never a false "no", few false "maybe". */
import { assert, assertEquals } from "../../assert.ts";
import { mayContain, wordFilter } from "../../../src/symbols/word_filter.ts";

Deno.test("wordFilter(): every word of the text may be contained; most absent words are ruled out", () => {
  const words = Array.from({ length: 400 }, (_, i) => `name_${i}`);
  const bits = wordFilter(words.join(" (x) + ") + " café $dollar");
  for (const w of [...words, "café", "$dollar", "x"]) assertEquals(mayContain(bits, w), true, w);
  let falseMaybe = 0;
  for (let i = 0; i < 1000; i++) if (mayContain(bits, `other_${i}`)) falseMaybe++;
  assert(falseMaybe < 150, `${falseMaybe} of 1000 absent words said maybe`);
});
