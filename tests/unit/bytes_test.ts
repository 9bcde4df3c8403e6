import { assertEquals } from "../assert.ts";
import { concatBytes } from "../../src/bytes.ts";

Deno.test("concatBytes() joins parts in order, with or without a precounted total", () => {
  const parts = [new Uint8Array([1, 2]), new Uint8Array(), new Uint8Array([3])];
  assertEquals(concatBytes(parts), new Uint8Array([1, 2, 3]));
  assertEquals(concatBytes(parts, 3), new Uint8Array([1, 2, 3]));
  assertEquals(concatBytes([]), new Uint8Array());
});
