/**
 * End to end, code intelligence as a new user meets it: outline, find_symbol, find_references
 * and read_file by symbol, against the real program started with the README's flags, on
 * fixture files in every supported language.
 */
import { assert, assertEquals, assertMatch } from "../assert.ts";
import * as path from "node:path";
import type { CallToolResult } from "../../src/sdk.ts";
import { connect, makeProject } from "./harness.ts";
import { assertEveryHostSeesPayload } from "../host_views.ts";
import { SYMBOL_FIXTURES } from "../unit/symbols/fixtures.ts";

function text(r: CallToolResult): string {
  return r.content.map((c) => (c.type === "text" ? c.text : "")).join("\n");
}

Deno.test("symbols: outline, find_symbol, find_references and read_file by symbol, one call each", async (t) => {
  const project = await makeProject();
  const root = project.root;
  for (const [rel, body] of Object.entries(SYMBOL_FIXTURES)) {
    await Deno.mkdir(path.dirname(path.join(root, "code", rel)), { recursive: true });
    await Deno.writeTextFile(path.join(root, "code", rel), body);
  }
  await Deno.writeTextFile(
    path.join(root, "code/py/use_shapes.py"),
    "from shapes import Circle\n\n# Circle in a comment\n\ndef biggest(rs):\n    return max(Circle(r) for r in rs)\n",
  );
  await Deno.writeTextFile(path.join(root, "code/Main.kt"), "fun main() {}\n");
  const s = await connect(root);
  const call = async (name: string, args: Record<string, unknown>) =>
    (await s.client.callTool({ name, arguments: args })) as CallToolResult;
  try {
    await t.step("outline of a file: nested definitions with lines and signatures", async () => {
      const r = await call("outline", { path: "code/ts/store.ts" });
      assert(!r.isError, text(r));
      assertMatch(text(r), /\n {2}27-53 class Store<T> extends Base<T>\n/);
      assertMatch(
        text(r),
        /\n {4}39-44 method set\(key: string, value: T\): void {2}# Adds or replaces an entry\./,
      );
      assertEveryHostSeesPayload(r, { facts: ["Store", "set(key: string, value: T): void"] });
    });
    await t.step(
      "outline of a folder in every language, paged by cursor on a small budget",
      async () => {
        const r = await call("outline", { path: "code", depth: 1 });
        assert(!r.isError, text(r));
        const sc = r.structuredContent as { files: { file: string; language: string }[] };
        assertEquals(sc.files.length, 14);
        assertEquals(sc.files.find((f) => f.file === "code/rs/lib.rs")?.language, undefined);
        assertEquals(sc.files.find((f) => f.file === "code/rust/lib.rs")?.language, "Rust");
      },
    );
    await t.step("outline names a language it does not parse", async () => {
      const r = await call("outline", { path: "code/Main.kt" });
      assert(r.isError);
      assertMatch(text(r), /^Cannot outline "code\/Main.kt": Kotlin files are not supported/);
    });
    await t.step("find_symbol: exact, qualified, then fuzzy", async () => {
      const r = await call("find_symbol", { name: "Inventory.add" });
      assert(!r.isError, text(r));
      const sc = r.structuredContent as {
        match: string;
        results: { file: string; line: number }[];
      };
      assertEquals(sc.match, "exact");
      assertEquals(sc.results.map((x) => x.line), [23, 30]);
      assertEveryHostSeesPayload(r, {
        facts: ["code/java/Inventory.java", "public void add(T item, int times)"],
      });
      const fuzzy = await call("find_symbol", { name: "totl_area" });
      assertEquals((fuzzy.structuredContent as { match: string }).match, "fuzzy");
      assertMatch(text(fuzzy), /code\/py\/shapes\.py:57-63 function total_area/);
    });
    await t.step(
      "find_references: identifiers only, enclosing symbols, definer and importers first",
      async () => {
        const r = await call("find_references", { name: "Circle" });
        assert(!r.isError, text(r));
        const sc = r.structuredContent as {
          files: { file: string; rank: string; references: { line: number; in?: string }[] }[];
        };
        assertEquals(sc.files.map((f) => [f.file, f.rank]), [
          ["code/py/shapes.py", "defines"],
          ["code/py/use_shapes.py", "imports"],
          ["code/rust/lib.rs", "other"], // Shape::Circle: same name, another thing (syntactic)
        ]);
        assertEquals(sc.files[1]!.references.map((x) => [x.line, x.in]), [[1, undefined], [
          6,
          "biggest",
        ]]);
        assertMatch(text(r), /not type-resolved/);
        assertEveryHostSeesPayload(r, { facts: ["code/py/use_shapes.py"] });
      },
    );
    await t.step("search_code matches carry their enclosing symbol", async () => {
      const r = await call("search_code", { query: "self.r = r", path: "code/py" });
      assert(!r.isError, text(r));
      const sc = r.structuredContent as {
        matches: { file: string; line: number; symbol?: string }[];
      };
      assertEquals(sc.matches.map((m) => [m.file, m.line, m.symbol]), [
        ["code/py/shapes.py", 41, "Circle.__init__"],
      ]);
      assertMatch(text(r), /self\.r = r {2}\(in Circle\.__init__\)/);
    });
    await t.step("read_file by symbol reads exactly one definition", async () => {
      const r = await call("read_file", { file_path: "code/go/server.go", symbol: "Server.Serve" });
      assert(!r.isError, text(r));
      assertMatch(text(r), /^\[code\/go\/server\.go \(method Server\.Serve\): lines 33-44/);
      assertMatch(text(r), /33\tfunc \(s \*Server\) Serve/);
      assert(!text(r).includes("func New("));
      const missing = await call("read_file", { file_path: "code/go/server.go", symbol: "Nope" });
      assert(missing.isError);
    });
  } finally {
    await s.close();
    await project.cleanup();
  }
});
