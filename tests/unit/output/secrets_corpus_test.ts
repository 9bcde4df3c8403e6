import { assertEquals } from "../../assert.ts";
import { redactSecrets } from "../../../src/output/redact.ts";
import { negatives, positives } from "../../fixtures/secrets_corpus.ts";

/** Recall on the corpus' secrets and false positives on its placeholders and look-alikes. */
export function measureCorpus() {
  const missed: string[] = [];
  for (const p of positives()) {
    const r = redactSecrets(p.text);
    const hit = r.redactions.length === 1 && r.redactions[0]!.line === p.line &&
      (p.kind === "*" || r.redactions[0]!.kind === p.kind) && !r.text.includes(p.value) &&
      r.text.includes(p.keep);
    if (!hit) missed.push(`${p.name}: ${JSON.stringify(r.redactions)} ${r.text.split("\n")[2]}`);
  }
  const flagged: string[] = [];
  for (const n of negatives()) {
    const r = redactSecrets(n.text);
    if (r.redactions.length > 0) flagged.push(`${n.name}: ${r.text.split("\n")[2]}`);
  }
  return {
    positives: positives().length,
    missed,
    negatives: negatives().length,
    flagged,
  };
}

Deno.test("redactSecrets() finds every secret of the labelled corpus (recall 100%), in its line, keeping the key name, and flags none of its placeholders and look-alikes", () => {
  const m = measureCorpus();
  assertEquals(m.missed, [], `recall ${m.positives - m.missed.length}/${m.positives}`);
  assertEquals(m.flagged, [], `false positives ${m.flagged.length}/${m.negatives}`);
});

if (import.meta.main) {
  const m = measureCorpus();
  console.log(
    JSON.stringify({
      positives: m.positives,
      found: m.positives - m.missed.length,
      negatives: m.negatives,
      false_positives: m.flagged.length,
    }),
  );
  for (const x of m.missed) console.log("MISSED", x);
  for (const x of m.flagged) console.log("FP", x);
}
