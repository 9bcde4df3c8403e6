/**
 * A large search is split in two halves, one searched in a helper worker: the answer must be
 * exactly the answer of one search over all files (matches in path order, counts, skips, and
 * where a cap stopped it), and an edit in either half is seen by the next search.
 */
import { assert, assertEquals } from "../../assert.ts";
import * as path from "node:path";
import {
  clearSearchCache,
  closeSearchHelper,
  failSearchHelper,
  searchCode,
  searchHelperAnswers,
  searchHelperReady,
  type SearchRequest,
  type SearchResult,
  setShardMinFiles,
} from "../../../src/sandbox/search.ts";
import { clearWalkCache } from "../../../src/sandbox/walk.ts";
import { SEARCH_WALK_CAPS } from "../../../src/policy/walk.ts";

const FILES = 240;

/** A tree with matches spread over both halves, secrets, binary, minified and ignored files. */
async function makeTree(root: string): Promise<void> {
  const w = async (rel: string, body: string | Uint8Array) => {
    await Deno.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    if (typeof body === "string") await Deno.writeTextFile(path.join(root, rel), body);
    else await Deno.writeFile(path.join(root, rel), body);
  };
  for (let i = 0; i < FILES; i++) {
    const lines = [`# file ${i}`, "import os", ""];
    if (i % 3 === 0) lines.push(`def get_record_${i}(uid):`, "    return get_record(uid)");
    if (i % 17 === 0) lines.push(`TOKEN = "ghp_${"a1B2c3D4e5".repeat(3)}abcdef"  # get_record`);
    if (i % 5 === 0) lines.push("GET_RECORD = 1");
    lines.push("");
    await w(`pkg_${i % 7}/mod_${String(i).padStart(3, "0")}.py`, lines.join("\n"));
  }
  await w("bin/blob.dat", new Uint8Array([0, 1, 2, 3, 0x67, 0x65, 0x74]));
  await w("web/bundle.js", "var get_record=1;" + "x".repeat(5000) + "\n");
  await w(".gitignore", "ignored/\n");
  await w("ignored/get_record.py", "get_record\n");
}

function request(root: string, over: Partial<SearchRequest>): SearchRequest {
  return {
    root,
    query: "get_record",
    regex: false,
    caseSensitive: true,
    path: ".",
    contextLines: 0,
    maxMatches: 5_000,
    timeBudgetMs: 60_000,
    maxLineChars: 300,
    ...over,
  };
}

/** The answer without its duration. */
async function answer(req: SearchRequest): Promise<Omit<SearchResult, "durationMs">> {
  const r = await searchCode(req);
  assert(r.ok, r.ok ? "" : r.reason);
  const { durationMs: _, ...rest } = r.value;
  return rest;
}

/** The same search in one piece (no helper), caches emptied. */
async function whole(req: SearchRequest): Promise<Omit<SearchResult, "durationMs">> {
  setShardMinFiles(Infinity);
  try {
    clearSearchCache();
    clearWalkCache();
    return await answer(req);
  } finally {
    setShardMinFiles(1);
  }
}

const CASES: [string, Partial<SearchRequest>][] = [
  ["a literal", {}],
  ["a literal, case ignored", { query: "GET_RECORD", caseSensitive: false }],
  ["a literal that could touch a marker", { query: "REDACTED", caseSensitive: false }],
  ["a regular expression with context lines", {
    query: "def get_record_\\d+\\(",
    regex: true,
    contextLines: 2,
  }],
  ["a match cap reached in the middle", { maxMatches: 37 }],
  ["a total size cap reached in the middle", {
    caps: { ...SEARCH_WALK_CAPS, maxTotalBytes: 4_000 },
  }],
];

Deno.test("searchCode(): split in two halves (one in a helper worker), the answer is the answer of one search over all files", async (t) => {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "crm-search-halves-" }));
  try {
    await makeTree(root);
    // Stamps younger than two seconds are not trusted: wait so the halves remember the texts.
    await new Promise((r) => setTimeout(r, 2_300));
    setShardMinFiles(1);
    for (const [name, over] of CASES) {
      await t.step(name, async () => {
        const req = request(root, over);
        const expected = await whole(req);
        clearSearchCache();
        clearWalkCache();
        assert(await searchHelperReady(root), "the helper started");
        const answered = searchHelperAnswers();
        const first = await answer(req);
        assertEquals(searchHelperAnswers(), answered + 1, "the helper searched a half");
        assertEquals(first, expected);
        // Repeated: from both halves' remembered texts.
        assertEquals(await answer(req), expected);
      });
    }
    await t.step(
      "a helper that fails during a search: its half is searched here, the answer unchanged",
      async () => {
        const req = request(root, {});
        const expected = await whole(req);
        assert(await searchHelperReady(root), "the helper started");
        const answered = searchHelperAnswers();
        const pending = answer(req);
        failSearchHelper();
        assertEquals(await pending, expected);
        assertEquals(searchHelperAnswers(), answered, "the helper answered nothing");
        // The next search runs whole and starts a new helper after it; then it is split again.
        assertEquals(await answer(req), expected);
        assert(await searchHelperReady(root), "a new helper started");
        assertEquals(await answer(req), expected);
        assertEquals(searchHelperAnswers(), answered + 1);
      },
    );
    await t.step(
      "an edit in each half, a new file and a deleted one are seen by the next search",
      async () => {
        const req = request(root, {});
        await answer(req);
        await Deno.writeTextFile(path.join(root, "pkg_0/mod_000.py"), "get_record edited\n");
        await Deno.writeTextFile(path.join(root, "pkg_1/mod_001.py"), "x = get_record\n");
        await Deno.writeTextFile(path.join(root, "pkg_2/new.py"), "get_record new\n");
        await Deno.remove(path.join(root, "pkg_3/mod_003.py"));
        const after = await answer(req);
        assertEquals(after, await whole(req));
        const files = new Set(after.matches.map((m) => m.file));
        for (const f of ["pkg_0/mod_000.py", "pkg_1/mod_001.py", "pkg_2/new.py"]) {
          assert(files.has(f), f);
        }
        assert(!files.has("pkg_3/mod_003.py"));
      },
    );
  } finally {
    setShardMinFiles(500);
    closeSearchHelper();
    clearSearchCache();
    clearWalkCache();
    await Deno.remove(root, { recursive: true });
  }
});
