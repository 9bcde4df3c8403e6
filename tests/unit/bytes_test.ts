import { assertEquals } from "../assert.ts";
import { concatBytes } from "../../src/bytes.ts";
import { err, ok, type Result, unwrap } from "../../src/result.ts";

Deno.test("concatBytes() joins parts in order, with or without a precounted total", () => {
  const parts = [new Uint8Array([1, 2]), new Uint8Array(), new Uint8Array([3])];
  assertEquals(concatBytes(parts), new Uint8Array([1, 2, 3]));
  assertEquals(concatBytes(parts, 3), new Uint8Array([1, 2, 3]));
  assertEquals(concatBytes([]), new Uint8Array());
});

Deno.test("a Result is a value or a one-line error; unwrap() throws the error", () => {
  const good: Result<number> = ok(3);
  const bad: Result<number> = err("--port: expected an integer");
  assertEquals(unwrap(good), 3);
  let thrown = "";
  try {
    unwrap(bad);
  } catch (e) {
    thrown = (e as Error).message;
  }
  assertEquals(thrown, "--port: expected an integer");
});
