import { assert, assertEquals, assertMatch } from "../../assert.ts";
import { SandboxClient } from "../../../src/sandbox/client.ts";
import { makeTree } from "../../fixtures/tree.ts";

Deno.test("SandboxClient answers through the worker and starts a new worker after the old one is gone", async () => {
  const tree = await makeTree();
  const sandbox = new SandboxClient({ root: tree.root, net: "127.0.0.1:9", run: [] });
  try {
    const a = await sandbox.listDirectory("src", 10);
    assert(a.ok);
    sandbox.close();
    const b = await sandbox.listDirectory("src", 10);
    assert(b.ok);
    assertEquals(b.value.entries.map((e) => e.name), ["app.py"]);
  } finally {
    sandbox.close();
    await tree.cleanup();
  }
});

Deno.test("SandboxClient rejects a cancelled call at once and the worker stays usable", async () => {
  const tree = await makeTree();
  // A listener that never answers: the fetch hangs until cancelled.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const sandbox = new SandboxClient({ root: tree.root, net: `127.0.0.1:${port}`, run: [] });
  try {
    const controller = new AbortController();
    const pending = sandbox.fetchRaw(
      {
        op: "fetchRaw",
        url: `http://127.0.0.1:${port}/x`,
        headers: {},
        timeoutMs: 20_000,
        maxBytes: 1024,
      },
      controller.signal,
    );
    setTimeout(() => controller.abort(), 100);
    const started = performance.now();
    const err = await pending.then(() => null, (e: Error) => e);
    assert(err);
    assertEquals(err.name, "AbortError");
    assert(performance.now() - started < 5_000);
    const after = await sandbox.listDirectory(".", 5);
    assert(after.ok);
  } finally {
    sandbox.close();
    listener.close();
    await tree.cleanup();
  }
});

Deno.test("SandboxClient reports a failure inside the worker as a SandboxError, not a crash", async () => {
  const tree = await makeTree();
  const sandbox = new SandboxClient({ root: tree.root, net: "127.0.0.1:9", run: [] });
  try {
    // A network destination outside the worker's permissions: Deno refuses inside the worker.
    const err = await sandbox.fetchRaw({
      op: "fetchRaw",
      url: "http://127.0.0.1:10/x",
      headers: {},
      timeoutMs: 1000,
      maxBytes: 10,
    })
      .then(() => null, (e: Error) => e);
    assert(err);
    assertEquals(err.name, "SandboxError");
    assertMatch(err.message, /NotCapable|net access/);
  } finally {
    sandbox.close();
    await tree.cleanup();
  }
});

Deno.test("SandboxClient hands the hard-link policy to its worker: refused by default, served with allowHardLinks", async () => {
  const tree = await makeTree();
  await Deno.link(`${tree.outside}/secret.txt`, `${tree.root}/linked.txt`);
  try {
    for (const allowHardLinks of [false, true]) {
      const sandbox = new SandboxClient({
        root: tree.root,
        net: "127.0.0.1:9",
        run: [],
        allowHardLinks,
      });
      try {
        const r = await sandbox.readFile({
          path: "linked.txt",
          maxBytes: 1024,
          maxOutputBytes: 1024,
        });
        if (allowHardLinks) {
          assert(r.ok);
          assertEquals(r.value.text, "outside secret\n");
        } else {
          assert(!r.ok);
          assertMatch(r.reason, /^is a hard link \(2 names\)/);
        }
      } finally {
        sandbox.close();
      }
    }
  } finally {
    await tree.cleanup();
  }
});
