/**
 * search_code picks the folders rg picks: a folder is skipped because an ignore file says so,
 * never for its name (build/ and dist/ often hold code: pip's src/pip/_internal/operations/build),
 * except version control folders. Differential: rg on the same tree gives the same lines.
 */
import { assert, assertEquals } from "../../assert.ts";
import * as path from "node:path";
import { clearSearchCache, searchCode } from "../../../src/sandbox/search.ts";
import { clearWalkCache } from "../../../src/sandbox/walk.ts";

const FILES: Record<string, string> = {
  "src/pkg/build/wheel.py": "def needle_build():\n    pass\n",
  "src/pkg/dist/x.py": "needle in dist\n",
  "node_modules/lib/index.js": "const needle = 1;\n",
  "venv/lib/site.py": "needle = 2\n",
  "__pycache__/notes.txt": "a needle in a cache folder\n",
  "generated/out.py": "needle = 3  # ignored by .gitignore\n",
  ".gitignore": "generated/\n",
  ".hg/store/data.txt": "needle in version control\n",
  ".svn/entries": "needle in version control\n",
  "app.py": "import needle\n",
};

/** rg's lines for the project walk's choice of files (bench/search.ts's flags, no git repository needed). */
async function rg(root: string, query: string): Promise<string[]> {
  const r = await new Deno.Command("rg", {
    args: [
      "--no-config",
      "--no-require-git",
      "--hidden",
      "--glob",
      "!.git",
      "--glob",
      "!.hg",
      "--glob",
      "!.svn",
      "--line-number",
      "--with-filename",
      "--no-heading",
      "--color",
      "never",
      "--fixed-strings",
      "--regexp",
      query,
    ],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert(r.code <= 1, new TextDecoder().decode(r.stderr));
  return new TextDecoder().decode(r.stdout).split("\n").filter((l) => l !== "").sort();
}

Deno.test("searchCode(): folders named build, dist, node_modules, venv are searched as rg searches them; ignored and version control folders are not", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "crm-search-folders-" }));
  try {
    for (const [rel, body] of Object.entries(FILES)) {
      await Deno.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
      await Deno.writeTextFile(path.join(root, rel), body);
    }
    clearSearchCache();
    clearWalkCache();
    const r = await searchCode({
      root,
      query: "needle",
      regex: false,
      caseSensitive: true,
      path: ".",
      contextLines: 0,
      maxMatches: 5_000,
      timeBudgetMs: 60_000,
      maxLineChars: 300,
    });
    assert(r.ok, r.ok ? "" : r.reason);
    const ours = r.value.matches.map((m) => `${m.file}:${m.line}:${m.text}`).sort();
    assertEquals(ours, await rg(root, "needle"));
    assert(ours.some((l) => l.startsWith("src/pkg/build/wheel.py:1:")), ours.join("\n"));
    assert(!ours.some((l) => l.startsWith("generated/")), ours.join("\n"));
    assertEquals(r.value.skipped.vendored, undefined);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
