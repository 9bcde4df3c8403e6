import { assertEquals } from "../../assert.ts";
import { ALL_LINTERS, type LinterName } from "../../../src/linters/registry.ts";
import {
  enabledForProjectRun,
  languageOf,
  lintersForFile,
  projectLinters,
} from "../../../src/linters/project_linters.ts";

const all = [...ALL_LINTERS];
const files = (o: Record<string, string>) =>
  Object.entries(o).map(([name, text]) => ({ name, text }));
const python = (o: Record<string, string>, enabled: readonly LinterName[] = all) =>
  projectLinters(files(o), enabled).byLanguage.python.map((c) => [c.linter, c.source, c.own]);

Deno.test("projectLinters() picks ruff for [tool.ruff], ruff.toml and .ruff.toml, naming the file", () => {
  assertEquals(python({ "pyproject.toml": "[tool.ruff]\nline-length = 88\n" }), [
    ["ruff", "pyproject.toml [tool.ruff]", false],
  ]);
  assertEquals(python({ "ruff.toml": "" }), [["ruff", "ruff.toml", false]]);
  assertEquals(python({ ".ruff.toml": "", "ruff.toml": "" }), [["ruff", ".ruff.toml", false]]);
  assertEquals(python({ "pyproject.toml": "[tool.ruff]\n" }, ["ruff-native", "flake8"]), [
    ["ruff-native", "pyproject.toml [tool.ruff]", false],
  ]);
});

Deno.test("projectLinters() picks flake8 for a [flake8] section in setup.cfg, tox.ini or .flake8", () => {
  for (const name of ["setup.cfg", "tox.ini", ".flake8"]) {
    assertEquals(python({ [name]: "[flake8]\nmax-line-length = 120\n" }), [
      ["flake8", `${name} [flake8]`, false],
    ]);
  }
  // A setup.cfg without [flake8] configures nothing.
  assertEquals(python({ "setup.cfg": "[metadata]\nname = x\n" })[0]![2], true);
});

Deno.test("projectLinters() picks pylint for pylintrc, .pylintrc and [tool.pylint]", () => {
  assertEquals(python({ ".pylintrc": "[MAIN]\nmax-line-length=100\n" }), [
    ["pylint", ".pylintrc", false],
  ]);
  assertEquals(python({ "pyproject.toml": "[tool.pylint.format]\nmax-line-length = 100\n" }), [
    ["pylint", "pyproject.toml [tool.pylint]", false],
  ]);
});

Deno.test("projectLinters() runs every Python linter the project configures, ruff first", () => {
  assertEquals(
    python({ "pyproject.toml": "[tool.ruff]\n", "setup.cfg": "[flake8]\nignore = E501\n" }).map((
      x,
    ) => x[0]),
    ["ruff", "flake8"],
  );
});

Deno.test("projectLinters() applies the server's own rules only where the project configures nothing", () => {
  assertEquals(python({}), [[
    "ruff",
    "the server's own review rules (no Python linter configured)",
    true,
  ]]);
  assertEquals(python({ "pyproject.toml": "[project]\nname = 'x'\n" })[0]![2], true);
});

Deno.test("projectLinters() says so when the configured linter is not enabled, and falls back", () => {
  const p = projectLinters(files({ ".flake8": "[flake8]\n" }), ["ruff", "shellcheck"]);
  assertEquals(p.byLanguage.python.map((c) => [c.linter, c.own]), [["ruff", true]]);
  assertEquals(p.notes, [
    "the project configures flake8 (.flake8 [flake8]), which is not enabled on this server",
  ]);
});

Deno.test("projectLinters() keeps a fallback for a configured linter that turns out not installed", () => {
  const p = projectLinters(files({ ".flake8": "[flake8]\n" }), all);
  assertEquals(p.fallback.python?.linter, "ruff");
  assertEquals(
    p.fallback.python?.source,
    "the server's own review rules (the configured linter is not installed)",
  );
  assertEquals(projectLinters([], all).fallback.python, undefined);
});

Deno.test("projectLinters() lints JavaScript/TypeScript with deno lint, not where eslint or biome is configured", () => {
  const js = (o: Record<string, string>) => {
    const p = projectLinters(files(o), all);
    return [p.byLanguage["js-ts"].map((c) => [c.linter, c.own]), p.notes];
  };
  assertEquals(js({ "deno.json": "{}" }), [[["deno-lint", false]], []]);
  assertEquals(js({}), [[["deno-lint", true]], []]);
  assertEquals(js({ "eslint.config.js": "export default []" }), [[], [
    "JavaScript/TypeScript files are not linted: the project configures eslint (eslint.config.js), which this server does not run",
  ]]);
  assertEquals(js({ "biome.json": "{}" })[0], []);
});

Deno.test("lintersForFile() gives a file its language's linters that take its extension", () => {
  const p = projectLinters(files({ ".pylintrc": "[MAIN]\n", "ruff.toml": "" }), all);
  assertEquals(lintersForFile(p, "a/b.py").map((c) => c.linter), ["ruff", "pylint"]);
  assertEquals(lintersForFile(p, "stubs/b.pyi").map((c) => c.linter), ["ruff"]);
  assertEquals(lintersForFile(p, "run.sh").map((c) => c.linter), ["shellcheck"]);
  assertEquals(lintersForFile(p, "README.md"), []);
  assertEquals(languageOf("x.TSX"), "js-ts");
});

Deno.test("enabledForProjectRun() keeps the first choice per language", () => {
  const p = projectLinters(files({ "setup.cfg": "[flake8]\n", ".pylintrc": "[MAIN]\n" }), all);
  assertEquals(enabledForProjectRun(p), ["flake8", "shellcheck", "deno-lint"]);
});
