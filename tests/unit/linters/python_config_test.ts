import { assert, assertEquals } from "../../assert.ts";
import {
  describeConfig,
  flake8Config,
  foldContinuations,
  pylintConfig,
} from "../../../src/linters/python_config.ts";
import { LINTERS } from "../../../src/policy/commands.ts";
import { EMPTY_OUTPUT, splitByFile } from "../../../src/linters/batch.ts";
import { parseFlake8 } from "../../../src/linters/parsers.ts";

const f8 = (name: string, text: string) => flake8Config([{ name, text }]);
const pl = (name: string, text: string) => pylintConfig([{ name, text }]);

Deno.test("flake8: each allowed option becomes one checked --name=value flag", () => {
  const table: [string, string][] = [
    ["max-line-length = 120", "--max-line-length=120"],
    ["max_line_length = 120", "--max-line-length=120"],
    ["max-doc-length = 72", "--max-doc-length=72"],
    ["max-complexity = 10", "--max-complexity=10"],
    ["indent-size = 2", "--indent-size=2"],
    ["select = E,W,F", "--select=E,W,F"],
    ["ignore = E203, W503", "--ignore=E203,W503"],
    ["extend-select = B950", "--extend-select=B950"],
    ["extend-ignore =\n    E203,\n    E501", "--extend-ignore=E203,E501"],
    [
      "per-file-ignores =\n    __init__.py: F401\n    tests/*: S101,E501",
      "--per-file-ignores=__init__.py:F401 tests/*:S101,E501",
    ],
  ];
  for (const [line, flag] of table) {
    for (const name of [".flake8", "setup.cfg", "tox.ini"]) {
      const c = f8(name, `[flake8]\n${line}\n`);
      assertEquals(c.flags, [flag], `${name}: ${line}`);
      assertEquals(c.configFile, name);
      assertEquals(c.refused, []);
    }
  }
});

Deno.test("flake8: local-plugins, plugin options and unknown options are never passed; bad values are left out", () => {
  const c = f8(
    "setup.cfg",
    "[flake8]\nmax-line-length = 99\nrequire-plugins = flake8-evil\nenable-extensions = X1\nexclude = .git\n" +
      "format = %(path)s\nmax-complexity = ten\nselect = E501$rm\n[flake8:local-plugins]\nextension =\n    EVL = evil:Plugin\npaths = ./tools\n",
  );
  assertEquals(c.flags, ["--max-line-length=99"]);
  assertEquals(c.refused.sort(), ["enable-extensions", "local-plugins", "require-plugins"]);
  assert(c.ignored.includes("format"));
  // exclude is flake8's file selection: applied by the project walk, never passed as a flag.
  assertEquals(c.files, { exclude: [".git"] });
  assert(c.ignored.includes("max-complexity (value not understood)"));
  assertEquals(describeConfig(c)?.startsWith("setup.cfg (refused, they load code: "), true);
  // A per-file pattern that reads as an option is refused whole.
  assertEquals(f8(".flake8", "[flake8]\nper-file-ignores = --output-file=x:E1\n").flags, []);
});

Deno.test("flake8: the first of setup.cfg, tox.ini, .flake8 with a [flake8] section wins, as flake8 decides", () => {
  const c = flake8Config([
    { name: "setup.cfg", text: "[metadata]\nname = x\n" },
    { name: "tox.ini", text: "[flake8]\nmax-line-length = 110\n" },
    { name: ".flake8", text: "[flake8]\nmax-line-length = 90\n" },
  ]);
  assertEquals([c.configFile, c.flags], ["tox.ini", ["--max-line-length=110"]]);
  assertEquals(flake8Config([{ name: "setup.cfg", text: null }]), {
    flags: [],
    refused: [],
    ignored: [],
  });
});

Deno.test("pylint: each allowed option from pylintrc, pyproject.toml, setup.cfg and tox.ini", () => {
  const table: [string, string][] = [
    ["max-line-length=100", "--max-line-length=100"],
    ["max-args=8", "--max-args=8"],
    ["max-locals=20", "--max-locals=20"],
    ["max-branches=15", "--max-branches=15"],
    ["max-statements=60", "--max-statements=60"],
    ["max-returns=8", "--max-returns=8"],
    ["max-attributes=10", "--max-attributes=10"],
    ["max-module-lines=2000", "--max-module-lines=2000"],
    ["disable=C0114,\n  missing-function-docstring", "--disable=C0114,missing-function-docstring"],
    ["enable=useless-suppression", "--enable=useless-suppression"],
  ];
  for (const [line, flag] of table) {
    assertEquals(pl(".pylintrc", `[MAIN]\n${line}\n`).flags, [flag], `.pylintrc ${line}`);
    assertEquals(pl("pylintrc", `[FORMAT]\n${line}\n`).flags, [flag], `pylintrc ${line}`);
    assertEquals(
      pl("setup.cfg", `[pylint.messages control]\n${line}\n`).flags,
      [flag],
      `setup.cfg ${line}`,
    );
    assertEquals(pl("tox.ini", `[pylint.main]\n${line}\n`).flags, [flag], `tox.ini ${line}`);
  }
  const toml = pl(
    "pyproject.toml",
    '[tool.pylint.format]\nmax-line-length = 100\n[tool.pylint."messages control"]\ndisable = ["C0114", "W0611"]\n',
  );
  assertEquals(toml.flags, ["--max-line-length=100", "--disable=C0114,W0611"]);
  assertEquals(toml.configFile, "pyproject.toml");
});

Deno.test("pylint: load-plugins and init-hook are refused wherever they are written", () => {
  const cases: [string, string][] = [
    [".pylintrc", "[MAIN]\nload-plugins=evil\ninit-hook='import os; os.system(\"x\")'\n"],
    ["setup.cfg", "[pylint.main]\nload-plugins = evil\ninit-hook = import os\n"],
    ["pyproject.toml", '[tool.pylint.main]\nload-plugins = ["evil"]\ninit-hook = "import os"\n'],
    ["tox.ini", "[pylint.MAIN]\nload_plugins = evil\ninit_hook = import os\n"],
  ];
  for (const [name, text] of cases) {
    const c = pl(name, text);
    assertEquals(c.flags, [], name);
    assertEquals(c.refused.sort(), ["init-hook", "load-plugins"], name);
  }
  assertEquals(pl("pyproject.toml", "[tool.ruff]\nline-length = 100\n").configFile, undefined);
  assert(pl("pyproject.toml", "[tool.pylint\n").error);
});

Deno.test("foldContinuations() joins indented lines onto their value and drops comments inside", () => {
  assertEquals(
    foldContinuations("[a]\nk =\n    x,  # why\n    ; note\n    y\nz = 1\n"),
    "[a]\nk = x, y\nz = 1\n",
  );
});

Deno.test('buildArgs() places the project\'s flags before "--" and refuses anything that is not --name=value', () => {
  const args = LINTERS.flake8.buildArgs(["/p/a.py", "/p/b.py"], undefined, [
    "--max-line-length=120",
  ]);
  assertEquals(args.slice(-4), ["--max-line-length=120", "--", "/p/a.py", "/p/b.py"]);
  let threw = false;
  try {
    LINTERS.pylint.buildArgs("/p/a.py", undefined, ["--load-plugins", "evil"]);
  } catch {
    threw = true;
  }
  assert(threw);
});

Deno.test("splitByFile() gives each file its share in the linter's own format", () => {
  const flake8 = splitByFile(
    "flake8",
    "/p/a.py\x1f1:1:F401:'os' imported but unused\n/p/b.py\x1f2:80:E501:line too long\n",
    "/p",
    ["/p/a.py", "/p/b.py"],
  );
  assert(flake8.ok);
  const a = parseFlake8(flake8.value.get("/p/a.py")!, "", 1, "a.py");
  assert(a.ok);
  assertEquals(a.value.map((d) => d.code), ["F401"]);
  const pylint = splitByFile(
    "pylint",
    JSON.stringify([{ path: "b.py", line: 1 }, { path: "a.py", line: 2 }]),
    "/p",
    ["/p/a.py", "/p/b.py"],
  );
  assert(pylint.ok);
  assertEquals(JSON.parse(pylint.value.get("/p/a.py")!), [{ path: "a.py", line: 2 }]);
  const sc = splitByFile(
    "shellcheck",
    JSON.stringify({ comments: [{ file: "/p/s.sh", line: 1 }] }),
    "/p",
    ["/p/s.sh"],
  );
  assert(sc.ok);
  assertEquals(JSON.parse(sc.value.get("/p/s.sh")!).comments.length, 1);
  const deno = splitByFile(
    "deno-lint",
    JSON.stringify({ diagnostics: [{ filename: "file:///p/w.ts" }], errors: [] }),
    "/p",
    ["/p/w.ts"],
  );
  assert(deno.ok && deno.value.has("/p/w.ts"));
  const stranger = splitByFile("pylint", JSON.stringify([{ path: "/etc/passwd" }]), "/p", [
    "/p/a.py",
  ]);
  assert(!stranger.ok);
  assertEquals(EMPTY_OUTPUT.flake8, "");
});
