import { assert, assertEquals } from "../../assert.ts";
import * as path from "node:path";
import { applyDelta, ObjectStore } from "../../../src/git/objects.ts";
import { mergeBase, type RepoCtx } from "../../../src/git/log.ts";
import { makeBudget } from "../../../src/git/fs_view.ts";
import {
  flattenAgainst,
  flattenThroughIndex,
  flattenTree,
  readIndex,
} from "../../../src/git/changes.ts";
import { emptyRepo, git, gitWithEnv, write } from "../../fixtures/git_repo.ts";

/** A history whose packs hold deltas (many versions of the same files), merges and loose objects. */
function buildHistory(root: string): void {
  const lines = (v: number) =>
    Array.from({ length: 200 }, (_, i) => `line ${i} ${i % 17 === v % 17 ? v : 0}\n`).join("");
  for (let v = 0; v < 30; v++) {
    write(root, "big.txt", lines(v));
    write(root, `dir${v % 3}/f.txt`, `version ${v}\n`);
    git(root, "add", "-A");
    gitWithEnv(
      root,
      { GIT_COMMITTER_DATE: `${1_700_000_000 + v * 60} +0000` },
      "commit",
      "-qm",
      `v${v}`,
    );
    if (v === 10) git(root, "branch", "side");
  }
  git(root, "checkout", "-q", "side");
  for (let v = 0; v < 5; v++) {
    write(root, `side${v}.txt`, `side ${v}\n`);
    git(root, "add", "-A");
    gitWithEnv(
      root,
      { GIT_COMMITTER_DATE: `${1_700_000_000 + v * 90} +0000` },
      "commit",
      "-qm",
      `s${v}`,
    );
  }
  git(root, "checkout", "-q", "main");
  git(root, "merge", "-q", "--no-edit", "side");
  git(root, "gc", "-q", "--aggressive");
  // One loose object on top of the pack.
  write(root, "loose.txt", "loose\n");
  git(root, "add", "loose.txt");
  git(root, "commit", "-qm", "loose");
}

Deno.test("ObjectStore reads every object of a packed history (deltas included) exactly as git cat-file does", async () => {
  const f = await emptyRepo();
  const store = new ObjectStore(f.root, path.join(f.root, ".git"));
  try {
    buildHistory(f.root);
    store.refresh();
    assertEquals(store.stats.packs, 1);
    const all = git(f.root, "cat-file", "--batch-all-objects", "--batch-check").trim().split("\n");
    const budget = makeBudget(new AbortController().signal);
    // Every object's content from one `git cat-file --batch` run: "<oid> <type> <size>\n<bytes>\n".
    const cat = new Deno.Command("git", {
      args: ["cat-file", "--batch-all-objects", "--batch"],
      cwd: f.root,
      stdout: "piped",
    }).outputSync().stdout;
    let at = 0;
    for (const line of all) {
      const [oid, type, size] = line.split(" ");
      const nl = cat.indexOf(10, at);
      assertEquals(new TextDecoder().decode(cat.subarray(at, nl)), line);
      const want = cat.subarray(nl + 1, nl + 1 + Number(size));
      at = nl + 1 + Number(size) + 1;
      const o = store.read(oid!, budget);
      assert(o !== null, oid);
      assertEquals([o.type, o.data.length], [type, Number(size)], oid);
      assertEquals(new Uint8Array(o.data), new Uint8Array(want), oid);
    }
    assert(all.length > 100);
    const verify = git(
      f.root,
      "verify-pack",
      "-v",
      ...[...Deno.readDirSync(path.join(f.root, ".git/objects/pack"))]
        .filter((e) => e.name.endsWith(".idx")).map((e) => `.git/objects/pack/${e.name}`),
    );
    assert(/chain length = [1-9]/.test(verify), "the pack holds delta chains");
    // Abbreviated ids, as git rev-parse expands them.
    const head = git(f.root, "rev-parse", "HEAD").trim();
    const packed = git(f.root, "rev-parse", "HEAD~3").trim();
    assertEquals(store.expand(head.slice(0, 7)), [head]);
    assertEquals(store.expand(packed.slice(0, 7)), [packed]);
  } finally {
    store.close();
    await f.cleanup();
  }
});

Deno.test("mergeBase() agrees with git merge-base across merges, for ancestors and for diverged branches", async () => {
  const f = await emptyRepo();
  const store = new ObjectStore(f.root, path.join(f.root, ".git"));
  try {
    buildHistory(f.root);
    git(f.root, "checkout", "-q", "-b", "other", "HEAD~12");
    write(f.root, "other.txt", "other\n");
    git(f.root, "add", "-A");
    git(f.root, "commit", "-qm", "other");
    store.refresh();
    const r = { store, budget: makeBudget(new AbortController().signal) } as unknown as RepoCtx;
    const rev = (x: string) => git(f.root, "rev-parse", x).trim();
    const pairs: [string, string][] = [
      ["main", "main~5"],
      ["main", "side"],
      ["main", "other"],
      ["side", "other"],
      ["main~1^2", "main~1^1"],
      ["main", "main"],
    ];
    for (const [a, b] of pairs) {
      assertEquals(
        await mergeBase(r, rev(a), rev(b)),
        git(f.root, "merge-base", a, b).trim(),
        `${a} ${b}`,
      );
    }
  } finally {
    store.close();
    await f.cleanup();
  }
});

Deno.test("applyDelta() refuses a delta that copies outside its base or names another base size", () => {
  const base = new TextEncoder().encode("hello world");
  // base size 11, target 5, copy offset 6 length 5 ("world").
  assertEquals(
    new TextDecoder().decode(applyDelta(base, Uint8Array.of(11, 5, 0x91, 6, 5))),
    "world",
  );
  for (
    const bad of [
      Uint8Array.of(11, 5, 0x91, 8, 5),
      Uint8Array.of(12, 5, 0x91, 6, 5),
      Uint8Array.of(11, 6, 0x91, 6, 5),
    ]
  ) {
    let threw = false;
    try {
      applyDelta(base, bad);
    } catch {
      threw = true;
    }
    assert(threw, String(bad));
  }
});

Deno.test("flattenAgainst() (reading only the subtrees whose ids differ from HEAD's) gives exactly the whole tree's files", async () => {
  const f = await emptyRepo();
  const store = new ObjectStore(f.root, path.join(f.root, ".git"));
  try {
    buildHistory(f.root);
    // Type changes both ways and a removed folder, between HEAD~1 and HEAD.
    git(f.root, "rm", "-rq", "dir1");
    write(f.root, "dir1", "now a file\n");
    Deno.removeSync(path.join(f.root, "big.txt"));
    write(f.root, "big.txt/inner.txt", "now a folder\n");
    git(f.root, "add", "-A");
    git(f.root, "commit", "-qm", "types");
    store.refresh();
    const r = {
      store,
      budget: makeBudget(new AbortController().signal),
      gitdir: path.join(f.root, ".git"),
    } as unknown as RepoCtx;
    const limits = { maxEntries: 100_000, maxUntracked: 100, maxHashBytes: 1 << 20 };
    const tree = (rev: string) => git(f.root, "rev-parse", `${rev}^{tree}`).trim();
    for (const base of ["HEAD~1", "HEAD~2", "HEAD~8", "side", "HEAD~30"]) {
      for (const filters of [undefined, ["dir1"], ["*.txt"]]) {
        const whole = await flattenTree(r, tree(base), filters, limits, []);
        const near = await flattenAgainst(r, tree(base), tree("HEAD"), filters, limits, []);
        assertEquals(
          [...near].sort(([a], [b]) => (a < b ? -1 : 1)),
          [...whole].sort(([a], [b]) => (a < b ? -1 : 1)),
          `${base} ${filters}`,
        );
      }
    }
  } finally {
    store.close();
    await f.cleanup();
  }
});

Deno.test("flattenThroughIndex() (folders taken from the index's cached trees) gives exactly the whole tree's files, and reads no tree after a commit", async () => {
  const f = await emptyRepo();
  const store = new ObjectStore(f.root, path.join(f.root, ".git"));
  try {
    buildHistory(f.root);
    write(f.root, "dir0/deeper/x.txt", "x\n");
    git(f.root, "add", "-A");
    git(f.root, "commit", "-qm", "deeper");
    store.refresh();
    const treesRead: string[] = [];
    const counting = {
      read(oid: string, budget: never) {
        const o = store.read(oid, budget);
        if (o?.type === "tree") treesRead.push(oid);
        return o;
      },
    };
    const r = {
      store: counting,
      budget: makeBudget(new AbortController().signal),
      dir: f.root,
      gitdir: path.join(f.root, ".git"),
    } as unknown as RepoCtx;
    const limits = { maxEntries: 100_000, maxUntracked: 100, maxHashBytes: 1 << 20 };
    const sorted = (m: Map<string, unknown>) => [...m].sort(([a], [b]) => (a < b ? -1 : 1));
    const head = () => git(f.root, "rev-parse", "HEAD^{tree}").trim();
    /** Compares with the whole tree's read; returns how many trees the index route read (null: it gave way). */
    const compare = async (label: string, filters?: string[]) => {
      const whole = await flattenTree(r, head(), filters, limits, []);
      treesRead.length = 0;
      const index = readIndex(r, limits).file;
      const viaIndex = await flattenThroughIndex(r, head(), index, filters, limits, []);
      if (viaIndex !== null) assertEquals(sorted(viaIndex), sorted(whole), label);
      return viaIndex === null ? null : treesRead.length;
    };
    assertEquals(await compare("after a commit"), 0);
    assertEquals(await compare("after a commit, narrowed to dir0", ["dir0"]), 0);
    assertEquals(await compare("after a commit, a glob", ["**/*.txt"]), 0);
    // Unstaged edits leave the index alone: still no tree read.
    write(f.root, "dir1/f.txt", "edited, not staged\n");
    assertEquals(await compare("an unstaged edit"), 0);
    // A staged file invalidates the folders leading to it: only those trees are read.
    write(f.root, "dir0/deeper/x.txt", "staged\n");
    git(f.root, "add", "dir0/deeper/x.txt");
    const staged = await compare("a staged edit");
    assert(staged !== null && staged > 0 && staged <= 3, `read ${staged} trees`);
    git(f.root, "rm", "-q", "--cached", "dir2/f.txt");
    assert((await compare("a staged removal")) !== null);
    write(f.root, "dir1/new.txt", "intent\n");
    git(f.root, "add", "-N", "dir1/new.txt");
    await compare("an intent-to-add");
    git(f.root, "reset", "-q", "--hard");
    // An index rebuilt by git add: every cached tree invalid, so every tree is read.
    git(f.root, "rm", "-rq", "--cached", ".");
    git(f.root, "add", "-A");
    assertEquals(readIndex(r, limits).file.cachedTrees?.get("")?.oid, null);
    const all = await compare("all cached trees invalid");
    assert(all !== null && all >= 5, `read ${all} trees`);
    // A conflict: the index route never takes a conflicted folder from the index.
    git(f.root, "reset", "-q", "--hard");
    git(f.root, "checkout", "-q", "-b", "c1", "HEAD~3");
    write(f.root, "dir0/f.txt", "one side\n");
    git(f.root, "commit", "-qam", "c1");
    git(f.root, "checkout", "-q", "main");
    write(f.root, "dir0/f.txt", "other side\n");
    git(f.root, "commit", "-qam", "c2");
    try {
      git(f.root, "merge", "-q", "c1");
    } catch { /* the conflict is the point */ }
    await compare("a conflict");
    await compare("a conflict, narrowed", ["dir0"]);
  } finally {
    store.close();
    await f.cleanup();
  }
});
