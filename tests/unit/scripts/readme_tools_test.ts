import { assert, assertEquals } from "../../assert.ts";
import * as path from "node:path";
import { firstSentence, toolsTable, withToolsTable } from "../../../scripts/readme_tools.ts";
import { TOOLS } from "../../../src/tools/mod.ts";

const APP_DIR = path.resolve(decodeURIComponent(new URL("../../../", import.meta.url).pathname));

Deno.test("the README's tools table is the one the tool definitions give (deno task docs rewrites it)", () => {
  const readme = Deno.readTextFileSync(path.join(APP_DIR, "README.md"));
  assertEquals(withToolsTable(readme), readme, "README.md is stale: run `deno task docs`");
  for (const t of TOOLS) assert(readme.includes(`| \`${t.name}(`), `${t.name} missing`);
});

Deno.test("toolsTable() marks optional parameters and shows defaults", () => {
  const table = toolsTable();
  assert(
    table.includes("`read_file(file_path, start_line?, end_line?, symbol?, line_numbers=true)`"),
    table,
  );
});

Deno.test("firstSentence() does not stop at e.g. or a file name", () => {
  const table: [string, string][] = [
    ["Read a file. Then more.", "Read a file."],
    [
      'Review a branch (e.g. "main") plus changes. More.',
      'Review a branch (e.g. "main") plus changes.',
    ],
    ["Lint src/x.py and stop.", "Lint src/x.py and stop."],
    ["No full stop at all", "No full stop at all"],
  ];
  for (const [input, want] of table) assertEquals(firstSentence(input), want);
});
