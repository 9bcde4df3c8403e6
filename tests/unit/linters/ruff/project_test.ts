import assert from "node:assert/strict";
import {
  mayBePythonSource,
  type ProjectFs,
  RuffProject,
} from "../../../../src/linters/ruff/project.ts";
import { isTable } from "../../../../src/linters/ruff/per_file_ignores.ts";

/** A project in memory: root-relative path -> text (folders are implied). */
function memoryProject(files: Record<string, string>): RuffProject {
  const root = "/proj";
  const dirs = new Set<string>([""]);
  for (const rel of Object.keys(files)) {
    const parts = rel.split("/");
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join("/"));
  }
  const fs: ProjectFs = {
    kind: (rel) => (rel in files ? "file" : dirs.has(rel) ? "dir" : null),
    list: (rel) => {
      if (!dirs.has(rel)) return null;
      const prefix = rel === "" ? "" : `${rel}/`;
      const names = new Set<string>();
      for (const p of [...Object.keys(files), ...dirs]) {
        if (p !== rel && p.startsWith(prefix)) names.add(p.slice(prefix.length).split("/")[0]!);
      }
      return [...names];
    },
  };
  const read = (abs: string) => {
    const rel = abs.slice(root.length + 1);
    return Promise.resolve(rel in files ? files[rel]! : null);
  };
  return new RuffProject(root, read, fs);
}

async function knownFirstParty(p: RuffProject, rel: string): Promise<unknown> {
  const c = await p.engineConfig(rel);
  assert.ok(c.ok);
  const lint = c.value.settings.lint;
  return isTable(lint) && isTable(lint.isort) ? lint.isort["known-first-party"] : undefined;
}

Deno.test("RuffProject.engineConfig() passes the modules found in src (flat and src layouts, globs) as known-first-party, less stdlib names and names already placed", async () => {
  const p = memoryProject({
    "pyproject.toml":
      `[tool.ruff]\nsrc = [".", "src", "packages/*/src"]\n\n[tool.ruff.lint.isort]\nknown-third-party = ["vendored"]\n`,
    "flat/__init__.py": "",
    "single.py": "",
    "src/mypkg/__init__.py": "",
    "src/json/__init__.py": "",
    "src/vendored/__init__.py": "",
    "packages/alpha/src/alpha/__init__.py": "",
    "tests/test_a.py": "",
  });
  assert.deepEqual(await knownFirstParty(p, "tests/test_a.py"), [
    "alpha",
    "flat",
    "mypkg",
    "packages",
    "single",
    "src",
    "tests",
  ]);
});

Deno.test("RuffProject.packageRootName() climbs folders with __init__.py or listed in namespace-packages", async () => {
  const p = memoryProject({
    "pyproject.toml": `[tool.ruff]\nnamespace-packages = ["ns"]\n`,
    "a/__init__.py": "",
    "a/b/__init__.py": "",
    "a/b/c.py": "",
    "loose/c.py": "",
    "ns/sub/__init__.py": "",
    "ns/sub/m.py": "",
  });
  const c = await p.configForDir("");
  assert.ok(c.ok);
  const sel = c.value.selection;
  assert.equal(p.packageRootName("a/b/c.py", sel), "a");
  assert.equal(p.packageRootName("loose/c.py", sel), undefined);
  assert.equal(p.packageRootName("ns/sub/m.py", sel), "ns");
});

Deno.test("RuffProject.selects() applies exclusions of each folder's configuration on the way down, and force-exclude to a file named directly", async () => {
  const p = memoryProject({
    "pyproject.toml": `[tool.ruff]\nextend-exclude = ["gen"]\nforce-exclude = true\n`,
    "sub/ruff.toml": `extend-exclude = ["old"]\n`,
    "app.py": "",
    "gen/out.py": "",
    "sub/old/x.py": "",
    "sub/new/x.py": "",
  });
  assert.equal(await p.selects("app.py", ""), true);
  assert.equal(await p.selects("gen/out.py", ""), false);
  assert.equal(await p.selects("gen/out.py", "gen/out.py"), false);
  assert.equal(await p.selects("sub/old/x.py", ""), false);
  assert.equal(await p.selects("sub/new/x.py", ""), true);
  assert.equal(await p.selects("README.md", ""), false);
});

Deno.test("mayBePythonSource() takes .py, .pyi, .pyw and names without an extension", () => {
  const table: [string, boolean][] = [
    ["a.py", true],
    ["a.pyi", true],
    ["gui.pyw", true],
    ["bin/tool", true],
    ["nb.ipynb", false],
    ["pyproject.toml", false],
    [".hidden", false],
  ];
  for (const [rel, want] of table) assert.equal(mayBePythonSource(rel), want, rel);
});
