import { assertEquals } from "../assert.ts";
import { clientWantsLog } from "../../src/server.ts";

Deno.test("clientWantsLog() sends nothing until a client names a level, then that level and above", () => {
  const table: [Parameters<typeof clientWantsLog>, boolean][] = [
    [["debug", undefined, undefined], false],
    [["error", undefined, undefined], false],
    [["debug", undefined, "debug"], true],
    [["debug", undefined, "info"], false],
    [["error", undefined, "warning"], true],
    [["debug", "debug", undefined], true],
    [["debug", "info", "debug"], false],
    [["error", "error", undefined], true],
  ];
  for (const [args, want] of table) {
    assertEquals(clientWantsLog(...args), want, JSON.stringify(args));
  }
});
