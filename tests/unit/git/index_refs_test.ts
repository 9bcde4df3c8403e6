import { assertEquals } from "../../assert.ts";
import * as path from "node:path";
import { parseIndex } from "../../../src/git/index_file.ts";
import { refReader } from "../../../src/git/refs.ts";
import { emptyRepo, git, write } from "../../fixtures/git_repo.ts";

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
