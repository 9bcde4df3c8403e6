/**
 * The linter allowlist: the pure rules (argv, environment, file kinds), then the real
 * linters run through runCommand with that argv against hostile projects: file names
 * that look like options or shell code, and configuration files that try to load the
 * project's own code. A linter that is not installed fails these tests; nothing skips.
 */
import * as path from "node:path";
import { assert, assertEquals, assertMatch } from "../../assert.ts";
import {
  acceptsFile,
  DEFAULT_TIMEOUT_MS,
  ISOLATED_CONFIG_FILES,
  linterForExtension,
  LINTERS,
  safePath,
  SUBPROCESS_LINTERS,
  type SubprocessLinter,
} from "../../../src/policy/commands.ts";
import { runCommand } from "../../../src/sandbox/run_command.ts";
import type { RunCommandResult } from "../../../src/sandbox/protocol.ts";
import type { Diagnostic } from "../../../src/linters/types.ts";
import { ALL_LINTERS } from "../../../src/linters/registry.ts";
import { LINTER_BINARIES } from "../../../src/permissions.ts";

// ---------------------------------------------------------------------------------
// Pure rules
// ---------------------------------------------------------------------------------

const HOSTILE_NAMES = [
  "-rf.py",
  "--init-hook=open('MARKER','w').py",
  "a;rm -rf x.py",
  "$(id).py",
  "`id`.py",
  "name with spaces.py",
  "@argfile.py",
  "quote'\"x.py",
  "new\nline.py",
  "--.py",
];

Deno.test("every linter's argv ends with the absolute path, once, untouched", () => {
  for (const linter of SUBPROCESS_LINTERS) {
    for (const name of HOSTILE_NAMES) {
      const abs = `/proj/sub dir/${name}`;
      const args = LINTERS[linter].buildArgs(abs);
      assertEquals(args[args.length - 1], abs, `${linter} ${name}`);
      assertEquals(args.filter((a) => a.includes(name)).length, 1, `${linter} ${name}`);
    }
  }
});

Deno.test("'--' comes right before the path for ruff, flake8, pylint and shellcheck; deno lint has none", () => {
  for (const linter of ["ruff-native", "flake8", "pylint", "shellcheck"] as const) {
    const args = LINTERS[linter].buildArgs("/p/a");
    assertEquals(args[args.length - 2], "--", linter);
    assertEquals(args.filter((a) => a === "--").length, 1, linter);
  }
  // deno lint ignores files given after "--" and lints the whole working directory.
  assert(!LINTERS["deno-lint"].buildArgs("/p/a.ts").includes("--"));
});

Deno.test("every argv carries its isolation flags and machine-readable format", () => {
  const expected: Record<SubprocessLinter, string[]> = {
    "ruff-native": [
      "check",
      "--isolated",
      "--no-cache",
      "--no-fix",
      "--output-format=json",
      "--",
      "/p/a.py",
    ],
    flake8: ["--isolated", "--format=%(row)d:%(col)d:%(code)s:%(text)s", "--", "/p/a.py"],
    pylint: ["--rcfile=/dev/null", "--persistent=n", "--output-format=json", "--", "/p/a.py"],
    shellcheck: ["--norc", "--format=json1", "--", "/p/a.py"],
    "deno-lint": ["lint", "--no-config", "--json", "/p/a.py"],
  };
  for (const linter of SUBPROCESS_LINTERS) {
    assertEquals(LINTERS[linter].buildArgs("/p/a.py"), expected[linter], linter);
  }
});

Deno.test("no argv contains a fixing, watching or source-following flag", () => {
  const forbidden = [
    "--fix",
    "--fix-only",
    "--unsafe-fixes",
    "--diff",
    "--add-noqa",
    "--watch",
    "-w",
    "-x",
    "--external-sources",
    "-a",
    "--check-sourced",
    "--in-place",
    "--config",
    "--load-plugins",
    "--init-hook",
  ];
  for (const linter of SUBPROCESS_LINTERS) {
    const args = LINTERS[linter].buildArgs("/p/a");
    for (const f of forbidden) {
      assert(!args.some((a) => a === f || a.startsWith(`${f}=`)), `${linter} has ${f}`);
    }
  }
});

Deno.test("buildArgs() refuses a relative path, an option-like name and NUL bytes", () => {
  const bad = ["a.py", "-rf.py", "--init-hook=x.py", "@args", "./a.py", "", "/p/a\0.py"];
  for (const linter of SUBPROCESS_LINTERS) {
    for (const p of bad) {
      let threw = false;
      try {
        LINTERS[linter].buildArgs(p);
      } catch (e) {
        threw = e instanceof TypeError;
      }
      assert(threw, `${linter} accepted ${JSON.stringify(p)}`);
    }
  }
});

Deno.test("stdinArgs() reads standard input named by the checked absolute path, with isolation flags", () => {
  assertEquals(LINTERS.flake8.stdinArgs!("/p/a.py", ["--max-line-length=100"]), [
    "--isolated",
    "--format=%(row)d:%(col)d:%(code)s:%(text)s",
    "--max-line-length=100",
    "--stdin-display-name=/p/a.py",
    "--",
    "-",
  ]);
  assertEquals(LINTERS.pylint.stdinArgs!("/p/a.py"), [
    "--rcfile=/dev/null",
    "--persistent=n",
    "--output-format=json",
    "--from-stdin",
    "--",
    "/p/a.py",
  ]);
  assertEquals(LINTERS.shellcheck.stdinArgs!("/p/a.sh"), ["--norc", "--format=json1", "--", "-"]);
  assertEquals(LINTERS["deno-lint"].stdinArgs!("/p/App.TSX"), [
    "lint",
    "--no-config",
    "--json",
    "--ext=tsx",
    "-",
  ]);
  for (const linter of ["flake8", "pylint", "shellcheck", "deno-lint"] as const) {
    for (const p of ["a.py", "-rf.py", "/p/a\0.py"]) {
      let threw = false;
      try {
        LINTERS[linter].stdinArgs!(p);
      } catch (e) {
        threw = e instanceof TypeError;
      }
      assert(threw, `${linter} accepted ${JSON.stringify(p)}`);
    }
  }
  let threw = false;
  try {
    LINTERS.flake8.stdinArgs!("/p/a.py", ["--append-config", "x"]);
  } catch (e) {
    threw = e instanceof TypeError;
  }
  assert(threw, "a flag that is not --name=value passed");
});

Deno.test("pylint reads its empty rcfile from the isolated config directory when one is given", () => {
  const args = LINTERS.pylint.buildArgs("/p/a.py", "/srv/crmcp/config");
  assertEquals(args[0], "--rcfile=/srv/crmcp/config/pylintrc");
  assertEquals(ISOLATED_CONFIG_FILES, { pylintrc: "" });
});

Deno.test("a linter's environment is PATH, a UTF-8 locale and little else: never GITHUB_TOKEN", () => {
  const had = Deno.env.get("GITHUB_TOKEN");
  Deno.env.set("GITHUB_TOKEN", "ghp_must_not_leak");
  try {
    const allowed = new Set([
      "PATH",
      "LANG",
      "PYTHONIOENCODING",
      "NO_COLOR",
      "DENO_NO_UPDATE_CHECK",
    ]);
    for (const linter of SUBPROCESS_LINTERS) {
      const env = LINTERS[linter].env("/usr/bin:/bin");
      assertEquals(env.PATH, "/usr/bin:/bin", linter);
      assertEquals(env.LANG, "C.UTF-8", linter);
      for (const [k, v] of Object.entries(env)) {
        assert(allowed.has(k), `${linter} passes ${k}`);
        assert(!v.includes("ghp_"), `${linter} leaks a token in ${k}`);
      }
      // A caller may mutate what it got without changing the next answer.
      env.PATH = "/evil";
      assertEquals(LINTERS[linter].env("/bin").PATH, "/bin");
    }
  } finally {
    if (had === undefined) Deno.env.delete("GITHUB_TOKEN");
    else Deno.env.set("GITHUB_TOKEN", had);
  }
});

Deno.test("safePath() drops empty and relative PATH entries, which would resolve inside the project", () => {
  const table: [string, string][] = [
    ["/usr/bin:/bin", "/usr/bin:/bin"],
    ["/usr/bin::/bin", "/usr/bin:/bin"],
    [".:/usr/bin", "/usr/bin"],
    ["/usr/bin:bin:./node_modules/.bin:/bin:", "/usr/bin:/bin"],
    ["", ""],
  ];
  for (const [input, out] of table) assertEquals(safePath(input), out, input);
  assertEquals(LINTERS.flake8.env(".:/usr/bin").PATH, "/usr/bin");
});

Deno.test("linterForExtension() picks flake8, shellcheck or deno lint by extension, case-insensitively", () => {
  const table: [string, SubprocessLinter | undefined][] = [
    ["src/app.py", "flake8"],
    ["stubs/x.pyi", "flake8"],
    ["APP.PY", "flake8"],
    ["run.sh", "shellcheck"],
    ["run.bash", "shellcheck"],
    ["a.ts", "deno-lint"],
    ["a.tsx", "deno-lint"],
    ["a.js", "deno-lint"],
    ["a.jsx", "deno-lint"],
    ["a.mjs", "deno-lint"],
    ["a.cjs", "deno-lint"],
    ["a.mts", "deno-lint"],
    ["dir.py\\notes.txt", undefined],
    ["README.md", undefined],
    ["Makefile", undefined],
    [".bashrc", undefined],
    [".py", undefined],
    ["a.py.bak", undefined],
    ["a.pyc", undefined],
    ["x.constructor", undefined],
    ["x.__proto__", undefined],
    ["x.toString", undefined],
  ];
  for (const [p, l] of table) assertEquals(linterForExtension(p), l, p);
});

Deno.test("acceptsFile() matches each linter's extensions and nothing else", () => {
  const table: [SubprocessLinter, string, boolean][] = [
    ["flake8", "/p/a.py", true],
    ["flake8", "/p/-rf.py", true],
    ["flake8", "/p/a;rm -rf x.py", true],
    ["flake8", "/p/a.sh", false],
    ["pylint", "/p/a.py", true],
    ["pylint", "/p/a.pyi", false],
    ["ruff-native", "/p/a.pyi", true],
    ["shellcheck", "/p/$(id).sh", true],
    ["shellcheck", "/p/a.ksh", true],
    ["shellcheck", "/p/a.py", false],
    ["shellcheck", "/p/a.zsh", false],
    ["deno-lint", "/p/a.TS", true],
    ["deno-lint", "/p/a.d.ts", true],
    ["deno-lint", "/p/a.json", false],
    ["deno-lint", "/p/a.py", false],
  ];
  for (const [l, p, ok] of table) assertEquals(acceptsFile(l, p), ok, `${l} ${p}`);
  assertEquals(acceptsFile("constructor" as SubprocessLinter, "/p/a.py"), false);
  assertEquals(acceptsFile("ruff" as SubprocessLinter, "/p/a.py"), false);
});

Deno.test("the allowlist is frozen, agrees with --allow-run and with the linter enum", () => {
  assert(Object.isFrozen(LINTERS));
  for (const linter of SUBPROCESS_LINTERS) {
    const spec = LINTERS[linter];
    assert(Object.isFrozen(spec) && Object.isFrozen(spec.extensions), linter);
    assertEquals(spec.name, linter);
    assert(
      (LINTER_BINARIES as readonly string[]).includes(spec.binary),
      `${spec.binary} is not in --allow-run`,
    );
    assert(
      (ALL_LINTERS as readonly string[]).includes(linter),
      `${linter} is not in the linter enum`,
    );
    assertEquals(spec.timeoutMs, DEFAULT_TIMEOUT_MS);
    assert(spec.maxOutputBytes > 0 && spec.installHint.length > 0 && spec.language.length > 0);
    assert(spec.extensions.every((e) => e.startsWith(".") && e === e.toLowerCase()));
  }
  assertEquals(Object.keys(LINTERS).sort(), [...SUBPROCESS_LINTERS].sort());
});

// ---------------------------------------------------------------------------------
// Real linters, through runCommand, against hostile projects
// ---------------------------------------------------------------------------------

/** The test's PATH, with the running deno's folder first (under `npx deno` it may be absent). */
const TEST_PATH = [
  path.dirname(Deno.execPath()),
  ...(Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":"),
].join(":");

interface Project {
  root: string;
  /** A folder outside the project where hostile code would leave marker files. */
  markers: string;
  cleanup(): Promise<void>;
}

async function makeProject(files: Record<string, string>): Promise<Project> {
  const base = await Deno.realPath(await Deno.makeTempDir({ prefix: "crm-lint-" }));
  const root = path.join(base, "proj");
  const markers = path.join(base, "markers");
  await Deno.mkdir(root);
  await Deno.mkdir(markers);
  for (const [rel, text] of Object.entries(files)) {
    const abs = path.join(root, rel);
    await Deno.mkdir(path.dirname(abs), { recursive: true });
    await Deno.writeTextFile(abs, text.replaceAll("@MARKERS@", markers));
  }
  return { root, markers, cleanup: () => Deno.remove(base, { recursive: true }) };
}

async function markersIn(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

interface LintRun {
  run: RunCommandResult;
  diagnostics: Diagnostic[];
}

/** Runs a linter exactly as the server does (argv, env, cwd = root), or with `args` to show an attack works. */
async function lint(
  linter: SubprocessLinter,
  root: string,
  rel: string,
  args?: string[],
): Promise<LintRun> {
  const spec = LINTERS[linter];
  const abs = path.join(root, rel);
  const run = await runCommand({
    op: "runCommand",
    binary: spec.binary,
    args: args ?? spec.buildArgs(abs),
    env: spec.env(TEST_PATH),
    cwd: root,
    timeoutMs: 120_000,
    maxOutputBytes: spec.maxOutputBytes,
  });
  assert(
    !run.notFound,
    `${spec.binary} is not installed on this machine: install it with ${spec.installHint}`,
  );
  assert(!run.timedOut && !run.truncated, `${linter}: timed out or truncated`);
  const parsed = spec.parse(run.stdout, run.stderr, run.code, rel);
  if (!parsed.ok) throw new Error(`${linter} on ${JSON.stringify(rel)}: ${parsed.reason}`);
  return { run, diagnostics: parsed.value };
}

function codes(r: LintRun): string[] {
  return r.diagnostics.map((d) => d.code);
}

const EVIL_PLUGIN_PY = `
open("@MARKERS@/plugin-imported", "w").write("x")

class Plugin:
    name = "evil"
    version = "1"

    def __init__(self, tree):
        pass

    def run(self):
        return iter(())


def register(linter):
    pass
`;

const FLAKE8_SECTION = `[flake8]
max-line-length = 300
select = E9
[flake8:local-plugins]
extension =
    EVL = evil_plugin:Plugin
paths = .
`;

const PYLINT_INI = (where: string) =>
  `[MAIN]
init-hook=open("@MARKERS@/init-hook-${where}", "w").write("x")
load-plugins=evil_plugin
disable=all
`;

const PYLINT_SETUP_CFG = (where: string) =>
  `[pylint.main]
init-hook=open("@MARKERS@/init-hook-${where}", "w").write("x")
load-plugins=evil_plugin
disable=all
`;

const PYLINT_TOML = `[tool.pylint.main]
init-hook = 'open("@MARKERS@/init-hook-pyproject", "w").write("x")'
load-plugins = ["evil_plugin"]
disable = ["all"]
`;

const LONG_PY = `"""Module."""\nimport os\nVALUE = "${"x".repeat(120)}"\n`;

Deno.test("flake8 ignores .flake8, setup.cfg and tox.ini, so their local plugins never load", async () => {
  for (const config of [".flake8", "setup.cfg", "tox.ini"]) {
    const p = await makeProject({
      [config]: FLAKE8_SECTION,
      "evil_plugin.py": EVIL_PLUGIN_PY,
      "target.py": LONG_PY,
    });
    try {
      // Control: flake8 without --isolated loads the project's plugin (the attack is real).
      await lint("flake8", p.root, "target.py", [path.join(p.root, "target.py")]).catch(() =>
        undefined
      );
      assertEquals(await markersIn(p.markers), ["plugin-imported"], `control for ${config}`);
      await Deno.remove(path.join(p.markers, "plugin-imported"));

      const r = await lint("flake8", p.root, "target.py");
      assertEquals(await markersIn(p.markers), [], config);
      // select = E9 and max-line-length = 300 were not applied either.
      assert(codes(r).includes("E501") && codes(r).includes("F401"), `${config}: ${codes(r)}`);
    } finally {
      await p.cleanup();
    }
  }
});

Deno.test("pylint ignores pylintrc, .pylintrc, pyproject.toml, setup.cfg and tox.ini: no init-hook, no plugin", async () => {
  const table: [string, string, boolean][] = [
    // [file, content, whether this pylint version reads it without our flags]
    ["pylintrc", PYLINT_INI("pylintrc"), true],
    [".pylintrc", PYLINT_INI("dot-pylintrc"), true],
    ["pyproject.toml", PYLINT_TOML, true],
    ["setup.cfg", PYLINT_SETUP_CFG("setup-cfg"), true],
    ["tox.ini", PYLINT_SETUP_CFG("tox-ini"), false],
  ];
  await Promise.all(table.map(async ([config, content, readByDefault]) => {
    const p = await makeProject({
      [config]: content,
      "evil_plugin.py": EVIL_PLUGIN_PY,
      "target.py": LONG_PY,
    });
    try {
      if (readByDefault) {
        await lint("pylint", p.root, "target.py", [
          "--output-format=json",
          path.join(p.root, "target.py"),
        ]).catch(() => undefined);
        assert(
          (await markersIn(p.markers)).length > 0,
          `control for ${config}: the hook did not run`,
        );
        for (const m of await markersIn(p.markers)) await Deno.remove(path.join(p.markers, m));
      }
      const r = await lint("pylint", p.root, "target.py");
      assertEquals(await markersIn(p.markers), [], config);
      // disable=all was not applied.
      assert(codes(r).includes("C0301") && codes(r).includes("W0611"), `${config}: ${codes(r)}`);
    } finally {
      await p.cleanup();
    }
  }));
});

Deno.test("pylint ignores a .pylintrc in the file's package and never runs the package's __init__", async () => {
  const p = await makeProject({
    "pkg/__init__.py": `open("@MARKERS@/package-init-ran", "w").write("x")\n`,
    "pkg/.pylintrc": PYLINT_INI("pkg"),
    "pkg/evil_plugin.py": EVIL_PLUGIN_PY,
    "pkg/mod.py": `"""Doc."""\nimport pkg.sub\nfrom pkg import thing\nprint(pkg.sub, thing)\n`,
    "evil_plugin.py": EVIL_PLUGIN_PY,
    ".pylintrc": PYLINT_INI("root"),
  });
  try {
    const r = await lint("pylint", p.root, "pkg/mod.py");
    assertEquals(await markersIn(p.markers), []);
    assert(r.diagnostics.length > 0 && r.diagnostics.every((d) => d.file === "pkg/mod.py"));
  } finally {
    await p.cleanup();
  }
});

Deno.test("flake8 and pylint never import a project file that shadows a standard-library module", async () => {
  const py = new Deno.Command("python3", {
    args: ["-c", "import sys; print('\\n'.join(sorted(sys.stdlib_module_names)))"],
  });
  const names = new TextDecoder().decode((await py.output()).stdout).split("\n").filter((n) =>
    /^[a-z_][a-z0-9_]*$/.test(n)
  );
  assert(names.length > 100, "could not list the standard library");
  const files: Record<string, string> = {};
  for (
    const n of [
      ...names,
      "astroid",
      "pylint",
      "flake8",
      "pyflakes",
      "pycodestyle",
      "mccabe",
      "isort",
      "platformdirs",
      "tomlkit",
      "dill",
    ]
  ) {
    files[`${n}.py`] =
      `open("@MARKERS@/shadow-${n}", "w").write("x")\nraise ImportError("shadow")\n`;
  }
  files["target.py"] =
    `"""Doc."""\nimport json\nimport csv\nfrom os import path\nprint(json, csv, path)\n`;
  const p = await makeProject(files);
  try {
    await lint("flake8", p.root, "target.py");
    await lint("pylint", p.root, "target.py");
    assertEquals(await markersIn(p.markers), []);
  } finally {
    await p.cleanup();
  }
});

Deno.test("shellcheck ignores .shellcheckrc and does not follow sources", async () => {
  const p = await makeProject({
    ".shellcheckrc": "disable=SC2086\nexternal-sources=true\n",
    "scripts/.shellcheckrc": "disable=SC2086\nexternal-sources=true\n",
    "scripts/run.sh": "#!/bin/sh\n# shellcheck source=/etc/profile\n. ./lib.sh\necho $1\n",
  });
  try {
    const control = await lint("shellcheck", p.root, "scripts/run.sh", [
      "--format=json1",
      path.join(p.root, "scripts/run.sh"),
    ]);
    assert(!codes(control).includes("SC2086"), "control: the rc file was not read");
    const r = await lint("shellcheck", p.root, "scripts/run.sh");
    assert(codes(r).includes("SC2086"), `disable=SC2086 was applied: ${codes(r)}`);
    const notFollowing = r.diagnostics.find((d) => d.code === "SC1091");
    assert(notFollowing, `the source was followed: ${codes(r)}`);
    assertMatch(notFollowing.message, /Not following/);
  } finally {
    await p.cleanup();
  }
});

const EVIL_DENO_PLUGIN = `
try { Deno.writeTextFileSync("@MARKERS@/deno-plugin-ran", "x"); } catch { /* no permission */ }
export default {
  name: "evil",
  rules: {
    marker: {
      create(ctx: { report(d: { node: unknown; message: string }): void }) {
        return { Program(node: unknown) { ctx.report({ node, message: "EVIL PLUGIN LOADED" }); } };
      },
    },
  },
};
`;

Deno.test("deno lint ignores deno.json and deno.jsonc, so lint plugins and rule settings never load", async () => {
  for (const config of ["deno.json", "deno.jsonc"]) {
    const p = await makeProject({
      [config]: JSON.stringify({
        lint: {
          plugins: ["./evil_plugin.ts"],
          rules: { exclude: ["no-unused-vars", "no-debugger"] },
        },
      }),
      "evil_plugin.ts": EVIL_DENO_PLUGIN,
      "src/app.ts": "const unused = 1;\ndebugger;\n",
    });
    try {
      const control = await lint("deno-lint", p.root, "src/app.ts", [
        "lint",
        "--json",
        path.join(p.root, "src/app.ts"),
      ]);
      assert(
        codes(control).includes("evil/marker"),
        `control for ${config}: the plugin did not load`,
      );
      const r = await lint("deno-lint", p.root, "src/app.ts");
      assertEquals(codes(r).sort(), ["no-debugger", "no-unused-vars"], config);
      assertEquals(await markersIn(p.markers), [], config);
    } finally {
      await p.cleanup();
    }
  }
});

Deno.test("real linters take file names that look like options or shell code as plain files", async () => {
  const names = [
    "-rf",
    "--init-hook=open('MARKER','w')",
    "a;rm -rf x",
    "$(touch MARKER)",
    "`touch MARKER`",
    "name with spaces",
    "@argfile",
    "new\nline",
  ];
  const sources: Record<string, [string, string, string]> = {
    // linter: [extension, content, a code it must report]
    flake8: [".py", "import os\n", "F401"],
    pylint: [".py", '"""Doc."""\nimport os\n', "W0611"],
    shellcheck: [".sh", "#!/bin/sh\necho $1\n", "SC2086"],
    "deno-lint": [".ts", "const unused = 1;\n", "no-unused-vars"],
  };
  const files: Record<string, string> = {};
  for (const [ext, content] of Object.values(sources)) {
    for (const n of names) files[`${n}${ext}`] = content;
  }
  const p = await makeProject(files);
  try {
    await Promise.all(
      Object.entries(sources).flatMap(([linter, [ext, , code]]) =>
        names.map(async (n) => {
          const r = await lint(linter as SubprocessLinter, p.root, `${n}${ext}`);
          assert(codes(r).includes(code), `${linter} on ${JSON.stringify(n + ext)}: ${codes(r)}`);
          assert(r.diagnostics.every((d) => d.file === `${n}${ext}`));
        })
      ),
    );
    const left = [];
    for await (const e of Deno.readDir(p.root)) left.push(e.name);
    assert(!left.includes("MARKER") && !left.includes("x"), `a name ran as code: ${left}`);
    assertEquals(await markersIn(p.markers), []);
  } finally {
    await p.cleanup();
  }
});

Deno.test("real linters find in text on standard input what they find in the same file", async () => {
  const files = {
    "pkg/mod.py":
      "import os\nimport sys\n\n\ndef f(x=[]):\n    return sys.argv  # a long comment " +
      "x".repeat(70) + "\n",
    "run.sh": "#!/bin/bash\necho $1\nrm -rf $2/*\n",
    "ui/App.tsx": "let a = <div>{1}</div>;\nexport const b = a;\nvar c = 2;\nexport { c };\n",
  };
  const p = await makeProject(files);
  try {
    for (
      const [linter, rel, flags] of [
        ["flake8", "pkg/mod.py", ["--max-line-length=100", "--per-file-ignores=pkg/*:E501"]],
        ["pylint", "pkg/mod.py", ["--max-line-length=100"]],
        ["shellcheck", "run.sh", []],
        ["deno-lint", "ui/App.tsx", []],
      ] as const
    ) {
      const spec = LINTERS[linter];
      const abs = path.join(p.root, rel);
      const fromFile = await lint(linter, p.root, rel, spec.buildArgs(abs, undefined, flags));
      const run = await runCommand({
        op: "runCommand",
        binary: spec.binary,
        args: spec.stdinArgs!(abs, flags),
        env: spec.env(TEST_PATH),
        cwd: p.root,
        timeoutMs: 120_000,
        maxOutputBytes: spec.maxOutputBytes,
        stdin: files[rel as keyof typeof files],
      });
      const parsed = spec.parse(run.stdout, run.stderr, run.code, rel);
      assert(parsed.ok, `${linter}: ${!parsed.ok ? parsed.reason : ""}`);
      assert(fromFile.diagnostics.length > 0, linter);
      assertEquals(parsed.value, fromFile.diagnostics, linter);
    }
  } finally {
    await p.cleanup();
  }
});

Deno.test("real linters report a clean file as clean and a missing file as a failure", async () => {
  const p = await makeProject({
    "ok.py": '"""A clean module."""\n\nVALUE = 1\n',
    "ok.sh": '#!/bin/sh\necho "ok"\n',
    "ok.ts": "export const a = 1;\n",
  });
  try {
    for (
      const [linter, file] of [["flake8", "ok.py"], ["pylint", "ok.py"], ["shellcheck", "ok.sh"], [
        "deno-lint",
        "ok.ts",
      ]] as const
    ) {
      const r = await lint(linter, p.root, file);
      assertEquals(r.diagnostics, [], linter);
      assertEquals(r.run.code, 0, linter);
    }
    // A file that vanished between the policy check and the run.
    const sc = LINTERS.shellcheck;
    const run = await runCommand({
      op: "runCommand",
      binary: sc.binary,
      args: sc.buildArgs(path.join(p.root, "gone.sh")),
      env: sc.env(TEST_PATH),
      cwd: p.root,
      timeoutMs: 60_000,
      maxOutputBytes: sc.maxOutputBytes,
    });
    const parsed = sc.parse(run.stdout, run.stderr, run.code, "gone.sh");
    assert(!parsed.ok);
    assertMatch(parsed.reason, /^shellcheck exited with code 2: .*gone\.sh/);
  } finally {
    await p.cleanup();
  }
});
