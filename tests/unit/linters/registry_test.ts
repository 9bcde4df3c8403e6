import { assertEquals } from "../../assert.ts";
import { ALL_LINTERS, defaultLinterFor } from "../../../src/linters/registry.ts";

Deno.test("defaultLinterFor() picks the first enabled linter that takes the file's extension", () => {
  const all = [...ALL_LINTERS];
  const table: [string, readonly (typeof ALL_LINTERS[number])[], string | undefined][] = [
    ["src/app.py", all, "ruff"],
    ["src/app.PY", all, "ruff"],
    ["stubs/x.pyi", all, "ruff"],
    ["src/app.py", ["flake8", "pylint"], "flake8"],
    ["src/app.py", ["pylint"], "pylint"],
    ["stubs/x.pyi", ["pylint"], undefined],
    ["run.sh", all, "shellcheck"],
    ["run.ksh", all, "shellcheck"],
    ["web/app.tsx", all, "deno-lint"],
    ["README.md", all, undefined],
    ["Makefile", all, undefined],
    [".py", all, undefined],
    ["dir.py/file", all, undefined],
  ];
  for (const [file, enabled, expected] of table) {
    assertEquals(defaultLinterFor(file, enabled), expected, file);
  }
});
