import { assert, assertEquals, assertMatch } from "../../assert.ts";
import * as path from "node:path";
import { gitReview, type GitReviewRequest } from "../../../src/sandbox/git.ts";
import type { FileRecord, ReviewData } from "../../../src/git/review.ts";
import {
  branchRepo,
  emptyRepo,
  everyCaseRepo,
  git,
  gitWithEnv,
  tempDir,
  treeContent,
  write,
  writeBomb,
  writeLoose,
} from "../../fixtures/git_repo.ts";

function request(root: string, over: Partial<GitReviewRequest> = {}): GitReviewRequest {
  return {
    root,
    includeUntracked: true,
    mode: "summary",
    contextLines: 3,
    start: 0,
    maxBytes: 1_000_000,
    maxFileBytes: 1024 * 1024,
    maxFileDiffBytes: 64 * 1024,
    maxCommits: 50,
    limits: { maxEntries: 100_000, maxUntracked: 1000, maxHashBytes: 32 * 1024 * 1024 },
    timeoutMs: 30_000,
    maxObjectBytes: 32 * 1024 * 1024,
    ...over,
  };
}

async function reviewOk(root: string, over: Partial<GitReviewRequest> = {}): Promise<ReviewData> {
  const r = await gitReview(request(root, over), new AbortController().signal);
  if (!r.ok) throw new Error(`expected a review, got: ${r.reason}`);
  return r.value;
}

function byPath(files: FileRecord[]): Record<string, FileRecord> {
  return Object.fromEntries(files.map((f) => [f.path, f]));
}

/** What `git status` itself calls changed, as a set of paths (the oracle for our status). */
function gitStatusPaths(root: string): string[] {
  const out = git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all");
  const paths: string[] = [];
  const parts = out.split("\0").filter((p) => p !== "");
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    paths.push(p.slice(3));
    if (p[0] === "R") i++; // the rename's source follows
  }
  return paths.sort();
}

Deno.test("review() reports every kind of uncommitted change with status, kind and line counts", async () => {
  const f = await everyCaseRepo();
  try {
    const v = await reviewOk(f.root);
    const files = byPath(v.files);
    assertEquals(v.head.branch, "main");
    assertEquals(
      Object.keys(files).sort(),
      gitStatusPaths(f.root).filter((p) => p !== "old_name.txt" && p !== "similar_old.py"),
    );
    assertEquals([
      files["src/app.py"]!.status,
      files["src/app.py"]!.added,
      files["src/app.py"]!.removed,
    ], ["modified", 2, 1]);
    assertEquals(files["src/app.py"]!.added_lines, [2, 6]);
    assertEquals(files["gone.txt"]!.status, "deleted");
    assertEquals([files["new_name.txt"]!.status, files["new_name.txt"]!.old_path], [
      "renamed",
      "old_name.txt",
    ]);
    assertEquals(files["staged.txt"]!.status, "added");
    assertEquals([files["kind.txt"]!.status, files["kind.txt"]!.kind], ["type-changed", "symlink"]);
    const similar = files["similar_new.py"]!;
    assertEquals([
      similar.status,
      similar.old_path,
      similar.added,
      similar.removed,
      similar.added_lines,
    ], ["renamed", "similar_old.py", 1, 1, [6]]);
    assertEquals([files["untracked.txt"]!.status, files["untracked.txt"]!.untracked], [
      "added",
      true,
    ]);
    assertEquals(files["image.bin"]!.kind, "binary");
    assertEquals([files["image.bin"]!.old_size, files["image.bin"]!.new_size], [10, 11]);
    assertEquals([files["crlf.txt"]!.added, files["crlf.txt"]!.removed], [1, 1]);
    assert(files["crlf.txt"]!.notes?.some((n) => n.includes("CRLF")));
    assertEquals([
      files["nonl.txt"]!.added,
      files["nonl.txt"]!.removed,
      files["nonl.txt"]!.added_lines,
    ], [1, 1, [2]]);
    assert(files["latin1.txt"]!.notes?.some((n) => n.includes("not valid UTF-8")));
    assertEquals(files["link"]!.kind, "symlink");
    assert(
      files["link"]!.notes?.some((n) => n.includes("/etc/passwd") && n.includes("never followed")),
    );
    assertEquals(files["debug.log"], undefined);
    assertEquals(files["build/out.txt"], undefined);
    assertEquals(files["src/keep.txt"], undefined);
  } finally {
    await f.cleanup();
  }
});

Deno.test("review() leaves untracked files out when asked, and narrows to paths", async () => {
  const f = await everyCaseRepo();
  try {
    const v = await reviewOk(f.root, { includeUntracked: false });
    assertEquals(v.files.find((x) => x.path === "untracked.txt"), undefined);
    const narrowed = await reviewOk(f.root, { paths: ["src"] });
    assertEquals(narrowed.files.map((x) => x.path), ["src/app.py"]);
  } finally {
    await f.cleanup();
  }
});

Deno.test("review() reads packed objects and packed refs after git gc, and a detached HEAD", async () => {
  const f = await everyCaseRepo();
  try {
    const before = await reviewOk(f.root);
    git(f.root, "gc", "-q", "--prune=now");
    assert(Deno.statSync(path.join(f.root, ".git", "packed-refs")).isFile);
    const after = await reviewOk(f.root);
    assertEquals(
      after.files.map((x) => [x.path, x.status, x.added, x.removed]),
      before.files.map((x) => [x.path, x.status, x.added, x.removed]),
    );
    git(f.root, "checkout", "-q", "--detach");
    const detached = await reviewOk(f.root);
    assertEquals(detached.head.branch, null);
    assertEquals(detached.files.length, before.files.length);
  } finally {
    await f.cleanup();
  }
});

Deno.test("review() on a repository without commits shows staged and untracked files as added", async () => {
  const f = await emptyRepo();
  try {
    write(f.root, "a.py", "x = 1\n");
    git(f.root, "add", "a.py");
    write(f.root, "b.txt", "b\n");
    const v = await reviewOk(f.root);
    assertEquals(v.head, { id: null, branch: "main" });
    assertEquals(v.files.map((x) => [x.path, x.status]), [["a.py", "added"], ["b.txt", "added"]]);
    const r = await gitReview(request(f.root, { base: "main" }), new AbortController().signal);
    assert(!r.ok);
  } finally {
    await f.cleanup();
  }
});

Deno.test("review() with a base: merge base several commits back, the branch's commits, and the edits on top", async () => {
  const f = await branchRepo();
  try {
    const v = await reviewOk(f.root, { base: "main" });
    assertEquals(v.head.branch, "feature");
    assertEquals(v.merge_base, git(f.root, "merge-base", "HEAD", "main").trim().slice(0, 7));
    assertEquals(v.commits.map((c) => c.subject), ["feature 3", "feature 2", "feature 1"]);
    assertEquals(v.commits_total, 3);
    assertEquals(v.files.map((x) => [x.path, x.status]), [
      ["f1.txt", "added"],
      ["f2.txt", "added"],
      ["f3.txt", "added"],
    ]);
    assertEquals(byPath(v.files)["f1.txt"]!.added_lines, [1]);
    // a.txt changed on main only: not part of this branch's change.
    assertEquals(v.files.find((x) => x.path === "a.txt"), undefined);
    const byTag = await reviewOk(f.root, {
      base: git(f.root, "rev-parse", "main").trim().slice(0, 8),
    });
    assertEquals(byTag.files.length, 3);
    const unknown = await gitReview(
      request(f.root, { base: "no-such-branch" }),
      new AbortController().signal,
    );
    assert(!unknown.ok);
    assertMatch(unknown.reason, /no branch, tag or commit named "no-such-branch"/);
  } finally {
    await f.cleanup();
  }
});

Deno.test("review() in diff mode gives unified hunks with old and new line numbers, paged from a start", async () => {
  const f = await everyCaseRepo();
  try {
    const v = await reviewOk(f.root, { mode: "diff" });
    const app = byPath(v.files)["src/app.py"]!;
    assertEquals(
      app.diff,
      "@@ -1,5 +1,6 @@\n import os\n+import sys\n \n \n def main():\n-    return 1\n+    return 2",
    );
    assertEquals(byPath(v.files)["image.bin"]!.diff, undefined);
    const rest = await reviewOk(f.root, { mode: "diff", start: 3 });
    assertEquals(rest.start, 3);
    assertEquals(rest.files[0]!.path, v.files[3]!.path);
    const capped = await reviewOk(f.root, {
      mode: "diff",
      maxFileDiffBytes: 40,
      paths: ["src/app.py"],
    });
    // Cut at the per-file cap: the note says so, and the next page continues the same file.
    const first = capped.files[0]!;
    assert(first.notes?.some((n) => n.includes("per-file cap")), JSON.stringify(first));
    assertEquals(capped.files.length, 1);
    const next = await reviewOk(f.root, {
      mode: "diff",
      maxFileDiffBytes: 40,
      paths: ["src/app.py"],
      startHunk: first.next_hunk!,
    });
    const lines = (t: string) => t.split("\n").filter((l) => !l.startsWith("@@"));
    let shown = [...lines(first.diff!), ...lines(next.files[0]!.diff!)];
    let more = next.files[0]!.next_hunk;
    while (more !== undefined) {
      const page = await reviewOk(f.root, {
        mode: "diff",
        maxFileDiffBytes: 40,
        paths: ["src/app.py"],
        startHunk: more,
      });
      shown = [...shown, ...lines(page.files[0]!.diff!)];
      more = page.files[0]!.next_hunk;
    }
    assertEquals(shown, lines(app.diff!));
  } finally {
    await f.cleanup();
  }
});

Deno.test("review() refuses what is not the repository's own top folder, with what to do", async () => {
  const t = await tempDir();
  try {
    const outside = path.join(t.dir, "outside");
    Deno.mkdirSync(outside);
    git(outside, "init", "-q");
    const table: Array<[string, (root: string) => void, RegExp]> = [
      ["no repository", () => {}, /not a git repository/],
      [
        ".git symlink out",
        (root) => Deno.symlinkSync(path.join(outside, ".git"), path.join(root, ".git")),
        /symbolic link leading outside the project root.*--root/,
      ],
      [
        "gitdir: file out",
        (root) => Deno.writeTextFileSync(path.join(root, ".git"), `gitdir: ${outside}/.git\n`),
        /gitdir points outside the project root.*--root/,
      ],
    ];
    for (const [name, setup, re] of table) {
      const root = path.join(t.dir, name.replaceAll(/\W/g, "_"));
      Deno.mkdirSync(root);
      setup(root);
      const r = await gitReview(request(root), new AbortController().signal);
      assert(!r.ok, name);
      assertMatch(r.reason, re, name);
    }
    const sub = path.join(outside, "sub");
    Deno.mkdirSync(sub);
    const r = await gitReview(request(sub), new AbortController().signal);
    assert(!r.ok);
    assertMatch(
      r.reason,
      new RegExp(
        `subfolder of the repository at ${outside}; start the server with --root ${outside}`,
      ),
    );
  } finally {
    await t.cleanup();
  }
});

Deno.test("review() never runs the repository's configured commands (fsmonitor, diff.external, filters, hooks)", async () => {
  const f = await everyCaseRepo();
  try {
    const marker = path.join(path.dirname(f.root), "MARKER");
    const cmd = `touch ${marker}`;
    const config = Deno.readTextFileSync(path.join(f.root, ".git", "config")) +
      `[core]\n\tfsmonitor = ${cmd}\n\thooksPath = hooks\n[diff]\n\texternal = ${cmd}\n` +
      `[filter "evil"]\n\tclean = ${cmd}\n\tsmudge = ${cmd}\n\tprocess = ${cmd}\n[diff "evil"]\n\ttextconv = ${cmd}\n`;
    Deno.writeTextFileSync(path.join(f.root, ".git", "config"), config);
    write(f.root, ".gitattributes", "* filter=evil diff=evil\n");
    for (const hook of ["pre-commit", "post-checkout", "post-index-change", "fsmonitor-watchman"]) {
      for (const dir of [path.join(f.root, ".git", "hooks"), path.join(f.root, "hooks")]) {
        write(dir, hook, `#!/bin/sh\n${cmd}\n`);
        Deno.chmodSync(path.join(dir, hook), 0o755);
      }
    }
    const indexBefore = Deno.readFileSync(path.join(f.root, ".git", "index"));
    await reviewOk(f.root);
    await reviewOk(f.root, { mode: "diff" });
    let exists = true;
    try {
      Deno.statSync(marker);
    } catch {
      exists = false;
    }
    assertEquals(exists, false);
    assertEquals(Deno.readFileSync(path.join(f.root, ".git", "index")), indexBefore);
  } finally {
    await f.cleanup();
  }
});

Deno.test("review() never resolves crafted tree entries named ../outside, /abs, .. or .git", async () => {
  const table: Array<[string, RegExp]> = [
    ["../outside", /unsafe name/],
    ["/abs", /unsafe name/],
    ["..", /unsafe/],
    [".git", /unsafe/],
    [".GIT", /unsafe/],
  ];
  for (const [name, re] of table) {
    const f = await emptyRepo();
    try {
      const r = f.root;
      write(r, "ok.txt", "fine\n");
      git(r, "add", "-A");
      git(r, "commit", "-qm", "one");
      const blob = writeLoose(r, "blob", new TextEncoder().encode("pwned\n"));
      const ok = git(r, "rev-parse", "HEAD:ok.txt").trim();
      const tree = writeLoose(
        r,
        "tree",
        treeContent([{ mode: "100644", name, oid: blob }, {
          mode: "100644",
          name: "ok.txt",
          oid: ok,
        }]),
      );
      const commit = git(r, "commit-tree", tree, "-p", "HEAD", "-m", "crafted").trim();
      git(r, "update-ref", "refs/heads/main", commit);
      const out = await gitReview(request(r), new AbortController().signal);
      // Either the whole tree is refused, or the entry is skipped with a warning: never a path.
      const said = out.ok ? out.value.warnings.join("\n") : out.reason;
      assertMatch(said, re, `${name}: ${said}`);
      if (out.ok) {
        assert(
          out.value.files.every((x) =>
            x.path === "ok.txt" || !x.path.toLowerCase().includes(".git")
          ),
          name,
        );
      }
      let escaped = true;
      try {
        Deno.statSync(path.join(path.dirname(r), "outside"));
      } catch {
        escaped = false;
      }
      assertEquals(escaped, false, name);
    } finally {
      await f.cleanup();
    }
  }
});

Deno.test("review() refuses an inflation bomb without inflating it past the cap", async () => {
  const f = await emptyRepo();
  try {
    const r = f.root;
    const bomb = await writeBomb(r, 256 * 1024 * 1024);
    assert(
      Deno.statSync(path.join(r, ".git", "objects", bomb.slice(0, 2), bomb.slice(2))).size <
        2 * 1024 * 1024,
    );
    const tree = writeLoose(
      r,
      "tree",
      treeContent([{ mode: "100644", name: "bomb.bin", oid: bomb }]),
    );
    const commit = git(r, "commit-tree", tree, "-m", "bomb").trim();
    git(r, "update-ref", "refs/heads/main", commit);
    write(r, "bomb.bin", "small now\n");
    const v = await reviewOk(r, { maxObjectBytes: 8 * 1024 * 1024, mode: "diff" });
    const rec = v.files.find((x) => x.path === "bomb.bin")!;
    assertEquals(rec.kind, "too-large");
    assert(rec.notes?.some((n) => n.includes("inflates to more than")), JSON.stringify(rec));
  } finally {
    await f.cleanup();
  }
});

Deno.test("review() stops when cancelled", async () => {
  const f = await everyCaseRepo();
  try {
    const c = new AbortController();
    c.abort();
    let name = "";
    try {
      await gitReview(request(f.root), c.signal);
    } catch (err) {
      name = (err as Error).name;
    }
    assertEquals(name, "AbortError");
  } finally {
    await f.cleanup();
  }
});

Deno.test("review() recognises unchanged files from the index's stat data: only changed files are read and hashed", async () => {
  const f = await emptyRepo();
  try {
    for (let i = 0; i < 40; i++) write(f.root, `d/f${i}.txt`, `file ${i}\n`);
    git(f.root, "add", "-A");
    git(f.root, "commit", "-qm", "many");
    // Files older than the index (no "racy git" case), and an index that records their stat data.
    const past = new Date(Date.now() - 3600_000);
    for (let i = 0; i < 40; i++) Deno.utimeSync(path.join(f.root, `d/f${i}.txt`), past, past);
    git(f.root, "update-index", "--refresh");
    write(f.root, "d/f3.txt", "changed\n");
    write(f.root, "d/f7.txt", "changed too\n");
    const v = await reviewOk(f.root);
    assertEquals(v.files.map((x) => x.path), ["d/f3.txt", "d/f7.txt"]);
    assertEquals(v.stats, { indexed: 40, hashed: 2 });
  } finally {
    await f.cleanup();
  }
});

Deno.test("review() lists a changed credential file but never shows its content", async () => {
  const f = await emptyRepo();
  try {
    write(f.root, ".env", "TOKEN=old\n");
    git(f.root, "add", "-A");
    git(f.root, "commit", "-qm", "env");
    write(f.root, ".env", "TOKEN=supersecretvalue\n");
    const v = await reviewOk(f.root, { mode: "diff" });
    const env = v.files[0]!;
    assertEquals([env.path, env.status, env.secret, env.diff], [
      ".env",
      "modified",
      true,
      undefined,
    ]);
    assert(
      env.notes?.some((n) => n.includes("credential file") && n.includes("--allow-secret-files")),
    );
    assert(!JSON.stringify(v).includes("supersecretvalue"));
    const allowed = await reviewOk(f.root, { mode: "diff", allowSecretFiles: true });
    assert(allowed.files[0]!.diff?.includes("supersecretvalue"));
  } finally {
    await f.cleanup();
  }
});

Deno.test("review() never inflates an oversized packed blob: the pack is scanned first and the file shown as too large", async () => {
  const f = await emptyRepo();
  try {
    const r = f.root;
    write(r, "small.txt", "small\n");
    const big = await Deno.open(path.join(r, "big.bin"), { write: true, create: true });
    const zeros = new Uint8Array(1024 * 1024);
    for (let i = 0; i < 64; i++) await big.write(zeros);
    big.close();
    git(r, "add", "-A");
    git(r, "commit", "-qm", "big");
    git(r, "gc", "-q", "--prune=now");
    assert(
      [...Deno.readDirSync(path.join(r, ".git", "objects", "pack"))].some((e) =>
        e.name.endsWith(".pack")
      ),
    );
    write(r, "big.bin", "small now\n");
    write(r, "small.txt", "changed\n");
    const v = await reviewOk(r, { maxObjectBytes: 8 * 1024 * 1024, mode: "diff" });
    const rec = byPath(v.files)["big.bin"]!;
    assertEquals(rec.kind, "too-large");
    assert(
      rec.notes?.some((n) => n.includes("packed object") && n.includes("inflates to more than")),
      JSON.stringify(rec),
    );
    assertEquals(byPath(v.files)["small.txt"]!.diff, "@@ -1,1 +1,1 @@\n-small\n+changed");
  } finally {
    await f.cleanup();
  }
});

Deno.test("review() never reads through a folder replaced by a symlink leading out of the root", async () => {
  const f = await emptyRepo();
  try {
    const r = f.root;
    write(r, "sub/x.txt", "tracked\n");
    git(r, "add", "-A");
    git(r, "commit", "-qm", "sub");
    const outside = path.join(path.dirname(r), "elsewhere");
    write(outside, "x.txt", "SECRET OUTSIDE\n");
    Deno.removeSync(path.join(r, "sub"), { recursive: true });
    Deno.symlinkSync(outside, path.join(r, "sub"));
    const v = await reviewOk(r, { mode: "diff" });
    assertEquals(v.files.map((x) => [x.path, x.status, x.kind]), [["sub", "added", "symlink"], [
      "sub/x.txt",
      "deleted",
      "text",
    ]]);
    assert(!JSON.stringify(v).includes("SECRET OUTSIDE"));
    // A deeper folder whose parent is the link, and a link two levels down: neither is read through.
    git(r, "rm", "-rq", "--cached", "sub");
    Deno.removeSync(path.join(r, "sub"));
    write(r, "a/b/c/y.txt", "tracked\n");
    write(r, "a/b/z.txt", "tracked\n");
    git(r, "add", "-A");
    git(r, "commit", "-qm", "deep");
    write(outside, "c/y.txt", "SECRET DEEP\n");
    write(outside, "z.txt", "SECRET Z\n");
    Deno.removeSync(path.join(r, "a/b"), { recursive: true });
    Deno.symlinkSync(outside, path.join(r, "a/b"));
    const deep = await reviewOk(r, { mode: "diff" });
    assertEquals(deep.files.map((x) => [x.path, x.status]), [
      ["a/b", "added"],
      ["a/b/c/y.txt", "deleted"],
      ["a/b/z.txt", "deleted"],
    ]);
    assert(!JSON.stringify(deep).includes("SECRET"), JSON.stringify(deep));
  } finally {
    await f.cleanup();
  }
});

Deno.test("review() never shows a work tree file that is a hard link (it may name a file outside the root), tracked or untracked", async () => {
  const f = await emptyRepo();
  try {
    const r = f.root;
    write(r, "tracked.txt", "old\n");
    git(r, "add", "-A");
    git(r, "commit", "-qm", "tracked");
    const outside = path.join(path.dirname(r), "elsewhere-hard");
    write(outside, "secret.txt", "SECRET OUTSIDE\n");
    Deno.removeSync(path.join(r, "tracked.txt"));
    Deno.linkSync(path.join(outside, "secret.txt"), path.join(r, "tracked.txt"));
    Deno.linkSync(path.join(outside, "secret.txt"), path.join(r, "untracked.txt"));
    for (const mode of ["summary", "diff"] as const) {
      const v = await reviewOk(r, { mode });
      const files = byPath(v.files);
      for (const p of ["tracked.txt", "untracked.txt"]) {
        assert(files[p] !== undefined, `${mode}: ${p} is listed`);
        assert(
          files[p]!.notes?.some((n) => n.includes("hard link") && n.includes("--allow-hard-links")),
          `${mode} ${p}: ${JSON.stringify(files[p])}`,
        );
      }
      assert(!JSON.stringify(v).includes("SECRET OUTSIDE"), mode);
    }
  } finally {
    Deno.removeSync(path.join(path.dirname(f.root), "elsewhere-hard"), { recursive: true });
    await f.cleanup();
  }
});

Deno.test("review() with a base after main was merged into the branch: only the branch's own commits and changes", async () => {
  const f = await branchRepo();
  try {
    git(f.root, "stash", "-q");
    git(f.root, "merge", "-q", "--no-edit", "main");
    git(f.root, "stash", "pop", "-q");
    const v = await reviewOk(f.root, { base: "main" });
    assertEquals(v.merge_base, git(f.root, "rev-parse", "main").trim().slice(0, 7));
    const expected = git(f.root, "log", "--format=%s", "main..HEAD").trim().split("\n");
    assertEquals(v.commits.map((c) => c.subject).sort(), expected.sort());
    assertEquals(v.commits_total, 4);
    assertEquals(v.files.map((x) => x.path), ["f1.txt", "f2.txt", "f3.txt"]);
  } finally {
    await f.cleanup();
  }
});

Deno.test("review() refuses a HEAD that points outside the repository, and never reads there", async () => {
  const f = await emptyRepo();
  try {
    write(f.root, "a.txt", "a\n");
    git(f.root, "add", "-A");
    git(f.root, "commit", "-qm", "one");
    write(path.dirname(f.root), "stolen", "0123456789012345678901234567890123456789\n");
    Deno.writeTextFileSync(
      path.join(f.root, ".git", "HEAD"),
      "ref: refs/heads/../../../../stolen\n",
    );
    const r = await gitReview(request(f.root), new AbortController().signal);
    assert(!r.ok, JSON.stringify(r));
    assertMatch(r.reason, /outside the project root/);
    assert(!JSON.stringify(r).includes("0123456789"));
  } finally {
    await f.cleanup();
  }
});

Deno.test("review() lists untracked files exactly as git status does under nested .gitignore, negations, folder-only patterns and info/exclude", async () => {
  const f = await emptyRepo();
  try {
    write(f.root, ".gitignore", "*.log\n!keep.log\nbuild/\n/top_only.txt\n");
    write(f.root, "tracked_build/build/tracked.txt", "t\n");
    git(f.root, "add", "-f", ".gitignore", "tracked_build/build/tracked.txt");
    git(f.root, "commit", "-qm", "base");
    write(f.root, ".git/info/exclude", "secret_dir/\n");
    write(f.root, "a.log", "x\n");
    write(f.root, "keep.log", "x\n");
    write(f.root, "build/out.js", "x\n");
    write(f.root, "build/.gitignore", "!*\n"); // a parent folder excluded: nothing inside comes back
    write(f.root, "src/build", "a file named build is not a folder\n");
    write(f.root, "src/top_only.txt", "only the root's is ignored\n");
    write(f.root, "top_only.txt", "x\n");
    write(f.root, "src/.gitignore", "*.tmp\n!important.tmp\n");
    write(f.root, "src/a.tmp", "x\n");
    write(f.root, "src/important.tmp", "x\n");
    write(f.root, "src/deep/b.tmp", "x\n");
    write(f.root, "secret_dir/x.txt", "x\n");
    write(f.root, "tracked_build/build/new.txt", "x\n");
    for (let i = 0; i < 300; i++) write(f.root, `build/many/${i}.txt`, "x\n");
    const v = await reviewOk(f.root);
    assertEquals(v.files.map((x) => x.path).sort(), gitStatusPaths(f.root));
    assert(
      v.files.some((x) => x.path === "keep.log") &&
        v.files.some((x) => x.path === "src/important.tmp"),
    );
    assert(!v.files.some((x) => x.path.startsWith("build/")));
  } finally {
    await f.cleanup();
  }
});

Deno.test("review() takes git's ancestry suffixes in base (HEAD~N, ^, ^2) and refuses ones that lead nowhere", async () => {
  const f = await branchRepo();
  try {
    const log = git(f.root, "rev-list", "--first-parent", "HEAD").trim().split("\n");
    for (
      const [base, expected] of [["HEAD~1", log[1]], ["HEAD^", log[1]], ["HEAD~1^", log[2]], [
        "HEAD^0",
        log[0],
      ], [`${log[0]!.slice(0, 8)}~2`, log[2]]] as const
    ) {
      if (expected === undefined) continue;
      const v = await reviewOk(f.root, { base });
      assertEquals(v.merge_base, expected!.slice(0, v.merge_base!.length), base);
    }
    for (const base of ["HEAD~99999", "HEAD^3", "nosuch~1"]) {
      const r = await gitReview(request(f.root, { base }), new AbortController().signal);
      assert(!r.ok, base);
    }
  } finally {
    await f.cleanup();
  }
});

Deno.test("review() with a base lists exactly git's base..HEAD when every commit has the same time (the paint must finish before the walk stops)", async () => {
  const f = await emptyRepo();
  const when = {
    GIT_COMMITTER_DATE: "2026-01-01T00:00:00Z",
    GIT_AUTHOR_DATE: "2026-01-01T00:00:00Z",
  };
  const g = (...args: string[]) => gitWithEnv(f.root, when, ...args);
  try {
    write(f.root, "a.txt", "a\n");
    g("add", "-A");
    g("commit", "-qm", "root");
    g("branch", "feature");
    for (let i = 1; i <= 6; i++) {
      write(f.root, "m.txt", `m${i}\n`);
      g("add", "-A");
      g("commit", "-qm", `main ${i}`);
    }
    g("checkout", "-q", "feature");
    for (let i = 1; i <= 2; i++) {
      write(f.root, `f${i}.txt`, `f${i}\n`);
      g("add", "-A");
      g("commit", "-qm", `feature ${i}`);
    }
    g("merge", "-q", "--no-edit", "main");
    write(f.root, "f3.txt", "f3\n");
    g("add", "-A");
    g("commit", "-qm", "feature 3");
    const v = await reviewOk(f.root, { base: "main" });
    const expected = git(f.root, "log", "--format=%s", "main..HEAD").trim().split("\n");
    assertEquals(v.commits.map((c) => c.subject).sort(), expected.sort());
    assertEquals(v.commits_total, expected.length);
  } finally {
    await f.cleanup();
  }
});

Deno.test("review(): a credential file renamed to an innocent name (or the reverse) never shows the credential side's content", async () => {
  // Hostile renames: [from, to]; each side's content shares most lines so the rename is paired.
  const table: [string, string][] = [[".env", "settings.txt"], ["notes.txt", "id_ed25519"]];
  for (const [from, to] of table) {
    const f = await emptyRepo();
    try {
      write(f.root, from, "A=1\nB=2\nC=3\nD=4\nTOKEN=supersecretvalue\n");
      git(f.root, "add", "-A");
      git(f.root, "commit", "-qm", "one");
      git(f.root, "mv", from, to);
      write(f.root, to, "A=1\nB=2\nC=3\nD=4\nTOKEN=othersecretvalue\n");
      git(f.root, "add", "-A");
      const v = await reviewOk(f.root, { mode: "diff" });
      const rec = v.files.find((x) => x.path === to)!;
      assertEquals(
        [rec.old_path, rec.status, rec.secret],
        [from, "renamed", true],
        `${from} -> ${to}`,
      );
      assert(!JSON.stringify(v).includes("secretvalue"), `${from} -> ${to}: ${JSON.stringify(v)}`);
    } finally {
      await f.cleanup();
    }
  }
});

Deno.test("review(): folders inside .git that are symlinks out of the root (objects, refs, a pack folder) are never read through", async () => {
  // Another repository of the server's user, outside the reviewed root, holding private text.
  const priv = await emptyRepo();
  try {
    write(priv.root, "private.txt", "privatesecretline\n");
    git(priv.root, "add", "-A");
    git(priv.root, "commit", "-qm", "private");
    const head = git(priv.root, "rev-parse", "HEAD").trim();
    const privGit = path.join(priv.root, ".git");
    // Hostile layouts: each links one folder of the reviewed .git to the private repository's.
    const table: [string, (gitdir: string) => void][] = [
      ["objects -> private objects", (g) => {
        Deno.removeSync(path.join(g, "objects"), { recursive: true });
        Deno.symlinkSync(path.join(privGit, "objects"), path.join(g, "objects"));
      }],
      ["objects/pack -> private packs (after gc)", (g) => {
        git(priv.root, "gc", "-q");
        Deno.removeSync(path.join(g, "objects"), { recursive: true });
        Deno.mkdirSync(path.join(g, "objects"));
        Deno.symlinkSync(path.join(privGit, "objects", "pack"), path.join(g, "objects", "pack"));
      }],
      ["a pack's index -> a file outside (a device or FIFO alike)", (g) => {
        git(priv.root, "gc", "-q");
        const pack = path.join(privGit, "objects", "pack");
        for (const n of Deno.readDirSync(pack)) {
          if (n.name.endsWith(".pack")) {
            Deno.copyFileSync(path.join(pack, n.name), path.join(g, "objects", "pack", n.name));
          }
          if (n.name.endsWith(".idx")) {
            Deno.symlinkSync(path.join(pack, n.name), path.join(g, "objects", "pack", n.name));
          }
        }
      }],
    ];
    for (const [name, arrange] of table) {
      const f = await emptyRepo();
      try {
        const g = path.join(f.root, ".git");
        arrange(g);
        Deno.mkdirSync(path.join(g, "refs", "heads"), { recursive: true });
        Deno.writeTextFileSync(path.join(g, "refs", "heads", "main"), head + "\n");
        const r = await gitReview(request(f.root, { mode: "diff" }), new AbortController().signal);
        assert(!JSON.stringify(r).includes("privatesecretline"), `${name}: ${JSON.stringify(r)}`);
        assert(!r.ok, `${name}: ${JSON.stringify(r)}`);
      } finally {
        await f.cleanup();
      }
    }
  } finally {
    await priv.cleanup();
  }
});
