import { assert, assertEquals } from "../../assert.ts";
import { InFlight } from "../../../src/transports/mcp_endpoint.ts";

Deno.test("InFlight counts each exchange once, however often its release is called, and idle() waits for the last", async () => {
  const f = new InFlight();
  await f.idle(); // nothing in flight: resolves at once
  const a = f.enter();
  const b = f.enter();
  assertEquals(f.count, 2);
  let idle = false;
  const waiting = f.idle().then(() => (idle = true));
  a();
  a();
  assertEquals(f.count, 1);
  await Promise.resolve();
  assert(!idle, "one exchange is still in flight");
  b();
  await waiting;
  assertEquals(f.count, 0);
  assert(idle);
});
