/**
 * search_code's caches never answer from stale content: between two searches in one session a
 * file is edited (same size with its modification time put back, or another size), deleted,
 * renamed, created, replaced by a symlink, or a .gitignore changes; the second search equals a
 * fresh search (caches emptied) and ripgrep's answer on the same files. The text cache and the
 * walk cache are bounded and evict the least recently used first.
 */
import { assert, assertEquals } from "../../assert.ts";
import * as path from "node:path";
import {
  clearSearchCache,
  searchCacheStats,
  searchCode,
  type SearchRequest,
} from "../../../src/sandbox/search.ts";
import { clearWalkCache, walkCacheStats, walkFilesCached } from "../../../src/sandbox/walk.ts";
import {
  type CachedText,
  TEXT_CACHE_MAX_CHARS,
  TEXT_CACHE_MAX_ENTRIES,
  TextCache,
} from "../../../src/sandbox/file_cache.ts";
import { SEARCH_WALK_CAPS } from "../../../src/policy/walk.ts";

/** What a reader of the answer sees: file, line and text of every matching line, sorted. */
type Answer = string[];

/** The queries every comparison runs: one that could touch a redaction marker, one that cannot, a regex. */
const QUERIES: { query: string; regex: boolean }[] = [
  { query: "needle", regex: false },
  { query: "needle(", regex: false },
  { query: "need(le|ed)\\b", regex: true },
];

function request(root: string, q: { query: string; regex: boolean }): SearchRequest {
  return {
    root,
    query: q.query,
    regex: q.regex,
    caseSensitive: true,
    path: ".",
    contextLines: 0,
    maxMatches: 5_000,
    timeBudgetMs: 60_000,
    maxLineChars: 300,
  };
}

async function ours(root: string): Promise<Answer[]> {
  const out: Answer[] = [];
  for (const q of QUERIES) {
    const r = await searchCode(request(root, q));
    assert(r.ok, r.ok ? "" : r.reason);
    out.push(r.value.matches.map((m) => `${m.file}:${m.line}:${m.text}`).sort());
  }
  return out;
}

/** The same search with every cache emptied first. */
async function fresh(root: string): Promise<Answer[]> {
  clearSearchCache();
  clearWalkCache();
  return await ours(root);
}

/**
 * ripgrep on the same files: .gitignore applied outside a repository too, hidden files searched
 * (the project walk searches them), .git skipped, links to files followed.
 */
async function rg(root: string): Promise<Answer[]> {
  const out: Answer[] = [];
  for (const q of QUERIES) {
    const r = await new Deno.Command("rg", {
      args: [
        "--no-config",
        "--no-require-git",
        "--hidden",
        "--glob",
        "!.git",
        "--follow",
        "--line-number",
        "--with-filename",
        "--no-heading",
        "--color",
        "never",
        ...(q.regex ? [] : ["--fixed-strings"]),
        "--regexp",
        q.query,
      ],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
    // 0: matches, 1: none; anything else is an error the test must show.
    assert(r.code <= 1, new TextDecoder().decode(r.stderr));
    out.push(new TextDecoder().decode(r.stdout).split("\n").filter((l) => l !== "").sort());
  }
  return out;
}

const FILES: Record<string, string> = {
  "a.py": "def needle():\n    return 1\n",
  "b.py": "x = needle()\n",
  "docs/c.md": "the needle is here, needled\n",
  "docs/d.txt": "nothing to see\n",
  ".gitignore": "*.log\n",
  "keep.log": "a needle( in a log\n",
};

async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [rel, body] of Object.entries(files)) {
    await Deno.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await Deno.writeTextFile(path.join(root, rel), body);
  }
}

/** Writes `text` over `abs` and puts its modification time back, as rsync or `touch -d` would. */
async function writeKeepingTime(abs: string, text: string): Promise<void> {
  const before = await Deno.lstat(abs);
  await Deno.writeTextFile(abs, text);
  await Deno.utime(abs, before.atime!, before.mtime!);
  assertEquals((await Deno.lstat(abs)).mtime?.getTime(), before.mtime?.getTime());
}

/** Each change made between two searches, on a project of its own. */
const CHANGES: [string, (root: string) => Promise<void>][] = [
  ["a file edited to the same size, its modification time put back", async (root) => {
    await writeKeepingTime(path.join(root, "a.py"), "def noodle():\n    return 1\n");
  }],
  ["a file edited to another size", async (root) => {
    await Deno.writeTextFile(path.join(root, "b.py"), "x = needle()\ny = needle()\n");
  }],
  ["a file deleted", async (root) => {
    await Deno.remove(path.join(root, "docs/c.md"));
  }],
  ["a file renamed", async (root) => {
    await Deno.rename(path.join(root, "docs/c.md"), path.join(root, "docs/e.md"));
  }],
  ["a new file created", async (root) => {
    await Deno.writeTextFile(path.join(root, "docs/f.md"), "one more needle( here\n");
  }],
  ["a new file created, its folder's modification time put back", async (root) => {
    const dir = path.join(root, "docs");
    const before = await Deno.stat(dir);
    await Deno.writeTextFile(path.join(dir, "g.md"), "hidden needle\n");
    await Deno.utime(dir, before.atime!, before.mtime!);
  }],
  ["a file replaced by a symlink to another file", async (root) => {
    await Deno.remove(path.join(root, "b.py"));
    await Deno.symlink(path.join(root, "docs/c.md"), path.join(root, "b.py"));
  }],
  [".gitignore changed to another size", async (root) => {
    await Deno.writeTextFile(path.join(root, ".gitignore"), "*.md\n");
  }],
  [".gitignore edited to the same size, its modification time put back", async (root) => {
    await writeKeepingTime(path.join(root, ".gitignore"), "*.md\n\n");
  }],
];

Deno.test("searchCode(): after each change between two searches, the second equals a fresh search and rg's", async (t) => {
  const base = await Deno.realPath(await Deno.makeTempDir({ prefix: "crm-search-cache-" }));
  try {
    clearSearchCache();
    clearWalkCache();
    const roots = CHANGES.map((_, i) => path.join(base, `p${i}`));
    for (const root of roots) await writeFiles(root, FILES);
    // Stamps younger than two seconds are not trusted (Deno gives change times in whole
    // seconds), so the caches would not hold these files yet: wait until they would.
    await new Promise((r) => setTimeout(r, 2_300));
    // In groups the walk cache holds whole (8 walks), so every first answer is remembered.
    for (let g = 0; g < CHANGES.length; g += 4) {
      const group = CHANGES.slice(g, g + 4).map(([name, change], k) => ({
        name,
        change,
        root: roots[g + k]!,
      }));
      const before: Answer[][] = [];
      for (const { root } of group) before.push(await ours(root));
      const cached = searchCacheStats();
      assert(cached.entries >= group.length * 4, `the first searches cached ${cached.entries}`);
      // The caches answer the unchanged projects the same way, from memory.
      const hits = walkCacheStats().hits;
      for (const [i, { root }] of group.entries()) assertEquals(await ours(root), before[i]);
      assertEquals(walkCacheStats().hits - hits, group.length * QUERIES.length);
      for (const { change, root } of group) await change(root);
      // Every second search first: a fresh search below empties the caches.
      const after: Answer[][] = [];
      for (const { root } of group) after.push(await ours(root));
      for (const [i, { name, root }] of group.entries()) {
        await t.step(name, async () => {
          const second = after[i]!;
          assert(
            JSON.stringify(second) !== JSON.stringify(before[i]),
            "the change alters the answer",
          );
          assertEquals(second, await rg(root));
          assertEquals(second, await fresh(root));
        });
      }
    }
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("searchCode(): a file edited twice within one second, same size and modification time, is read again", async () => {
  const base = await Deno.realPath(await Deno.makeTempDir({ prefix: "crm-search-cache-" }));
  try {
    clearSearchCache();
    clearWalkCache();
    await writeFiles(base, { "a.py": "def needle():\n    return 1\n" });
    // An old modification time, but a change time of now: the text is not cached yet.
    const old = new Date(Date.now() - 60_000);
    await Deno.utime(path.join(base, "a.py"), old, old);
    const first = await ours(base);
    await writeKeepingTime(path.join(base, "a.py"), "def noodle():\n    return 1\n");
    const second = await ours(base);
    assert(JSON.stringify(first) !== JSON.stringify(second));
    assertEquals(second, await rg(base));
    assertEquals(second, await fresh(base));
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

function entry(stamp: string, chars: number): CachedText {
  return { stamp, bytes: chars, text: "x".repeat(chars), redacted: false };
}

Deno.test("TextCache: bounded by characters, least recently used out first", () => {
  const c = new TextCache(100, 1_000);
  c.set("/a", entry("1", 20));
  c.set("/b", entry("1", 20));
  c.set("/c", entry("1", 20));
  c.set("/d", entry("1", 20));
  assert(c.get("/a", "1") !== undefined); // /a is now the most recently used
  c.set("/e", entry("1", 25)); // 105 characters: the least recently used (/b) goes
  assertEquals([c.size, c.chars], [4, 85]);
  assertEquals(c.get("/b", "1"), undefined);
  for (const k of ["/a", "/c", "/d", "/e"]) assert(c.get(k, "1") !== undefined, k);
  // Used in the order /a, /c, /d, /e: 25 more characters push out /a.
  c.set("/f", entry("1", 25));
  assertEquals([c.size, c.chars], [4, 90]);
  assertEquals(c.get("/a", "1"), undefined);
  for (const k of ["/c", "/d", "/e", "/f"]) assert(c.get(k, "1") !== undefined, k);
});

Deno.test("TextCache: bounded by entries; a text over a quarter of the bound is not kept", () => {
  const c = new TextCache(1_000, 3);
  for (const k of ["/a", "/b", "/c", "/d"]) c.set(k, entry("1", 1));
  assertEquals(c.size, 3);
  assertEquals(c.get("/a", "1"), undefined);
  c.set("/big", entry("1", 251));
  assertEquals(c.get("/big", "1"), undefined);
  assertEquals([c.size, c.chars], [3, 3]);
  // Replacing a path's entry frees the old text's characters.
  c.set("/b", entry("2", 200));
  assertEquals([c.size, c.chars], [3, 202]);
});

Deno.test("TextCache: another stamp is a miss that drops the old version", () => {
  const c = new TextCache(1_000, 10);
  c.set("/a", entry("size1:mtime1", 50));
  assertEquals(c.get("/a", "size1:mtime2"), undefined);
  assertEquals([c.size, c.chars], [0, 0]);
  assertEquals(c.get("/a", "size1:mtime1"), undefined);
});

Deno.test("the text cache's stated bound: 32 Mi characters (64 MiB at most) and 100,000 files", () => {
  assertEquals(TEXT_CACHE_MAX_CHARS, 32 * 1024 * 1024);
  assertEquals(TEXT_CACHE_MAX_ENTRIES, 100_000);
});

Deno.test("walkFilesCached(): at most 8 walks are kept, the least recently used out first", async () => {
  const base = await Deno.realPath(await Deno.makeTempDir({ prefix: "crm-walk-cache-" }));
  try {
    clearWalkCache();
    const roots = Array.from({ length: 10 }, (_, i) => path.join(base, `p${i}`));
    for (const root of roots) await writeFiles(root, { "a.py": "" });
    await new Promise((r) => setTimeout(r, 2_300));
    const walk = (root: string) =>
      walkFilesCached({ root, target: ".", caps: SEARCH_WALK_CAPS, statFiles: false });
    for (const root of roots) assert(walk(root).ok);
    assertEquals(walkCacheStats().entries, 8);
    // The two oldest were dropped: walking them again keeps the bound.
    assert(walk(roots[0]!).ok);
    assertEquals(walkCacheStats().entries, 8);
  } finally {
    clearWalkCache();
    await Deno.remove(base, { recursive: true });
  }
});
