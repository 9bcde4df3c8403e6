/**
 * The symbol index and its queries, as the worker runs them: outline, find_symbol,
 * find_references and one definition's lines, on fixture files written here; the index is
 * seen to follow edits, new and deleted files between two calls.
 */
import { assert, assertEquals, assertRejects } from "../../assert.ts";
import * as path from "node:path";
import {
  clearSymbolIndexes,
  findReferences,
  findSymbol,
  indexScope,
  symbolIndexStats,
  symbolOutline,
  symbolRange,
} from "../../../src/sandbox/symbols.ts";
import { SYMBOL_FIXTURES } from "../symbols/fixtures.ts";

async function project(extra: Record<string, string> = {}): Promise<string> {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "crm-symbols-" }));
  for (const [rel, text] of Object.entries({ ...SYMBOL_FIXTURES, ...extra })) {
    await Deno.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await Deno.writeTextFile(path.join(root, rel), text);
  }
  return root;
}

const budget = { timeBudgetMs: 60_000 };

function ok<T>(r: { ok: true; value: T } | { ok: false; reason: string }): T {
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

Deno.test("symbolOutline() nests a file's definitions down to the depth asked, with signatures and docs", async () => {
  clearSymbolIndexes();
  const root = await project();
  try {
    const deep = ok(await symbolOutline({ root, path: "py/shapes.py", depth: 3, ...budget }));
    assertEquals(deep.files.length, 1);
    const defs = deep.files[0]!.definitions;
    const shape = defs.find((d) => d.name === "Shape")!;
    assertEquals([shape.kind, shape.line, shape.start, shape.doc], [
      "class",
      16,
      15,
      "A shape with an area.",
    ]);
    const describe = defs.find((d) => d.name === "describe")!;
    assertEquals(defs[defs[describe.parent]!.parent]!.name, "Shape");
    assertEquals(describe.kind, "method");
    const total = defs.find((d) => d.name === "total_area")!;
    assertEquals(total.signature, "async def total_area(shapes)");
    assertEquals(defs.find((d) => d.name === "PI_ISH")?.kind, "constant");
    assertEquals(
      defs.some((d) => d.name === "registry"),
      false,
      "lower-case module globals are not constants",
    );
    const top = ok(await symbolOutline({ root, path: "py/shapes.py", depth: 1, ...budget }));
    assert(top.files[0]!.definitions.every((d) => d.parent === -1));
    assert(top.files[0]!.definitions.some((d) => d.name === "Circle"));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("symbolOutline() of a folder covers every supported language and names an unsupported file's language", async () => {
  clearSymbolIndexes();
  const root = await project({
    "kt/Main.kt": "fun main() {}\n",
    "min.js": "var a=1;" + "x".repeat(5000) + "\n",
  });
  try {
    const all = ok(await symbolOutline({ root, path: ".", depth: 2, ...budget }));
    assertEquals(
      all.files.map((f) => f.language).sort(),
      [
        "bash",
        "c",
        "cpp",
        "csharp",
        "go",
        "java",
        "javascript",
        "php",
        "python",
        "ruby",
        "rust",
        "tsx",
        "typescript",
      ],
    );
    assert(all.files.every((f) => f.definitions.length > 0));
    assertEquals(all.skipped.minified, 1);
    const kt = ok(await symbolOutline({ root, path: "kt/Main.kt", depth: 2, ...budget }));
    assertEquals(kt.unsupported, { language: "Kotlin" });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("findSymbol(): exact names first, qualified names, then prefix and fuzzy matches", async () => {
  clearSymbolIndexes();
  const root = await project();
  try {
    const exact = ok(
      await findSymbol({ root, path: ".", name: "Store", maxResults: 10, ...budget }),
    );
    assertEquals(exact.match, "exact");
    assertEquals(exact.hits.map((h) => [h.file, h.line, h.kind]), [["ts/store.ts", 27, "class"]]);
    const method = ok(
      await findSymbol({ root, path: ".", name: "Store.set", maxResults: 10, ...budget }),
    );
    assertEquals(method.hits.map((h) => [h.file, h.line, h.container, h.kind]), [[
      "ts/store.ts",
      39,
      "Store",
      "method",
    ]]);
    const area = ok(
      await findSymbol({
        root,
        path: "py",
        name: "area",
        kind: "method",
        maxResults: 10,
        ...budget,
      }),
    );
    assertEquals(area.hits.map((h) => h.container), ["Shape", "Circle"]);
    const prefix = ok(
      await findSymbol({ root, path: ".", name: "buffer_", maxResults: 10, ...budget }),
    );
    assertEquals(prefix.match, "prefix");
    assertEquals(prefix.hits.map((h) => h.name).sort(), [
      "buffer_append",
      "buffer_free",
      "buffer_new",
      "buffer_t",
    ]);
    const fuzzy = ok(
      await findSymbol({ root, path: ".", name: "mkWidget", maxResults: 10, ...budget }),
    );
    assertEquals(fuzzy.match, "fuzzy");
    assertEquals(fuzzy.hits[0]!.name, "makeWidget");
    // Circle.unit does not exist; unit is Shape's (inherited): the name in another container.
    const inherited = ok(
      await findSymbol({ root, path: ".", name: "Circle.unit", maxResults: 10, ...budget }),
    );
    assertEquals(inherited.match, "other-container");
    assertEquals(inherited.hits.map((h) => [h.container, h.name]), [["Shape", "unit"]]);
    const none = ok(
      await findSymbol({ root, path: ".", name: "zzzqqq", maxResults: 10, ...budget }),
    );
    assertEquals([none.match, none.hits.length], ["none", 0]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("the index sees an edit, a new file and a deleted file between two calls, and re-parses only those", async () => {
  clearSymbolIndexes();
  const root = await project();
  try {
    const first = ok(
      await findSymbol({ root, path: ".", name: "helper", maxResults: 10, ...budget }),
    );
    assertEquals(first.hits.map((h) => h.file), ["rb/library.rb"]);
    assert(first.parsed >= 13);
    const warm = ok(
      await findSymbol({ root, path: ".", name: "helper", maxResults: 10, ...budget }),
    );
    assertEquals(warm.parsed, 0, "an unchanged project is not parsed again");
    await Deno.writeTextFile(path.join(root, "rb/library.rb"), "def helper_renamed(x)\n  x\nend\n");
    await Deno.writeTextFile(path.join(root, "py/new.py"), "def helper():\n    pass\n");
    await Deno.remove(path.join(root, "go/server.go"));
    const after = ok(
      await findSymbol({ root, path: ".", name: "helper", maxResults: 10, ...budget }),
    );
    assertEquals(after.hits.map((h) => h.file), ["py/new.py"]);
    assertEquals(after.parsed, 2);
    assertEquals(symbolIndexStats(root).files, 13);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("findReferences() finds identifiers only (not comments or strings), with enclosing symbols, defining module first", async () => {
  clearSymbolIndexes();
  const root = await project({
    "app/users.py": 'def get_user(uid):\n    """get_user docs"""\n    return uid\n',
    "app/views.py":
      'from app.users import get_user\n\n\ndef show(uid):\n    # get_user in a comment\n    s = "get_user in a string"\n    return get_user(uid)\n',
    "app/other.py": "class Cache:\n    def get(self, get_user):\n        return get_user\n",
  });
  try {
    const r = ok(
      await findReferences({ root, path: ".", name: "get_user", maxReferences: 100, ...budget }),
    );
    assertEquals(r.definitions.map((d) => [d.file, d.line]), [["app/users.py", 1]]);
    assertEquals(r.files.map((f) => [f.file, f.rank]), [
      ["app/users.py", "defines"],
      ["app/views.py", "imports"],
      ["app/other.py", "other"],
    ]);
    assertEquals(r.files[0]!.references, [{
      line: 1,
      column: 5,
      definition: true,
      text: "def get_user(uid):",
    }]);
    assertEquals(r.files[1]!.references.map((x) => [x.line, x.in]), [[1, undefined], [7, "show"]]);
    assertEquals(r.files[2]!.references.map((x) => [x.line, x.in]), [[2, "Cache.get"], [
      3,
      "Cache.get",
    ]]);
    assertEquals(r.total, 5);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("symbolRange() gives exactly one definition's lines, overloads together, or the candidates", async () => {
  clearSymbolIndexes();
  const root = await project();
  try {
    assertEquals(
      ok(await symbolRange({ root, path: "py/shapes.py", symbol: "Circle.scale" })),
      { found: true, start: 43, end: 50, kind: "method", name: "Circle.scale" },
    );
    assertEquals(
      ok(await symbolRange({ root, path: "ts/store.ts", symbol: "pick" })),
      { found: true, start: 16, end: 20, kind: "function", name: "pick" },
    );
    const ambiguous = ok(await symbolRange({ root, path: "py/shapes.py", symbol: "area" }));
    assertEquals(ambiguous, {
      found: false,
      candidates: ["Shape.area (line 29)", "Circle.area (line 53)"],
    });
    const missing = ok(await symbolRange({ root, path: "py/shapes.py", symbol: "Widget" }));
    assertEquals(missing.found, false);
    // A folder is not a file: its first file's definitions must not pass for it.
    const folder = await symbolRange({ root, path: "py", symbol: "Shape" });
    assertEquals(folder.ok, false);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("indexScope(): a huge file is skipped with a note, a spent time budget leaves the rest pending for the next call, an abort stops the walk", async () => {
  clearSymbolIndexes();
  const root = await project({ "big/huge.py": "x = 1\n".repeat(200_000) });
  try {
    const none = ok(await indexScope({ root, path: ".", timeBudgetMs: 0 }));
    assertEquals([none.parsed, none.pending > 0, none.files.length], [0, true, 0]);
    const rest = ok(await indexScope({ root, path: ".", ...budget }));
    assertEquals([rest.pending, rest.skipped["too-large"]], [0, 1]);
    assertEquals(rest.files.length, 13);
    const controller = new AbortController();
    controller.abort();
    await assertRejects(
      () => indexScope({ root, path: ".", ...budget }, controller.signal),
      (e: Error) => e.name === "AbortError",
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("the index sees an atomic save of the same size with the old modification time (a new inode)", async () => {
  clearSymbolIndexes();
  const root = await project();
  try {
    const file = path.join(root, "py/one.py");
    await Deno.writeTextFile(file, "def aaaa():\n    pass\n");
    const before = await Deno.stat(file);
    assertEquals(
      ok(await findSymbol({ root, path: "py/one.py", name: "aaaa", maxResults: 5, ...budget }))
        .match,
      "exact",
    );
    await Deno.writeTextFile(file + ".tmp", "def bbbb():\n    pass\n");
    await Deno.utime(file + ".tmp", before.atime!, before.mtime!);
    await Deno.rename(file + ".tmp", file);
    const after = ok(
      await findSymbol({ root, path: "py/one.py", name: "bbbb", maxResults: 5, ...budget }),
    );
    assertEquals([after.match, after.parsed], ["exact", 1]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
