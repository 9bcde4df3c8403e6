import { assertEquals } from "../../assert.ts";
import { diffLineSources, redactionsInFile } from "../../../src/output/diff_lines.ts";
import { describeRedactions, redactSecrets } from "../../../src/output/redact.ts";

Deno.test("diffLineSources() numbers context and added lines in the new version, removed lines in the old, headers not at all", () => {
  const block = [
    "--- M app.py +2 -1",
    "@@ -1158,4 +1158,5 @@",
    " a",
    " b",
    "-c",
    "+C",
    "+D",
    " e",
    "@@ -0,0 +2000,1 @@",
    "+tail",
    "\\ No newline at end of file",
    "",
  ].join("\n");
  assertEquals(diffLineSources(block), [
    undefined,
    undefined,
    { line: 1158, old: false },
    { line: 1159, old: false },
    { line: 1160, old: true },
    { line: 1160, old: false },
    { line: 1161, old: false },
    { line: 1162, old: false },
    undefined,
    { line: 2000, old: false },
    undefined,
    undefined,
  ]);
});

Deno.test("redactionsInFile(): a secret added on file line 1159 of a diff is noted on line 1159, a removed one on the old version's line", () => {
  const pw = ["hunter2", "-prod-", "Password!"].join("");
  const block = [
    "--- M settings.py +1 -1",
    "@@ -1158,3 +1158,3 @@",
    " a = 1",
    `-OLD_PASSWORD = "${pw}"`,
    `+DB_PASSWORD = "${pw}"`,
    " b = 2",
    "",
  ].join("\n");
  const r = redactSecrets(block);
  assertEquals(r.redactions.map((x) => x.line), [4, 5], "the block's own numbering");
  const mapped = redactionsInFile(block, r.redactions);
  assertEquals(mapped, [
    { kind: "password", line: 1159, old: true },
    { kind: "password", line: 1159 },
  ]);
  assertEquals(
    describeRedactions(mapped),
    "2 secrets redacted (password on line 1159 of the old version, password on line 1159)",
  );
});
