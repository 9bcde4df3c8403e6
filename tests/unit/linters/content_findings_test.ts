import { assertEquals } from "../../assert.ts";
import { contentFindings } from "../../../src/linters/content_findings.ts";

const AKIA = "AKIA" + "2E0A8F3B244C9986";

Deno.test("contentFindings() reports a hard-coded AWS key on its line without its value", () => {
  const ds = contentFindings(`import os\n\nKEY = "${AKIA}"\n`, "app.py");
  assertEquals(ds.map((d) => [d.line, d.column, d.code, d.severity]), [[
    3,
    8,
    "hardcoded-secret",
    "error",
  ]]);
  assertEquals(ds[0]!.message.includes(AKIA), false);
  assertEquals(ds[0]!.message.includes("aws-access-key-id"), true);
  assertEquals(ds[0]!.url, "https://cwe.mitre.org/data/definitions/798.html");
});

Deno.test("contentFindings() reports bidi controls as errors and invisible characters as warnings, per line", () => {
  const text =
    "ok = 1\naccess = 'user\u202E \u2066// admin\u2069'\nna\u200Bme = 2\n\uFEFFnot at start\n";
  const ds = contentFindings(text, "t.py");
  assertEquals(ds.map((d) => [d.line, d.column, d.code, d.severity]), [
    [2, 15, "bidi-control", "error"],
    [3, 3, "zero-width-character", "warning"],
    [4, 1, "zero-width-character", "warning"],
  ]);
  assertEquals(
    ds[0]!.message.startsWith("3 bidirectional control characters (<U+202E> <U+2066> <U+2069>)"),
    true,
  );
});

Deno.test("contentFindings() finds nothing in clean text and ignores a leading byte order mark", () => {
  assertEquals(contentFindings("\uFEFFdef f():\n    return 1\n", "a.py"), []);
  assertEquals(contentFindings("", "a.py"), []);
});
