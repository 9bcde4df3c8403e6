import { assert, assertEquals } from "../../assert.ts";
import * as path from "node:path";
import { parseCachedTrees, parseIndex, parseIndexFile } from "../../../src/git/index_file.ts";
import { refReader } from "../../../src/git/refs.ts";
import { emptyRepo, git, gitWithEnv, write } from "../../fixtures/git_repo.ts";

/** `git ls-files -s` as "<mode> <oid> <stage>\t<path>" lines: the oracle for the index. */
function lsFiles(root: string): string[] {
  return git(root, "ls-files", "-s", "-z").split("\0").filter((l) => l !== "");
}

function ours(root: string): string[] {
  return parseIndex(Deno.readFileSync(path.join(root, ".git", "index")), 100_000).map((e) =>
    `${e.mode.toString(8)} ${e.oid} ${e.stage}\t${e.path}`
  );
}

Deno.test("parseIndex() reads index versions 2, 3 and 4 (conflicts, intent-to-add, long and non-ASCII paths) as git ls-files -s does", async () => {
  const f = await emptyRepo();
  try {
    const r = f.root;
    write(r, "a.txt", "base\n");
    write(r, "dir/ünïcödé name.txt", "x\n");
    write(r, `deep/${"long_folder_name/".repeat(8)}file.py`, "y\n");
    for (let i = 0; i < 30; i++) write(r, `many/f${String(i).padStart(2, "0")}.txt`, `${i}\n`);
    git(r, "add", "-A");
    git(r, "commit", "-qm", "base");
    git(r, "checkout", "-q", "-b", "other");
    write(r, "a.txt", "other\n");
    git(r, "commit", "-qam", "other");
    git(r, "checkout", "-q", "main");
    write(r, "a.txt", "main\n");
    git(r, "commit", "-qam", "main");
    try {
      git(r, "merge", "-q", "other");
    } catch { /* the conflict is the point */ }
    write(r, "new.txt", "intent\n");
    git(r, "add", "-N", "new.txt"); // an extended flag: a version 3 index
    for (const version of ["3", "4", "2"]) {
      if (version === "2") git(r, "rm", "-q", "--cached", "new.txt");
      git(r, "update-index", "--index-version", version);
      assertEquals(ours(r), lsFiles(r), `version ${version}`);
    }
  } finally {
    await f.cleanup();
  }
});

Deno.test("refReader() resolves names in git's order (loose, packed, tags, remotes, HEAD-like) as git rev-parse does", async () => {
  const f = await emptyRepo();
  try {
    const r = f.root;
    for (let i = 0; i < 4; i++) {
      write(r, "a.txt", `${i}\n`);
      git(r, "add", "-A");
      git(r, "commit", "-qm", `c${i}`);
    }
    git(r, "tag", "v1", "HEAD~1");
    git(r, "branch", "feature", "HEAD~2");
    git(r, "update-ref", "refs/remotes/origin/main", "HEAD~3");
    git(r, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main");
    git(r, "pack-refs", "--all");
    git(r, "branch", "loose-after-pack", "HEAD~1");
    git(r, "update-ref", "ORIG_HEAD", "HEAD~2");
    const names = [
      "HEAD",
      "main",
      "v1",
      "feature",
      "origin/main",
      "origin",
      "loose-after-pack",
      "refs/heads/feature",
      "ORIG_HEAD",
    ];
    for (const pack of [false, true]) {
      if (pack) git(r, "pack-refs", "--all", "--prune");
      const refs = refReader(r, path.join(r, ".git"));
      for (const name of names) {
        assertEquals(
          refs.resolve(name),
          git(r, "rev-parse", "--verify", name).trim(),
          `${name} (packed: ${pack})`,
        );
      }
      assertEquals(refs.resolve("nothing-here"), null);
      assertEquals(refs.head(), { branch: "main", oid: git(r, "rev-parse", "HEAD").trim() });
    }
    git(r, "checkout", "-q", "--detach", "feature");
    assertEquals(refReader(r, path.join(r, ".git")).head(), {
      branch: null,
      oid: git(r, "rev-parse", "HEAD").trim(),
    });
    git(r, "checkout", "-q", "--orphan", "fresh");
    assertEquals(refReader(r, path.join(r, ".git")).head(), { branch: "fresh", oid: null });
  } finally {
    await f.cleanup();
  }
});

Deno.test("parseIndexFile() reads the cached-tree extension as git wrote it: each valid folder's tree id and entry count, invalidated folders after git add", async () => {
  const f = await emptyRepo();
  try {
    const r = f.root;
    write(r, "top.txt", "t\n");
    for (const d of ["a", "a/inner", "b", "ünï"]) write(r, `${d}/f.txt`, `${d}\n`);
    write(r, "a/inner/g.txt", "g\n");
    git(r, "add", "-A");
    git(r, "commit", "-qm", "base");
    const check = (label: string) => {
      const file = parseIndexFile(Deno.readFileSync(path.join(r, ".git", "index")), 100_000);
      assert(file.cachedTrees !== null, `${label}: a cached-tree extension`);
      for (const [folder, c] of file.cachedTrees) {
        const spec = folder === "" ? [] : ["--", folder];
        const files = git(r, "ls-files", "-z", ...spec).split("\0").filter((x) => x !== "");
        if (c.oid === null) continue;
        // The oracle: the tree git writes from the index for that folder, and its files.
        assertEquals(c.count, files.length, `${label}: count of ${folder}`);
        const written = gitWithEnv(
          r,
          { GIT_INDEX_FILE: path.join(r, ".git", "index.copy") },
          "write-tree",
          ...(folder === "" ? [] : [`--prefix=${folder}`]),
        ).trim();
        assertEquals(c.oid, written, `${label}: tree of ${folder}`);
      }
      return file.cachedTrees;
    };
    const copyIndex = () =>
      Deno.copyFileSync(path.join(r, ".git", "index"), path.join(r, ".git", "index.copy"));
    copyIndex();
    const committed = check("after commit");
    assertEquals([...committed.keys()].sort(), ["", "a/", "a/inner/", "b/", "ünï/"]);
    assert([...committed.values()].every((c) => c.oid !== null), "all valid after a commit");
    write(r, "a/inner/g.txt", "staged\n");
    git(r, "add", "a/inner/g.txt");
    copyIndex();
    const staged = check("after git add");
    // The folders leading to the staged file are invalid; the others keep their trees.
    assertEquals(staged.get("")?.count, -1);
    assertEquals(staged.get("a/")?.oid, null);
    assertEquals(staged.get("a/inner/")?.oid, null);
    assertEquals(staged.get("b/")?.oid, committed.get("b/")?.oid);
    for (const version of ["4", "2"]) {
      git(r, "update-index", "--index-version", version);
      git(r, "write-tree");
      copyIndex();
      const again = check(`version ${version}, after write-tree`);
      assert([...again.values()].every((c) => c.oid !== null), `version ${version}: all valid`);
    }
  } finally {
    await f.cleanup();
  }
});

Deno.test("parseCachedTrees() gives up on malformed data rather than guess", () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  const id = "\x01".repeat(20);
  for (
    const [label, data] of [
      ["no newline", enc("\x001 0")],
      ["not a number", enc("\x00x 0\n")],
      ["a missing subtree", enc(`\x002 1\n${id}`)],
      ["a truncated id", enc("\x001 0\n\x01\x02")],
      ["a slash in a name", enc(`\x002 1\n${id}a/b\x001 0\n${id}`)],
      ["two top folders", enc(`\x001 0\n${id}\x001 0\n${id}`)],
    ] as const
  ) {
    assertEquals(parseCachedTrees(data), null, label);
  }
  assertEquals(
    parseCachedTrees(enc(`\x00-1 1\nsrc\x003 0\n${id}`)),
    new Map([["", { count: -1, oid: null }], ["src/", { count: 3, oid: "01".repeat(20) }]]),
  );
});
