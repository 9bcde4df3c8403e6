import { assert, assertEquals, assertMatch } from "../../assert.ts";
import { newSessionId, SessionStore } from "../../../src/transports/sessions.ts";
import type { McpServer, WebStandardStreamableHTTPServerTransport } from "../../../src/sdk.ts";

const fakeServer = () => {
  let closed = false;
  return {
    server: { close: () => (closed = true, Promise.resolve()) } as unknown as McpServer,
    closed: () => closed,
  };
};
const transport = {} as WebStandardStreamableHTTPServerTransport;

Deno.test("newSessionId() gives 256 random bits as 43 base64url characters, never twice", () => {
  const ids = new Set(Array.from({ length: 1000 }, newSessionId));
  assertEquals(ids.size, 1000);
  for (const id of ids) assertMatch(id, /^[A-Za-z0-9_-]{43}$/);
});

Deno.test("SessionStore gives a session only to its owner", () => {
  const store = new SessionStore({ max: 10, idleMs: 1000 });
  store.add("s1", { server: fakeServer().server, transport, owner: "alice" });
  assert(store.get("s1", "alice"));
  assertEquals(store.get("s1", "bob"), undefined);
  assertEquals(store.get("s2", "alice"), undefined);
});

Deno.test("SessionStore drops idle sessions (closing them) unless a stream is open, and caps their number", () => {
  let now = 0;
  const store = new SessionStore({ max: 2, idleMs: 1000, now: () => now });
  const a = fakeServer();
  const b = fakeServer();
  store.add("a", { server: a.server, transport, owner: "" });
  store.add("b", { server: b.server, transport, owner: "" });
  assert(!store.hasRoom());
  store.get("b", "")!.streams = 1;
  now = 5000;
  assert(store.hasRoom());
  assert(a.closed() && !b.closed());
  assertEquals(store.get("a", ""), undefined);
  assert(store.get("b", ""));
});
