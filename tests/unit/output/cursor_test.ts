import { assert, assertEquals } from "../../assert.ts";
import {
  cursorPosition,
  decodeCursor,
  encodeCursor,
  queryKey,
} from "../../../src/output/cursor.ts";

Deno.test("queryKey() ignores the cursor, key order and undefined members", () => {
  const a = queryKey({ path: "src", depth: 2, cursor: "abc" });
  assertEquals(a, queryKey({ depth: 2, path: "src" }));
  assertEquals(a, queryKey({ depth: 2, path: "src", pattern: undefined }));
  assert(a !== queryKey({ path: "src", depth: 3 }));
  assert(a !== queryKey({ path: "lib", depth: 2 }));
  assertEquals(
    queryKey({ o: { b: 1, a: [1, { y: 2, x: 1 }] } }),
    queryKey({ o: { a: [1, { x: 1, y: 2 }], b: 1 } }),
  );
  assert(/^[A-Za-z0-9_-]{16}$/.test(a));
});

Deno.test("a cursor round-trips for the same tool and arguments", () => {
  const key = queryKey({ dir_path: "." });
  const c = encodeCursor("list_directory", key, { offset: 1000, name: "é/😀" });
  assert(/^[A-Za-z0-9_-]+$/.test(c), c);
  assertEquals(decodeCursor("list_directory", key, c), {
    ok: true,
    value: { offset: 1000, name: "é/😀" },
  });
});

Deno.test("decodeCursor() refuses cursors from another tool, other arguments, or garbled", () => {
  const key = queryKey({ dir_path: "." });
  const c = encodeCursor("list_directory", key, { offset: 5 });
  const table: [string, string, string, RegExp][] = [
    ["search_code", key, c, /belongs to list_directory, not search_code/],
    ["list_directory", queryKey({ dir_path: "src" }), c, /other arguments/],
    ["list_directory", key, "not a cursor!", /not one this server gave out/],
    ["list_directory", key, "", /not one this server gave out/],
    ["list_directory", key, "eyJ2IjoxfQ", /not one this server gave out/], // {"v":1}
    ["list_directory", key, btoa("[1,2]").replace(/=+$/, ""), /not one this server gave out/],
    ["list_directory", key, "A".repeat(5000), /not one this server gave out/],
    ["list_directory", key, c.slice(0, -3), /not one this server gave out/],
  ];
  for (const [tool, k, cursor, re] of table) {
    const r = decodeCursor(tool, k, cursor);
    assert(!r.ok, `${tool} ${cursor.slice(0, 20)} accepted`);
    assert(re.test(r.reason), r.reason);
  }
});

Deno.test("cursorPosition() takes a non-negative safe integer and starts over on anything else", () => {
  assertEquals(cursorPosition({ offset: 40 }, "offset"), 40);
  assertEquals(cursorPosition({ i: 0 }, "i"), 0);
  for (const bad of [-1, 1.5, "3", null, 2 ** 60, Number.NaN]) {
    assertEquals(cursorPosition({ i: bad }, "i"), 0);
  }
  assertEquals(cursorPosition({}, "i"), 0);
});
