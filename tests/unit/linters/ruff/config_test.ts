import assert from "node:assert/strict";
import { join, sep } from "node:path";
import {
  DEFAULT_RUFF_SETTINGS,
  loadRuffConfig,
  targetFromRequiresPython,
} from "../../../../src/linters/ruff/config.ts";
import {
  RUFF_ENGINE_VERSION,
  ruffCheck,
  type RuffCheckResult,
} from "../../../../src/linters/ruff/mod.ts";
import { runEngine } from "../../../../src/linters/ruff/engine.ts";
import { codesOf, diagnosticsOf, errorOf, fixture, recordingReader } from "./helpers.ts";

/** Runs ruffCheck on projects/<project>/<file> with that project as the root. */
async function check(
  project: string,
  file: string,
  reads: string[] = [],
): Promise<RuffCheckResult> {
  const root = fixture(`projects/${project}`);
  const absPath = join(root, ...file.split("/"));
  return await ruffCheck({
    absPath,
    relPath: file,
    root,
    source: await Deno.readTextFile(absPath),
    readTextFile: recordingReader(reads),
    engine: runEngine,
  });
}

Deno.test("ruffCheck() uses the review-rules defaults when the project has no ruff configuration", async () => {
  const result = await check("above_root/project", "module.py");
  assert.equal(result.configFile, undefined);
  assert.equal(result.engineVersion, RUFF_ENGINE_VERSION);
  assert.deepEqual(codesOf(result), ["B006", "F401"]); // the 95-character line is within 100
});

Deno.test("ruffCheck() never reads configuration above the project root", async () => {
  const reads: string[] = [];
  const root = fixture("projects/above_root/project");
  await check("above_root/project", "module.py", reads);
  assert.ok(reads.length > 0);
  for (const path of reads) {
    assert.ok(path.startsWith(root + sep), `read outside the root: ${path}`);
  }
  // above_root/ruff.toml selects only B; it must not have been used (F401 was reported above).
});

Deno.test("ruffCheck() honours ruff.toml in a parent directory inside the root", async () => {
  const result = await check("ruff_toml", "pkg/module.py");
  assert.equal(result.configFile, "ruff.toml");
  const diagnostics = diagnosticsOf(result);
  assert.deepEqual(diagnostics.map((d) => [d.code, d.line, d.file]), [[
    "E501",
    8,
    "pkg/module.py",
  ]]);
  assert.match(String(diagnostics[0]?.message), /\(95 > 80\)/);
});

Deno.test("ruffCheck() prefers .ruff.toml over ruff.toml in the same directory", async () => {
  const result = await check("dot_ruff_toml", "module.py");
  assert.equal(result.configFile, ".ruff.toml");
  assert.deepEqual(codesOf(result), ["F401"]);
});

Deno.test("ruffCheck() honours [tool.ruff] in pyproject.toml", async () => {
  const result = await check("pyproject_ruff", "module.py");
  assert.equal(result.configFile, "pyproject.toml");
  assert.deepEqual(codesOf(result), ["B006", "E501"]);
});

Deno.test("ruffCheck() skips a pyproject.toml without [tool.ruff] and keeps looking upward", async () => {
  const result = await check("pyproject_without_ruff", "sub/module.py");
  assert.equal(result.configFile, "ruff.toml");
  assert.deepEqual(codesOf(result), ["B006"]);
});

Deno.test("ruffCheck() uses the configuration nearest to the file", async () => {
  const inSub = await check("nearest", "sub/module.py");
  assert.equal(inSub.configFile, "sub/ruff.toml");
  assert.deepEqual(codesOf(inSub), ["B006"]);
  const atTop = await check("nearest", "module.py");
  assert.equal(atTop.configFile, "ruff.toml");
  assert.deepEqual(codesOf(atTop), ["F401"]);
});

Deno.test("ruffCheck() accepts the deprecated top-level select and line-length", async () => {
  const result = await check("legacy_top_level", "module.py");
  assert.deepEqual(codesOf(result), ["E501"]);
});

Deno.test("ruffCheck() applies per-file-ignores relative to the configuration's directory", async () => {
  assert.deepEqual(codesOf(await check("per_file_ignores", "pkg/tests/test_a.py")), []);
  assert.deepEqual(codesOf(await check("per_file_ignores", "pkg/__init__.py")), []);
  assert.deepEqual(codesOf(await check("per_file_ignores", "pkg/other.py")), ["F401"]);
  // tests/test_b.py is outside pkg/: no configuration applies, the defaults report the import.
  const outside = await check("per_file_ignores", "tests/test_b.py");
  assert.equal(outside.configFile, undefined);
  assert.ok(codesOf(outside).includes("F401"));
});

Deno.test("ruffCheck() follows extend inside the root, merging selections and per-file-ignores", async () => {
  const module = await check("extend", "app/module.py");
  assert.equal(module.configFile, "app/ruff.toml");
  assert.deepEqual(codesOf(module), ["B006", "E501"]); // line-length 60 and E501 from base.toml, B added
  // "generated_*.py" is declared in base.toml, relative to extend/; it matches by basename.
  assert.deepEqual(codesOf(await check("extend", "app/generated_models.py")), ["B006"]);
});

Deno.test("ruffCheck() refuses an extend that points outside the project root", async () => {
  const reads: string[] = [];
  const error = errorOf(await check("extend_outside", "module.py", reads));
  assert.match(
    error,
    /^Invalid ruff configuration in "ruff.toml": "extend" points outside the project root/,
  );
  assert.ok(reads.every((p) => p.startsWith(fixture("projects/extend_outside") + sep)));
});

Deno.test("ruffCheck() reports broken TOML with the file, line and problem", async () => {
  const result = await check("broken_toml", "module.py");
  assert.equal(result.configFile, "ruff.toml");
  assert.match(
    errorOf(result),
    /^Invalid ruff configuration in "ruff.toml": TOML syntax error at line 3, column 1: /,
  );
});

Deno.test("ruffCheck() reports an unknown rule code with the file that names it", async () => {
  const result = await check("unknown_rule", "module.py");
  assert.equal(result.engineVersion, RUFF_ENGINE_VERSION);
  assert.equal(
    errorOf(result),
    'Invalid ruff configuration in "pyproject.toml": Unknown rule selector `XYZ123` in `select`',
  );
});

Deno.test("ruffCheck() reports a syntax error in the checked file as diagnostics", async () => {
  const root = fixture("known");
  const result = await ruffCheck({
    absPath: join(root, "syntax_error.py"),
    relPath: "syntax_error.py",
    root,
    source: Deno.readTextFileSync(join(root, "syntax_error.py")),
    readTextFile: recordingReader(),
  });
  assert.ok(
    diagnosticsOf(result).some((d) => d.code === "invalid-syntax" && d.severity === "error"),
  );
});

Deno.test("ruffCheck() reports the file name as the model gave it, but matches the normalised path", async () => {
  const root = fixture("projects/per_file_ignores");
  const absPath = join(root, "pkg", "other.py");
  const result = await ruffCheck({
    absPath,
    relPath: "./pkg/other.py",
    root,
    source: "import os\n",
    readTextFile: recordingReader(),
  });
  assert.deepEqual(diagnosticsOf(result).map((d) => d.file), ["./pkg/other.py"]);
});

Deno.test("loadRuffConfig() refuses a file outside the root without reading anything", async () => {
  const reads: string[] = [];
  const root = fixture("projects/nearest");
  for (
    const absPath of [
      join(root, "..", "ruff_toml", "pkg", "module.py"),
      `${root}2${sep}module.py`,
      root,
    ]
  ) {
    const result = await loadRuffConfig({ absPath, root, readTextFile: recordingReader(reads) });
    assert.equal(result.ok, false);
    assert.match((result as { reason: string }).reason, /is not a file inside the project root/);
  }
  assert.deepEqual(reads, []);
});

Deno.test("loadRuffConfig() names the file a reader fails on", async () => {
  const root = fixture("projects/nearest");
  const result = await loadRuffConfig({
    absPath: join(root, "module.py"),
    root,
    readTextFile: (path) =>
      path.endsWith("ruff.toml")
        ? Promise.reject(new Error("permission denied"))
        : Promise.resolve(null),
  });
  assert.deepEqual(result, {
    ok: false,
    reason: 'Invalid ruff configuration in ".ruff.toml": cannot be read: permission denied',
    configFile: ".ruff.toml",
  });
});

Deno.test("loadRuffConfig() takes target-version from the nearest pyproject.toml's requires-python", async () => {
  const withoutConfig = await loadRuffConfig({
    absPath: "/proj/pkg/a.py",
    root: "/proj",
    readTextFile: (p) =>
      Promise.resolve(
        p === "/proj/pyproject.toml" ? '[project]\nrequires-python = ">=3.12"\n' : null,
      ),
  });
  assert.ok(withoutConfig.ok);
  assert.equal(withoutConfig.value.settings["target-version"], "py312");
  assert.equal(withoutConfig.value.settings["line-length"], DEFAULT_RUFF_SETTINGS["line-length"]);

  const files: Record<string, string> = {
    "/proj/ruff.toml": "line-length = 90\n",
    "/proj/pyproject.toml": '[project]\nrequires-python = "~=3.10"\n',
  };
  const sibling = await loadRuffConfig({
    absPath: "/proj/a.py",
    root: "/proj",
    readTextFile: (p) => Promise.resolve(files[p] ?? null),
  });
  assert.ok(sibling.ok);
  assert.equal(sibling.value.settings["target-version"], "py310");

  const explicit = await loadRuffConfig({
    absPath: "/proj/a.py",
    root: "/proj",
    readTextFile: (p) =>
      Promise.resolve(
        p === "/proj/pyproject.toml"
          ? '[project]\nrequires-python = ">=3.9"\n[tool.ruff]\ntarget-version = "py311"\n'
          : null,
      ),
  });
  assert.ok(explicit.ok);
  assert.equal(explicit.value.settings["target-version"], "py311");
});

Deno.test("targetFromRequiresPython() reads the lower bound and stays within known versions", () => {
  const table: [unknown, string | undefined][] = [
    [">=3.9", "py39"],
    [">= 3.11, <4", "py311"],
    ["~=3.10.2", "py310"],
    ["==3.12.*", "py312"],
    [">=3.6", "py37"],
    [">=3.99", "py315"],
    ["<3.13", undefined],
    ["", undefined],
    [3.9, undefined],
  ];
  for (const [value, target] of table) {
    assert.equal(targetFromRequiresPython(value), target, String(value));
  }
});

Deno.test("loadRuffConfig() detects an extend cycle", async () => {
  const files: Record<string, string> = {
    "/proj/ruff.toml": 'extend = "base.toml"\n',
    "/proj/base.toml": 'extend = "ruff.toml"\n',
  };
  const result = await loadRuffConfig({
    absPath: "/proj/a.py",
    root: "/proj",
    readTextFile: (p) => Promise.resolve(files[p] ?? null),
  });
  assert.equal(result.ok, false);
  assert.match((result as { reason: string }).reason, /"extend" forms a cycle at "ruff.toml"/);
});

Deno.test("loadRuffConfig() lets a child's select start afresh and its extend-select re-enable an inherited ignore", async () => {
  const files: Record<string, string> = {
    "/proj/base.toml": '[lint]\nselect = ["E", "F"]\nignore = ["E501", "F841"]\n',
    "/proj/a/ruff.toml": 'extend = "../base.toml"\n[lint]\nextend-select = ["E501"]\n',
    "/proj/b/ruff.toml": 'extend = "../base.toml"\n[lint]\nselect = ["B"]\n',
  };
  const read = (p: string) => Promise.resolve(files[p] ?? null);
  const a = await loadRuffConfig({ absPath: "/proj/a/x.py", root: "/proj", readTextFile: read });
  assert.ok(a.ok);
  assert.deepEqual({ ...(a.value.settings.lint as object) }, {
    select: ["E", "F"],
    ignore: ["F841"],
    "extend-select": ["E501"],
  });
  const b = await loadRuffConfig({ absPath: "/proj/b/x.py", root: "/proj", readTextFile: read });
  assert.ok(b.ok);
  assert.deepEqual({ ...(b.value.settings.lint as object) }, { select: ["B"] });
});

Deno.test("loadRuffConfig() keeps a '__proto__' key an ordinary key", async () => {
  const result = await loadRuffConfig({
    absPath: "/proj/a.py",
    root: "/proj",
    readTextFile: (p) =>
      Promise.resolve(p === "/proj/ruff.toml" ? "[lint.__proto__]\nx = 1\n" : null),
  });
  assert.ok(result.ok);
  assert.equal(({} as Record<string, unknown>).x, undefined);
  assert.ok(Object.hasOwn(result.value.settings.lint as object, "__proto__"));
});
