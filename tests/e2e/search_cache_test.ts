/**
 * End to end, search_code's caches never answer from stale content: the real program, started
 * with the README's flags, searches a project twice in one session with changes in between (an
 * edit that keeps the size and puts the modification time back; then a delete, a rename, a new
 * file, a file replaced by a symlink and a .gitignore edit), and each second answer equals rg's.
 */
import { assert, assertEquals } from "../assert.ts";
import * as path from "node:path";
import type { CallToolResult } from "../../src/sdk.ts";
import { connect, type Connected } from "./harness.ts";
import { resultText } from "./spawn_client.ts";

const QUERIES: { query: string; regex: boolean }[] = [
  { query: "needle", regex: false },
  { query: "needle(", regex: false },
  { query: "need(le|ed)\\b", regex: true },
];

async function search(s: Connected): Promise<string[][]> {
  const out: string[][] = [];
  for (const q of QUERIES) {
    const r = (await s.client.callTool({
      name: "search_code",
      arguments: { query: q.query, regex: q.regex, case_sensitive: true },
    })) as CallToolResult;
    assert(!r.isError, resultText(r));
    const sc = r.structuredContent as {
      matches: { file: string; line: number; text: string }[];
      partial: boolean;
    };
    assertEquals(sc.partial, false);
    out.push(sc.matches.map((m) => `${m.file}:${m.line}:${m.text}`).sort());
  }
  return out;
}

/** rg on the same files: .gitignore applied, hidden files searched, .git skipped, file links followed. */
async function rg(root: string): Promise<string[][]> {
  const out: string[][] = [];
  for (const q of QUERIES) {
    const r = await new Deno.Command("rg", {
      args: [
        "--no-config",
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
    assert(r.code <= 1, new TextDecoder().decode(r.stderr));
    out.push(new TextDecoder().decode(r.stdout).split("\n").filter((l) => l !== "").sort());
  }
  return out;
}

/** Long enough for every stamp to be trusted, so the caches hold the whole project. */
const settle = () => new Promise((r) => setTimeout(r, 2_300));

Deno.test("search_code: a second search in one session sees every change made since the first, as rg does", async () => {
  const base = await Deno.realPath(await Deno.makeTempDir({ prefix: "crm-e2e-search-cache-" }));
  const root = path.join(base, "project");
  const files: Record<string, string> = {
    "a.py": "def needle():\n    return 1\n",
    "b.py": "x = needle()\n",
    "docs/c.md": "the needle is here, needled\n",
    "docs/d.md": "a needle( in docs\n",
    ".gitignore": "*.log\n",
    "keep.log": "a needle( in a log\n",
  };
  for (const [rel, body] of Object.entries(files)) {
    await Deno.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await Deno.writeTextFile(path.join(root, rel), body);
  }
  // rg applies .gitignore inside a repository only; the project walk applies it everywhere.
  await new Deno.Command("git", { args: ["init", "-q"], cwd: root }).output();
  const s = await connect(root);
  try {
    await settle();
    const first = await search(s);
    assertEquals(first, await rg(root));
    assertEquals(await search(s), first); // from the caches

    // An edit that keeps the size and puts the modification time back: only the content differs.
    const a = path.join(root, "a.py");
    const before = await Deno.lstat(a);
    await Deno.writeTextFile(a, "def noodle():\n    return 1\n");
    await Deno.utime(a, before.atime!, before.mtime!);
    const second = await search(s);
    assert(JSON.stringify(second) !== JSON.stringify(first), "the edit alters the answer");
    assertEquals(second, await rg(root));

    await settle();
    const third = await search(s);
    assertEquals(third, second);
    await Deno.remove(path.join(root, "docs/c.md"));
    await Deno.rename(path.join(root, "docs/d.md"), path.join(root, "docs/e.md"));
    await Deno.writeTextFile(path.join(root, "f.py"), "y = needle() + 1\n");
    await Deno.remove(path.join(root, "b.py"));
    await Deno.symlink(path.join(root, "docs/e.md"), path.join(root, "b.py"));
    await Deno.writeTextFile(path.join(root, ".gitignore"), "*.md\n");
    const fourth = await search(s);
    assert(JSON.stringify(fourth) !== JSON.stringify(third), "the changes alter the answer");
    assertEquals(fourth, await rg(root));
  } finally {
    await s.close();
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("search_code: a project of 600 files, searched in two halves (one in the search helper), answers as rg does before and after edits in both halves", async () => {
  const base = await Deno.realPath(await Deno.makeTempDir({ prefix: "crm-e2e-search-halves-" }));
  const root = path.join(base, "project");
  for (let i = 0; i < 600; i++) {
    const rel = `pkg_${i % 12}/build/mod_${i}.py`;
    await Deno.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    const body = i % 4 === 0 ? `def needle_${i}():\n    return needle(${i})\n` : `x = ${i}\n`;
    await Deno.writeTextFile(path.join(root, rel), body);
  }
  await Deno.writeTextFile(path.join(root, ".gitignore"), "pkg_11/\n");
  await new Deno.Command("git", { args: ["init", "-q"], cwd: root }).output();
  const s = await connect(root);
  try {
    await settle();
    const first = await search(s);
    assertEquals(first, await rg(root));
    assert(first[0]!.length > 100, `${first[0]!.length} lines`);
    assertEquals(await search(s), first); // from both halves' caches
    // Edits spread over both halves (the halves are chosen by a hash of the path).
    for (let i = 1; i < 600; i += 40) {
      await Deno.writeTextFile(
        path.join(root, `pkg_${i % 12}/build/mod_${i}.py`),
        "y = needle()\n",
      );
    }
    await Deno.remove(path.join(root, "pkg_0/build/mod_0.py"));
    const second = await search(s);
    assert(JSON.stringify(second) !== JSON.stringify(first), "the edits alter the answer");
    assertEquals(second, await rg(root));
  } finally {
    await s.close();
    await Deno.remove(base, { recursive: true });
  }
});
