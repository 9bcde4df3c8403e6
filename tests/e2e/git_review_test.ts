/**
 * End to end over stdio: review_changes and get_diff on fixture repositories built with the
 * real git, the server started with the README's exact flags, driven by the official SDK client.
 */
import { assert, assertEquals, assertMatch } from "../assert.ts";
import * as path from "node:path";
import type { CallToolResult } from "../../src/sdk.ts";
import { connect, type Connected } from "./harness.ts";
import { branchRepo, emptyRepo, git, tempDir, write } from "../fixtures/git_repo.ts";
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
  tag: string;
  file: string;
  line: number;
  code: string;
}

Deno.test("review_changes tags a finding on an added line new and an old one in the same file existing", async () => {
  const f = await emptyRepo();
  const s = await (async () => {
    write(f.root, "app.py", "import os\n\n\ndef main():\n    return 1\n");
    write(f.root, "run.sh", "#!/bin/sh\necho $1\n");
    git(f.root, "add", "-A");
    git(f.root, "commit", "-qm", "initial");
    write(f.root, "app.py", "import os\nimport sys\n\n\ndef main():\n    return 1\n");
    write(f.root, "run.sh", "#!/bin/sh\necho $1\nrm $2\n");
    return await connect(f.root);
  })();
  try {
    const r = await call(s, "review_changes", {});
    assert(!r.isError, text(r));
    const sc = r.structuredContent as {
      scope: string;
      files: { path: string; status: string; added: number }[];
      findings: Finding[];
      findings_summary: { new: number; existing: number };
      linters: { linter: string; files: number; baseline: string }[];
    };
    assertMatch(sc.scope, /on main; uncommitted changes against HEAD/);
    // Each linter group says how its tags were decided: against the base version's findings
    // (ruff in memory, shellcheck with the base text on its standard input).
    for (const g of sc.linters) {
      assertEquals(g.files, 1, JSON.stringify(g));
      assertMatch(g.baseline, /^base versions linted in memory/, JSON.stringify(g));
    }
    assertEquals(sc.files.map((x) => [x.path, x.status, x.added]), [["app.py", "modified", 1], [
      "run.sh",
      "modified",
      1,
    ]]);
    const f401 = sc.findings.filter((d) => d.code === "F401").map((d) => [d.line, d.tag]);
    assertEquals(f401, [[2, "new"], [1, "existing"]]);
    const sc2086 = sc.findings.filter((d) => d.code === "SC2086").map((
      d,
    ) => [d.file, d.line, d.tag]);
    assertEquals(sc2086, [["run.sh", 3, "new"], ["run.sh", 2, "existing"]]);
    assert(sc.findings_summary.new >= 1 && sc.findings_summary.existing >= 1);
    // New findings come first.
    const tags = sc.findings.map((d) => d.tag);
    assertEquals(tags, [...tags].sort((a, b) => (a === b ? 0 : a === "new" ? -1 : 1)));
    assertMatch(text(r), /new +app\.py:2:\d+: F401/);
    assertEveryHostSeesPayload(r, {
      facts: ["app.py", "F401"],
      conveyedOtherwise: ["status", "kind"],
    });

    const d = await call(s, "get_diff", {});
    assert(!d.isError, text(d));
    assertEveryHostSeesPayload(d, { textPayload: true, facts: ["+import sys"] });
    assertMatch(text(d), /@@ -1,4 \+1,5 @@\n import os\n\+import sys\n/);
  } finally {
    await s.close();
    await f.cleanup();
  }
});

Deno.test("review_changes and get_diff with base: a branch against main", async () => {
  const f = await branchRepo();
  const s = await connect(f.root);
  try {
    const r = await call(s, "review_changes", { base: "main" });
    assert(!r.isError, text(r));
    const sc = r.structuredContent as {
      scope: string;
      commits: { subject: string }[];
      commits_total: number;
      files: { path: string }[];
    };
    assertMatch(sc.scope, /on feature; base main \([0-9a-f]{7}\), merge base [0-9a-f]{7}/);
    assertEquals(sc.commits.map((c) => c.subject), ["feature 3", "feature 2", "feature 1"]);
    assertEquals(sc.files.map((x) => x.path), ["f1.txt", "f2.txt", "f3.txt"]);
    assertEveryHostSeesPayload(r, {
      facts: ["feature 3", "f3.txt"],
      conveyedOtherwise: ["status", "kind"],
    });
    const d = await call(s, "get_diff", { base: "main", paths: ["f1.txt"], context_lines: 0 });
    assert(!d.isError, text(d));
    assertMatch(text(d), /--- A f1\.txt \+1 -0 \(untracked\)|--- A f1\.txt \+1 -0/);
    assertMatch(text(d), /@@ -0,0 \+1,1 @@\n\+feature 1 edited/);
    const bad = await call(s, "review_changes", { base: "nope" });
    assert(bad.isError);
    assertMatch(
      text(bad),
      /^Cannot review changes in "nope": no branch, tag or commit named "nope"/,
    );
  } finally {
    await s.close();
    await f.cleanup();
  }
});

Deno.test("paging review_changes and get_diff by cursor returns every changed file exactly once", async () => {
  const f = await emptyRepo();
  const names: string[] = [];
  for (let i = 0; i < 120; i++) {
    const name = `pkg/module_with_a_rather_long_name_${String(i).padStart(3, "0")}.txt`;
    names.push(name);
    write(f.root, name, `line one of ${i}\n`);
  }
  git(f.root, "add", "-A");
  git(f.root, "commit", "-qm", "initial");
  for (const n of names) {
    write(
      f.root,
      n,
      `line one of ${n}\nand a second line that makes the diff longer: ${"x".repeat(60)}\n`,
    );
  }
  const s = await connect(f.root, { extraArgs: ["--max-output-bytes", "4096"] });
  try {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const r = await call(s, "review_changes", cursor ? { cursor } : {});
      assert(!r.isError, text(r));
      const sc = r.structuredContent as { files: { path: string }[]; next_cursor?: string };
      seen.push(...sc.files.map((x) => x.path));
      cursor = sc.next_cursor;
      pages++;
      assert(pages < 100);
    } while (cursor);
    assert(pages > 1, "expected more than one page");
    assertEquals(seen, names);

    const diffSeen: string[] = [];
    cursor = undefined;
    pages = 0;
    do {
      const r = await call(s, "get_diff", cursor ? { cursor } : {});
      assert(!r.isError, text(r));
      const t = text(r);
      for (const m of t.matchAll(/^--- M (\S+)/gm)) diffSeen.push(m[1]!);
      cursor = t.match(/cursor "([^"]+)"/)?.[1];
      pages++;
      assert(pages < 200);
    } while (cursor);
    assert(pages > 1);
    assertEquals(diffSeen, names);
    const wrong = await call(s, "get_diff", { context_lines: 1, cursor: "bogus" });
    assert(wrong.isError);
  } finally {
    await s.close();
    await f.cleanup();
  }
});

Deno.test("review_changes: no repository is a tool error; a .git link or gitdir file out is refused; a hostile config never runs a command", async () => {
  const t = await tempDir();
  const plain = path.join(t.dir, "plain");
  Deno.mkdirSync(plain);
  const s = await connect(plain);
  try {
    const r = await call(s, "review_changes", {});
    assert(r.isError);
    assertMatch(text(r), /^Cannot review changes in "\.": not a git repository/);
  } finally {
    await s.close();
  }
  // Under the README's flags the worker cannot even look outside the root: still a clear refusal.
  const outside = path.join(t.dir, "outside");
  Deno.mkdirSync(outside);
  git(outside, "init", "-q");
  const hostile: Array<[string, (root: string) => void, RegExp]> = [
    [
      "linked",
      (root) => Deno.symlinkSync(path.join(outside, ".git"), path.join(root, ".git")),
      /"\.git" is a symbolic link leading outside the project root.*--root/,
    ],
    [
      "gitdir",
      (root) => Deno.writeTextFileSync(path.join(root, ".git"), `gitdir: ${outside}/.git\n`),
      /gitdir points outside the project root.*--root/,
    ],
  ];
  for (const [name, setup, re] of hostile) {
    const root = path.join(t.dir, name);
    Deno.mkdirSync(root);
    setup(root);
    const sh = await connect(root);
    try {
      const r = await call(sh, "get_diff", {});
      assert(r.isError, name);
      assertMatch(text(r), re, name);
    } finally {
      await sh.close();
    }
  }
  const f = await emptyRepo();
  const marker = path.join(t.dir, "MARKER");
  write(f.root, "a.txt", "a\n");
  git(f.root, "add", "-A");
  git(f.root, "commit", "-qm", "one");
  write(f.root, "a.txt", "b\n");
  write(f.root, ".gitattributes", "* filter=evil diff=evil\n");
  Deno.writeTextFileSync(
    path.join(f.root, ".git", "config"),
    Deno.readTextFileSync(path.join(f.root, ".git", "config")) +
      `[core]\n\tfsmonitor = touch ${marker}\n[diff]\n\texternal = touch ${marker}\n[filter "evil"]\n\tclean = touch ${marker}\n`,
  );
  const s2 = await connect(f.root);
  try {
    assert(!(await call(s2, "review_changes", {})).isError);
    assert(!(await call(s2, "get_diff", {})).isError);
    let exists = true;
    try {
      Deno.statSync(marker);
    } catch {
      exists = false;
    }
    assertEquals(exists, false);
  } finally {
    await s2.close();
    await f.cleanup();
    await t.cleanup();
  }
});

Deno.test("review_changes keeps 50 long commit subjects within the smallest budget by showing fewer (still counted)", async () => {
  const f = await emptyRepo();
  try {
    write(f.root, "a.txt", "0\n");
    git(f.root, "add", "-A");
    git(f.root, "commit", "-qm", "base");
    git(f.root, "branch", "base");
    for (let i = 1; i <= 60; i++) {
      write(f.root, "a.txt", `${i}\n`);
      git(f.root, "commit", "-qam", `commit ${i} ${"with a very long subject ".repeat(8)}`);
    }
    const s = await connect(f.root, { extraArgs: ["--max-output-bytes", "4096"] });
    try {
      const r = await call(s, "review_changes", { base: "base" });
      assert(!r.isError, text(r));
      const sc = r.structuredContent as {
        commits: unknown[];
        commits_total: number;
        files: { path: string }[];
      };
      assertEquals(sc.commits_total, 60);
      assert(sc.commits.length > 0 && sc.commits.length < 50, String(sc.commits.length));
      assertEquals(sc.files.map((x) => x.path), ["a.txt"]);
      assertMatch(text(r), /Commits \(60, newest \d+ shown\)/);
    } finally {
      await s.close();
    }
  } finally {
    await f.cleanup();
  }
});

Deno.test("review_changes: a token in a commit subject or quoted by a linter's message is redacted in both views, as run_linter and get_diff do", async () => {
  const token = "ghp_" + "Zq3Xv9Lk2Mn8Rt5Wy7Bc4Df6Gh1Jp0Ks9Lm2"; // a GitHub token's shape, assembled
  const f = await emptyRepo();
  const s = await (async () => {
    write(f.root, "app.py", "x = 1\n");
    git(f.root, "add", "-A");
    git(f.root, "commit", "-qm", "initial");
    git(f.root, "checkout", "-qb", "topic");
    // Hostile inputs: the reviewed repository chooses its commit messages and its identifiers.
    write(f.root, "app.py", `import ${token}\nx = 1\n`);
    git(f.root, "add", "-A");
    git(f.root, "commit", "-qm", `Rotate ${token} \u202Eafter the leak`);
    return await connect(f.root);
  })();
  try {
    const r = await call(s, "review_changes", { base: "main" });
    assert(!r.isError, text(r));
    const views = [text(r), JSON.stringify(r.structuredContent)];
    const sc = r.structuredContent as { commits: { subject: string }[]; findings: Finding[] };
    assert(sc.commits.length === 1 && sc.findings.some((d) => d.code === "F401"), text(r));
    for (const v of views) {
      assert(!v.includes(token.slice(4, 20)), v);
      assert(!v.includes("\u202E"), v);
      assertMatch(v, /REDACTED github-token/);
    }
  } finally {
    await s.close();
    await f.cleanup();
  }
});

Deno.test("get_diff continues a file cut at its per-file cap by cursor until every changed line was shown, then the next file; glob paths narrow both tools", async () => {
  const f = await emptyRepo();
  const old = Array.from({ length: 2000 }, (_, i) => `line ${i}\n`).join("");
  write(f.root, "src/long.py", old);
  write(f.root, "src/z.py", "z = 1\n");
  write(f.root, "notes.txt", "n\n");
  git(f.root, "add", "-A");
  git(f.root, "commit", "-qm", "initial");
  const lines = old.split("\n");
  for (let i = 0; i < 2000; i += 20) lines[i] = `changed ${i}`;
  write(f.root, "src/long.py", lines.join("\n"));
  write(f.root, "src/z.py", "z = 2\n");
  write(f.root, "notes.txt", "m\n");
  const s = await connect(f.root, { extraArgs: ["--max-output-bytes", "8192"] });
  try {
    const changed: string[] = [];
    const files: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const r = await call(s, "get_diff", {
        paths: ["src/**/*.py"],
        ...(cursor ? { cursor } : {}),
      });
      assert(!r.isError, text(r));
      const t = text(r);
      for (const m of t.matchAll(/^--- M (\S+)/gm)) files.push(m[1]!);
      changed.push(...t.split("\n").filter((l) => /^[+-](changed|line) \d+$/.test(l)));
      cursor = t.match(/cursor "([^"]+)"/)?.[1];
      pages++;
      assert(pages < 100);
    } while (cursor);
    assert(pages > 2, `${pages} pages`);
    // Every change of the long file once, in order: 100 removed and 100 added lines.
    assertEquals(changed.length, 200);
    assertEquals(
      changed.filter((l) => l.startsWith("+")).map((l) => Number(l.split(" ")[1])),
      Array.from({ length: 100 }, (_, i) => i * 20),
    );
    // Each page shows the long file (first whole, then continued); the last one then shows z.py.
    assertEquals(files.filter((x) => x === "src/long.py").length, pages);
    assertEquals(files.at(-1), "src/z.py");
    assert(!files.includes("notes.txt"));
    const rc = await call(s, "review_changes", { paths: ["*.txt"] });
    const sc = rc.structuredContent as { files: { path: string }[] };
    assertEquals(sc.files.map((x) => x.path), ["notes.txt"]);
  } finally {
    await s.close();
    await f.cleanup();
  }
});
