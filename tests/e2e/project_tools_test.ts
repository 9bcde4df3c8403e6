/**
 * End to end, the whole project in one call: run_linter on "." and on folders, search_code and a
 * deep list_directory, against the real program started with the README's flags.
 */
import { assert, assertEquals, assertMatch } from "../assert.ts";
import * as path from "node:path";
import type { CallToolResult } from "../../src/sdk.ts";
import { connect, type Connected, makeProject } from "./harness.ts";
import { assertEveryHostSeesPayload } from "../host_views.ts";

function text(r: CallToolResult): string {
  return r.content.map((c) => (c.type === "text" ? c.text : "")).join("\n");
}

async function call(
  s: Connected,
  name: string,
  args: Record<string, unknown>,
): Promise<CallToolResult> {
  return (await s.client.callTool({ name, arguments: args })) as CallToolResult;
}

interface Finding {
  file: string;
  line: number;
  column: number;
  code: string;
  severity: string;
  message: string;
}

function key(d: Finding): string {
  return `${d.file}:${d.line}:${d.column}:${d.code}`;
}

/**
 * Adds a small project beside the fixture's files: ignored, vendored, nested and minified content.
 * A git repository, as ruff (like git) applies .gitignore files only inside one.
 */
async function grow(root: string): Promise<void> {
  const init = await new Deno.Command("git", { args: ["init", "-q", root] }).output();
  if (!init.success) throw new Error(new TextDecoder().decode(init.stderr));
  const w = (rel: string, body: string) =>
    Deno.mkdir(path.dirname(path.join(root, rel)), { recursive: true }).then(() =>
      Deno.writeTextFile(path.join(root, rel), body)
    );
  await w(".gitignore", "generated/\n*.log\n!keep.log\n");
  await w("pkg/__init__.py", "");
  await w("pkg/users.py", "import os\n\n\ndef get_user(uid):\n    return uid\n");
  await w(
    "pkg/views.py",
    "from pkg.users import get_user\n\n\ndef show(uid):\n    return get_user(uid)\n",
  );
  await w("pkg/sub/.gitignore", "local_only.py\n");
  await w("pkg/sub/local_only.py", "import sys\nget_user = 1\n");
  await w("pkg/sub/tool.py", "import json\nx = get_user\n");
  await w("generated/out.py", "import os\nget_user = 2\n");
  await w("node_modules/lib/index.py", "import os\nget_user = 3\n");
  await w("debug.log", "get_user\n");
  await w("keep.log", "get_user kept\n");
  await w("bundle.min.js", "var get_user=1;\n");
  await w("long.py", "import os\nX = '" + "y".repeat(5000) + "'  # get_user\n");
  await w(".env", "get_user=secret\n");
}

Deno.test("project tools: lint, search and list the whole project in one call each", async (t) => {
  const project = await makeProject();
  const root = project.root;
  await grow(root);
  const s = await connect(root);
  try {
    await t.step(
      'run_linter "." finds what per-file calls find, and skips what the project ignores',
      async () => {
        const r = await call(s, "run_linter", { file_path: "." });
        assert(!r.isError, text(r));
        const sc = r.structuredContent as {
          files_checked: number;
          diagnostics: Finding[];
          count: number;
          skipped: Record<string, number>;
          summary: unknown;
        };
        assert(sc.summary, "summary first");
        assertMatch(text(r), /^\.: \d+ files checked/);
        const files = new Set(sc.diagnostics.map((d) => d.file));
        for (
          const ignored of [
            "generated/out.py",
            "node_modules/lib/index.py",
            "pkg/sub/local_only.py",
            "long.py",
          ]
        ) {
          assert(!files.has(ignored), `${ignored} should be skipped`);
        }
        assert((sc.skipped["minified"] ?? 0) >= 1, JSON.stringify(sc.skipped));
        const perFile: Finding[] = [];
        for (
          const f of [
            "src/app.py",
            "src/clean.py",
            "pkg/users.py",
            "pkg/views.py",
            "pkg/sub/tool.py",
            "pkg/__init__.py",
            "scripts/dirty.sh",
            "scripts/clean.sh",
            "src/web.ts",
          ]
        ) {
          const one = await call(s, "run_linter", { file_path: f });
          assert(!one.isError, `${f}: ${text(one)}`);
          perFile.push(...(one.structuredContent as { diagnostics: Finding[] }).diagnostics);
        }
        assertEquals(sc.diagnostics.map(key).sort(), perFile.map(key).sort());
        assertEquals(sc.count, perFile.length);
      },
    );

    await t.step("a project lint reports progress as files finish", async () => {
      const seen: { progress: number; total?: number }[] = [];
      const r =
        (await s.client.callTool({ name: "run_linter", arguments: { file_path: "." } }, undefined, {
          onprogress: (p) =>
            seen.push({
              progress: p.progress,
              ...(p.total !== undefined ? { total: p.total } : {}),
            }),
        })) as CallToolResult;
      assert(!r.isError, text(r));
      const checked = (r.structuredContent as { files_checked: number }).files_checked;
      // The SDK client hands notifications to their handler a tick after it reads them, so one that
      // arrives in the same read as the result is dropped: only the first is certain to be seen.
      assert(seen.length >= 1, JSON.stringify(seen));
      assertEquals(seen[0]!.progress, 0);
      assert(seen[0]!.total! >= checked, JSON.stringify(seen));
      for (let i = 1; i < seen.length; i++) {
        assert(
          seen[i]!.progress >= seen[i - 1]!.progress && seen[i]!.progress <= seen[i]!.total!,
          JSON.stringify(seen),
        );
      }
    });

    await t.step(
      "run_linter on a folder with a named linter takes only the files it handles",
      async () => {
        const r = await call(s, "run_linter", { file_path: "scripts", linter: "shellcheck" });
        assert(!r.isError, text(r));
        const sc = r.structuredContent as { files_checked: number; linter: string };
        assertEquals(sc.files_checked, 2);
        assertEquals(sc.linter, "shellcheck");
        const g = await call(s, "run_linter", { file_path: "pkg/**/*.py", linter: "flake8" });
        assert(!g.isError, text(g));
        assertEquals((g.structuredContent as { files_checked: number }).files_checked, 4);
      },
    );

    await t.step("paging a project lint returns every finding exactly once", async () => {
      // Many findings: 300 files with unused imports, paged by a small budget.
      for (let i = 0; i < 300; i++) {
        await Deno.writeTextFile(path.join(root, "pkg", `m${i}.py`), "import os\nimport sys\n");
      }
      const first = await call(s, "run_linter", { file_path: "pkg" });
      const all = (first.structuredContent as { count: number }).count;
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const r = await call(s, "run_linter", { file_path: "pkg", ...(cursor ? { cursor } : {}) });
        assert(!r.isError, text(r));
        const sc = r.structuredContent as { diagnostics: Finding[]; next_cursor?: string };
        seen.push(...sc.diagnostics.map(key));
        cursor = sc.next_cursor;
        pages++;
      } while (cursor && pages < 50);
      assert(pages > 1, "more than one page");
      assertEquals(seen.length, all);
      assertEquals(new Set(seen).size, all);
      for (let i = 0; i < 300; i++) await Deno.remove(path.join(root, "pkg", `m${i}.py`));
    });

    await t.step(
      "search_code finds every usage, in vendored folders no ignore file names too (as rg), and nothing in ignored or credential files",
      async () => {
        const r = await call(s, "search_code", { query: "get_user" });
        assert(!r.isError, text(r));
        const sc = r.structuredContent as {
          matches: { file: string; line: number; column: number; text: string }[];
          partial: boolean;
        };
        const where = sc.matches.map((m) => `${m.file}:${m.line}`).sort();
        assertEquals(where, [
          "keep.log:1",
          "node_modules/lib/index.py:2",
          "pkg/sub/tool.py:2",
          "pkg/users.py:4",
          "pkg/views.py:1",
          "pkg/views.py:5",
        ]);
        assertEquals(sc.partial, false);
        const m = sc.matches.find((x) => x.file === "pkg/users.py")!;
        assertEquals(m.column, 5);
        assertEquals(m.text, "def get_user(uid):");
        assertEveryHostSeesPayload(r, { facts: ["pkg/users.py", "def get_user(uid):"] });
      },
    );

    await t.step("search_code: regex, case, glob and context lines", async () => {
      const r = await call(s, "search_code", {
        query: "def \\w+\\(uid\\)",
        regex: true,
        glob: "*.py",
        context_lines: 1,
      });
      assert(!r.isError, text(r));
      const sc = r.structuredContent as {
        matches: { file: string; before?: string[]; after?: string[] }[];
      };
      assertEquals(sc.matches.map((x) => x.file), ["pkg/users.py", "pkg/views.py"]);
      assertEquals(sc.matches[0]!.after, ["    return uid"]);
      const none = await call(s, "search_code", { query: "GET_USER", case_sensitive: true });
      assertEquals((none.structuredContent as { total_matches: number }).total_matches, 0);
      const bad = await call(s, "search_code", { query: "(?=x)", regex: true });
      assert(bad.isError);
      assertMatch(text(bad), /^Cannot search "\(\?=x\)": not a valid regular expression/);
    });

    await t.step(
      "a catastrophically backtracking regex completes in bounded time and the server still answers",
      async () => {
        await Deno.writeTextFile(path.join(root, "evil.txt"), "a".repeat(50_000) + "!\n");
        const r = await call(s, "search_code", { query: "(a+)+$", regex: true, path: "evil.txt" });
        assert(!r.isError, text(r));
        const again = await call(s, "list_directory", { dir_path: "." });
        assert(!again.isError);
      },
    );

    await t.step("list_directory with depth shows the tree under the ignore rules", async () => {
      const r = await call(s, "list_directory", { dir_path: ".", depth: 3 });
      assert(!r.isError, text(r));
      const sc = r.structuredContent as { entries: { name: string }[]; hidden: number };
      const names = sc.entries.map((e) => e.name);
      for (const n of ["pkg/users.py", "pkg/sub/tool.py", "src/app.py", "keep.log"]) {
        assert(names.includes(n), n);
      }
      for (const n of ["generated", "node_modules", "debug.log", "pkg/sub/local_only.py"]) {
        assert(!names.includes(n), n);
      }
      assert(sc.hidden >= 4);
      const all = await call(s, "list_directory", {
        dir_path: ".",
        depth: 2,
        include_ignored: true,
      });
      const allNames =
        (all.structuredContent as { entries: { name: string; ignored?: boolean }[] }).entries;
      assert(allNames.some((e) => e.name === "generated/out.py" && e.ignored));
    });

    await t.step(
      "flake8 and pylint honour the project's safe settings and name the file; plugins and hooks are refused",
      async () => {
        await Deno.mkdir(path.join(root, "cfg"));
        await Deno.writeTextFile(
          path.join(root, "setup.cfg"),
          "[flake8]\nmax-line-length = 120\n[flake8:local-plugins]\nextension =\n    EVL = evil:Plugin\n",
        );
        await Deno.writeTextFile(
          path.join(root, ".pylintrc"),
          "[MAIN]\nload-plugins=evil_plugin_that_does_not_exist\ninit-hook='import sys; sys.exit(3)'\n[FORMAT]\nmax-line-length=120\n",
        );
        const long = (n: number) => `X = "${"a".repeat(n - 6)}"\n`;
        await Deno.writeTextFile(path.join(root, "cfg", "mid.py"), '"""Doc."""\n' + long(100));
        await Deno.writeTextFile(path.join(root, "cfg", "far.py"), '"""Doc."""\n' + long(130));
        for (const linter of ["flake8", "pylint"]) {
          const mid = await call(s, "run_linter", { file_path: "cfg/mid.py", linter });
          assert(!mid.isError, text(mid));
          const sc = mid.structuredContent as { diagnostics: Finding[]; config_file?: string };
          assertEquals(
            sc.diagnostics.filter((d) => d.code === "E501" || d.code === "C0301"),
            [],
            linter,
          );
          assertMatch(
            sc.config_file ?? "",
            linter === "flake8"
              ? /^setup\.cfg \(refused, they load code: local-plugins/
              : /^\.pylintrc \(refused, they load code: load-plugins, init-hook/,
          );
          const far = await call(s, "run_linter", { file_path: "cfg", linter });
          assert(!far.isError, text(far));
          const farSc = far.structuredContent as {
            diagnostics: Finding[];
            config_files?: string[];
          };
          assertEquals(
            farSc.diagnostics.filter((d) => d.code === "E501" || d.code === "C0301").map((d) =>
              d.file
            ),
            ["cfg/far.py"],
            linter,
          );
          assert(
            farSc.config_files?.some((c) => c.startsWith(`${linter}: `)),
            JSON.stringify(farSc.config_files),
          );
        }
        await Deno.remove(path.join(root, "setup.cfg"));
        await Deno.remove(path.join(root, ".pylintrc"));
      },
    );

    await t.step("cancelling a project lint stops it and the server goes on", async () => {
      for (let i = 0; i < 60; i++) {
        await Deno.writeTextFile(path.join(root, "pkg", `c${i}.py`), "import os\n");
      }
      const controller = new AbortController();
      const pending = s.client.callTool(
        { name: "run_linter", arguments: { file_path: "pkg", linter: "pylint" } },
        undefined,
        {
          signal: controller.signal,
          onprogress: () => {},
        },
      );
      setTimeout(() => controller.abort("test cancels"), 300);
      let cancelled = false;
      try {
        await pending;
      } catch {
        cancelled = true;
      }
      assert(cancelled, "the call was cancelled");
      const after = await call(s, "search_code", { query: "get_user", path: "pkg/users.py" });
      assert(!after.isError);
      // No pylint process is left running for this project (the kill is asynchronous: look a few times).
      let left: string[] = [];
      for (let i = 0; i < 20; i++) {
        const ps = new TextDecoder().decode(
          (await new Deno.Command("ps", { args: ["-eo", "args"] }).output()).stdout,
        );
        left = ps.split("\n").filter((l) => l.includes("--persistent=n") && l.includes(root));
        if (left.length === 0) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      assertEquals(left, []);
    });
  } finally {
    await s.close();
    await project.cleanup();
  }
});
