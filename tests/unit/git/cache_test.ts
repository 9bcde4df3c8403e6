/**
 * The per-root caches (pack indexes, objects, flattened trees) across calls: whatever changed
 * in the repository between two calls is seen by the second one.
 */
import { assert, assertEquals } from "../../assert.ts";
import * as path from "node:path";
import { gitReview, type GitReviewRequest } from "../../../src/sandbox/git.ts";
import type { ReviewData } from "../../../src/git/review.ts";
import { branchRepo, emptyRepo, git, write } from "../../fixtures/git_repo.ts";

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

const summary = (v: ReviewData) =>
  v.files.map((f) => `${f.status} ${f.path} +${f.added} -${f.removed}`);

Deno.test("a commit between two calls is seen by the next call (HEAD, base range and changes)", async () => {
  const f = await branchRepo();
  try {
    const before = await reviewOk(f.root, { base: "main" });
    assertEquals(before.commits_total, 3);
    assertEquals(summary(before).includes("added f1.txt +1 -0"), true);
    git(f.root, "commit", "-qam", "feature 4");
    const after = await reviewOk(f.root, { base: "main" });
    assertEquals(after.commits_total, 4);
    assertEquals(after.head.id, git(f.root, "rev-parse", "--short=7", "HEAD").trim());
    assertEquals(after.commits[0]!.subject, "feature 4");
    const uncommitted = await reviewOk(f.root);
    assertEquals(uncommitted.files, []);
  } finally {
    await f.cleanup();
  }
});

Deno.test("a git gc between two calls (loose objects packed, packs rewritten) is seen by the next call", async () => {
  const f = await branchRepo();
  try {
    const before = await reviewOk(f.root, { base: "main", mode: "diff" });
    git(f.root, "gc", "-q", "--prune=now");
    const packed = await reviewOk(f.root, { base: "main", mode: "diff" });
    assertEquals(packed.files, before.files);
    // New history on top, then a second gc rewrites the pack under a new name: read afresh.
    write(f.root, "f2.txt", "feature 2 rewritten\n");
    git(f.root, "commit", "-qam", "feature 5");
    git(f.root, "gc", "-q", "--prune=now");
    const again = await reviewOk(f.root, { base: "main", mode: "diff" });
    assertEquals(again.commits_total, 4);
    assert(again.files.find((x) => x.path === "f2.txt")?.diff?.includes("+feature 2 rewritten"));
  } finally {
    await f.cleanup();
  }
});

Deno.test("a git checkout of another branch between two calls is seen by the next call", async () => {
  const f = await branchRepo();
  try {
    git(f.root, "stash", "-q");
    const onFeature = await reviewOk(f.root, { base: "main" });
    assertEquals(onFeature.head.branch, "feature");
    assertEquals(onFeature.files.map((x) => x.path), ["f1.txt", "f2.txt", "f3.txt"]);
    git(f.root, "checkout", "-q", "main");
    const onMain = await reviewOk(f.root, { base: "main" });
    assertEquals(onMain.head.branch, "main");
    assertEquals([onMain.files, onMain.commits_total], [[], 0]);
    const back = await reviewOk(f.root, { base: "feature" });
    assertEquals(back.base?.id, git(f.root, "rev-parse", "--short=7", "feature").trim());
  } finally {
    await f.cleanup();
  }
});

Deno.test("an edit between two calls is seen by the next call, even one that keeps the file's size", async () => {
  const f = await emptyRepo();
  try {
    write(f.root, "a.txt", "one\ntwo\n");
    git(f.root, "add", "-A");
    git(f.root, "commit", "-qm", "a");
    assertEquals(summary(await reviewOk(f.root)), []);
    write(f.root, "a.txt", "one\nTWO\n");
    assertEquals(summary(await reviewOk(f.root)), ["modified a.txt +1 -1"]);
    write(f.root, "a.txt", "ONE\nTWO\n"); // same size, same second perhaps: the index is older
    assertEquals(summary(await reviewOk(f.root)), ["modified a.txt +2 -2"]);
    write(f.root, "a.txt", "one\ntwo\n");
    assertEquals(summary(await reviewOk(f.root)), []);
  } finally {
    await f.cleanup();
  }
});

Deno.test("an index rewritten between two calls is seen by the next call, even at the same size and in place", async () => {
  const f = await emptyRepo();
  try {
    write(f.root, "a.txt", "a\n");
    git(f.root, "add", "-A");
    git(f.root, "commit", "-qm", "a");
    write(f.root, "b.txt", "bee\n");
    write(f.root, "c.txt", "sea, longer\n");
    const tracked = async () =>
      (await reviewOk(f.root, { includeUntracked: false })).files.map((x) =>
        `${x.status} ${x.path}`
      );
    assertEquals(await tracked(), []);
    git(f.root, "add", "b.txt");
    assertEquals(await tracked(), ["added b.txt"]);
    // The same index with b.txt's entry renamed c.txt: same size, same file, new checksum.
    const indexPath = path.join(f.root, ".git", "index");
    const bytes = Deno.readFileSync(indexPath);
    const at = bytes.findIndex((_, i) =>
      bytes[i] === 0x62 && new TextDecoder().decode(bytes.subarray(i, i + 6)) === "b.txt\0"
    );
    assert(at > 0, "b.txt's entry");
    bytes[at] = 0x63;
    const body = bytes.subarray(0, bytes.length - 20);
    bytes.set(new Uint8Array(await crypto.subtle.digest("SHA-1", body)), bytes.length - 20);
    const before = Deno.statSync(indexPath);
    Deno.writeFileSync(indexPath, bytes);
    const after = Deno.statSync(indexPath);
    assertEquals([after.size, after.ino], [before.size, before.ino]);
    assertEquals(git(f.root, "ls-files").trim().split("\n"), ["a.txt", "c.txt"]);
    assertEquals(await tracked(), ["added c.txt"]);
    git(f.root, "rm", "-qf", "--cached", "c.txt");
    assertEquals(await tracked(), []);
  } finally {
    await f.cleanup();
  }
});

Deno.test("changed symbols are remembered by content: a repeated call gives the same, an edit between two calls is seen by the next", async () => {
  const f = await emptyRepo();
  try {
    write(f.root, "m.py", "def a(x):\n    return x\n\n\ndef b(x):\n    return x\n");
    write(f.root, "n.py", "def c():\n    pass\n");
    git(f.root, "add", "-A");
    git(f.root, "commit", "-qm", "m");
    const symbols = async () =>
      (await reviewOk(f.root, { symbols: true })).files.map((x) =>
        `${x.path}: ${
          (x.symbols?.symbols ?? []).map((s) => `${s.change} ${s.name} ${s.complexity_after ?? ""}`)
            .join(", ")
        }`
      );
    write(f.root, "m.py", "def a(x):\n    return x + 1\n\n\ndef b(x):\n    return x\n");
    write(f.root, "n.py", "def c():\n    pass\n\n\ndef d():\n    pass\n");
    const first = await symbols();
    assertEquals(first, ["m.py: modified a 1", "n.py: added d 1"]);
    assertEquals(await symbols(), first);
    // One file edited again: its symbols follow, the other's stay.
    write(
      f.root,
      "m.py",
      "def a(x):\n    return x + 1\n\n\ndef b(x):\n    if x:\n        return 1\n    return x\n",
    );
    assertEquals(await symbols(), ["m.py: modified a 1, modified b 2", "n.py: added d 1"]);
    // Back to the committed text: no change, no symbols.
    write(f.root, "m.py", "def a(x):\n    return x\n\n\ndef b(x):\n    return x\n");
    assertEquals(await symbols(), ["n.py: added d 1"]);
  } finally {
    await f.cleanup();
  }
});

Deno.test("review() in diff mode continues a file cut at its per-file cap hunk by hunk until all of it was shown", async () => {
  const f = await emptyRepo();
  try {
    const old = Array.from({ length: 3000 }, (_, i) => `line ${i}\n`).join("");
    write(f.root, "long.txt", old);
    write(f.root, "z.txt", "z\n");
    git(f.root, "add", "-A");
    git(f.root, "commit", "-qm", "long");
    // Many separate hunks, and one long run of changed lines (a hunk bigger than the cap).
    const lines = old.split("\n");
    for (let i = 0; i < 3000; i += 50) lines[i] = `changed ${i}`;
    for (let i = 2000; i < 2600; i++) lines[i] = `rewritten ${i}`;
    write(f.root, "long.txt", lines.join("\n"));
    write(f.root, "z.txt", "zz\n");
    const whole = await reviewOk(f.root, { mode: "diff" });
    const full = whole.files[0]!.diff!;
    const cap = 4096;
    let startHunk = 0;
    let start = 0;
    const shown: string[] = [];
    let pages = 0;
    for (;;) {
      const v = await reviewOk(f.root, { mode: "diff", maxFileDiffBytes: cap, start, startHunk });
      const rec = v.files[0]!;
      assert(new TextEncoder().encode(rec.diff!).length <= cap, `page ${pages}`);
      if (rec.path !== "long.txt") {
        assertEquals(rec.path, "z.txt");
        break;
      }
      shown.push(rec.diff!);
      pages++;
      if (rec.next_hunk === undefined) {
        assertEquals(v.files.length, 2, "the next file follows the file's last part");
        break;
      }
      assertEquals(v.files.length, 1, "a cut file ends its page");
      startHunk = rec.next_hunk;
      start = v.start;
    }
    assert(pages > 5, `${pages} pages`);
    // Every changed line was shown once, in order: the pages' +/- lines are the whole diff's.
    const changed = (t: string) => t.split("\n").filter((l) => l[0] === "+" || l[0] === "-");
    assertEquals(changed(shown.join("\n")), changed(full));
    // Each page's hunk headers are git's: applying all pages as one patch gives the new file.
    Deno.writeTextFileSync(
      `${f.root}/pages.patch`,
      "--- a/long.txt\n+++ b/long.txt\n" + shown.join("\n") + "\n",
    );
    git(f.root, "stash", "-q");
    // Pieces of a long hunk carry no context of their own: checked by line numbers alone.
    git(f.root, "apply", "--check", "--unidiff-zero", "pages.patch");
    git(f.root, "stash", "pop", "-q");
  } finally {
    await f.cleanup();
  }
});

Deno.test("review() takes globs in paths as run_linter does, matching what git's own glob pathspec selects", async () => {
  const f = await emptyRepo();
  try {
    for (
      const p of ["src/a.py", "src/pkg/b.py", "src/pkg/c.txt", "lib/d.py", "README.md", "docs/e.md"]
    ) {
      write(f.root, p, "x\n");
    }
    git(f.root, "add", "-A");
    git(f.root, "commit", "-qm", "files");
    for (
      const p of ["src/a.py", "src/pkg/b.py", "src/pkg/c.txt", "lib/d.py", "README.md", "docs/e.md"]
    ) {
      write(f.root, p, "y\n");
    }
    write(f.root, "src/new.py", "new\n");
    const table: [string[], string[]][] = [
      [["src/**/*.py"], ["src/a.py", "src/new.py", "src/pkg/b.py"]],
      [["*.md"], ["README.md", "docs/e.md"]],
      [["src/pkg/*"], ["src/pkg/b.py", "src/pkg/c.txt"]],
      [["lib", "**/*.txt"], ["lib/d.py", "src/pkg/c.txt"]],
    ];
    for (const [paths, want] of table) {
      const v = await reviewOk(f.root, { paths });
      assertEquals(v.files.map((x) => x.path), want, paths.join(" "));
    }
    // git's own ":(glob)" pathspec agrees on the root-anchored forms.
    const gitGlob = git(
      f.root,
      "status",
      "--porcelain",
      "--untracked-files=all",
      "--",
      ":(glob)src/**/*.py",
    )
      .trimEnd().split("\n").map((l) => l.slice(3)).sort();
    assertEquals(gitGlob, table[0]![1]);
  } finally {
    await f.cleanup();
  }
});

Deno.test("review() stops when cancelled in the middle of a long walk, not only before it starts", async () => {
  const f = await emptyRepo();
  try {
    for (let i = 0; i < 3000; i++) write(f.root, `d${i % 40}/f${i}.txt`, `file ${i}\n`);
    git(f.root, "add", "-A");
    git(f.root, "commit", "-qm", "many");
    // Every file newer than the index: each one is read and hashed, a walk of some length.
    const soon = new Date(Date.now() + 60_000);
    for (let i = 0; i < 3000; i++) Deno.utimeSync(`${f.root}/d${i % 40}/f${i}.txt`, soon, soon);
    const c = new AbortController();
    const started = gitReview(request(f.root), c.signal);
    setTimeout(() => c.abort(), 1);
    let name = "";
    try {
      await started;
    } catch (err) {
      name = (err as Error).name;
    }
    assertEquals(name, "AbortError");
  } finally {
    await f.cleanup();
  }
});
