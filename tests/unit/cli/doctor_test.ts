/** doctor's pure parts: version parsing, the report lines, the exit code. */
import { assertEquals } from "../../assert.ts";
import { exitCodeFor, formatCheck, permissionChecks, versionIn } from "../../../src/cli/doctor.ts";

Deno.test("versionIn() finds the version in each linter's --version output", () => {
  const table: [string, string | undefined][] = [
    [
      "6.0.0 (mccabe: 0.7.0, pycodestyle: 2.10.0, pyflakes: 3.0.1) CPython 3.11.2 on Linux\n",
      "6.0.0",
    ],
    ["pylint 2.16.2\nastroid 2.14.2\nPython 3.11.2\n", "2.16.2"],
    [
      "ShellCheck - shell script analysis tool\nversion: 0.9.0\nlicense: GNU General Public License, version 3\n",
      "0.9.0",
    ],
    ["ruff 0.16.9\n", "0.16.9"],
    ["deno 2.9.6 (stable, release, x86_64-unknown-linux-gnu)\nv8 15.0\n", "2.9.6"],
    ["command not found\n", undefined],
  ];
  for (const [out, v] of table) assertEquals(versionIn(out), v, out);
});

Deno.test("formatCheck() lines up the status and exitCodeFor() fails only on a failure", () => {
  assertEquals(formatCheck({ status: "ok", label: "root", detail: "/p" }), "ok    root: /p");
  assertEquals(
    formatCheck({ status: "warn", label: "github", detail: "unreachable" }),
    "warn  github: unreachable",
  );
  assertEquals(
    exitCodeFor([{ status: "ok", label: "a", detail: "" }, {
      status: "warn",
      label: "b",
      detail: "",
    }]),
    0,
  );
  assertEquals(
    exitCodeFor([{ status: "info", label: "a", detail: "" }, {
      status: "fail",
      label: "b",
      detail: "",
    }]),
    1,
  );
});

Deno.test("permissionChecks() reports what this process holds (the test runner may read and write everything)", () => {
  const checks = permissionChecks({ githubNet: "raw.githubusercontent.com:443" }, "/");
  const byLabel = new Map(checks.map((c) => [c.label, c]));
  assertEquals(byLabel.get("permission read")?.status, "ok");
  assertEquals(byLabel.get("permission write")?.status, "warn");
  assertEquals(byLabel.get("permission net")?.status, "warn");
});

Deno.test("permissionChecks() calls an unscoped read a compiled binary's only when it is one", () => {
  const config = { githubNet: "raw.githubusercontent.com:443" };
  const readOf = (standalone: boolean) =>
    permissionChecks(config, "/", standalone).find((c) => c.label === "permission read")?.detail;
  assertEquals(
    readOf(false),
    "every path (deno run with an unscoped --allow-read); the sandbox worker is narrowed to the root",
  );
  assertEquals(
    readOf(true),
    "every path (compiled binary); the sandbox worker is narrowed to the root",
  );
});
