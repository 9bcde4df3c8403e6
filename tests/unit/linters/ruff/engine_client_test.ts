import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  defaultRuffWorkers,
  RUFF_MAX_WORKERS,
  RuffEngineClient,
  ruffWorkerPermissions,
} from "../../../../src/linters/ruff/engine_client.ts";

const SOURCE = "import os\n\n\ndef f(a=[]):\n    return a\n";

async function until(what: string, done: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("RuffEngineClient starts no worker until the first check, then answers from its worker", async () => {
  const events: string[] = [];
  const client = new RuffEngineClient({ onChange: (e) => events.push(e) });
  try {
    assert.deepEqual(client.stats(), {
      loaded: false,
      starts: 0,
      pending: 0,
      workers: 0,
      moduleShared: false,
    });
    const outcome = await client.check(SOURCE, { lint: { select: ["B006", "F401"] } }, "a.py");
    assert.equal(outcome.ok, true);
    assert.deepEqual(outcome.ok && outcome.value.map((d) => d.code), ["F401", "B006"]);
    assert.equal(client.stats().loaded, true);
    assert.deepEqual(events, ["started"]);
    // A second check reuses the worker.
    await client.check("x = 1\n", {}, "b.py");
    assert.equal(client.stats().starts, 1);
  } finally {
    client.close();
  }
  assert.deepEqual(events, ["started", "released"]);
});

Deno.test("RuffEngineClient starts a second worker only while checks queue up on a loaded first one, never more than its cap, and answers each check as one worker would", async () => {
  const events: string[] = [];
  const client = new RuffEngineClient({ maxWorkers: 2, onChange: (e) => events.push(e) });
  const alone = new RuffEngineClient({ maxWorkers: 1 });
  try {
    // One check at a time: one worker (and the second starts only once the first has answered).
    await client.check(SOURCE, {}, "a.py");
    await client.check(SOURCE, {}, "a.py");
    assert.equal(client.stats().workers, 1);
    const sources = Array.from(
      { length: 12 },
      (_, i) => `import os${i % 3}\n\n\ndef f(a=[]):\n    return a\n`,
    );
    const settings = { lint: { select: ["B006", "F401", "E"] } };
    const pooled = await Promise.all(sources.map((s, i) => client.check(s, settings, `m${i}.py`)));
    assert.equal(client.stats().workers, 2);
    assert.equal(client.stats().starts, 2);
    // The second worker was handed the module the first one compiled.
    assert.equal(client.stats().moduleShared, true);
    const single = await Promise.all(sources.map((s, i) => alone.check(s, settings, `m${i}.py`)));
    assert.equal(alone.stats().workers, 1);
    assert.deepEqual(pooled, single);
    assert.deepEqual(events, ["started"]);
  } finally {
    client.close();
    alone.close();
  }
  // Released once, when the last worker goes, and the compiled module with it.
  assert.deepEqual(events, ["started", "released"]);
  assert.deepEqual(client.stats().workers, 0);
  assert.equal(client.stats().moduleShared, false);
});

Deno.test("RuffEngineClient.checkBatch answers each file of one message as a check of that file alone, per-file-ignores by each file's path", async () => {
  const client = new RuffEngineClient({ maxWorkers: 1 });
  try {
    const settings = {
      lint: { select: ["F401", "B006", "S101"], "per-file-ignores": { "tests/**": ["S101"] } },
    };
    const files = [
      { source: SOURCE, relPath: "pkg/a.py" },
      { source: "assert True\n", relPath: "tests/test_a.py" },
      { source: "assert True\n", relPath: "pkg/b.py" },
      { source: "def f(:\n", relPath: "pkg/broken.py" },
      { source: "import sys\n", relPath: "tests/c.py" },
    ];
    const batch = await client.checkBatch(files, settings, [
      { pattern: "pkg/a.py", selectors: ["F401"], baseDir: "" },
    ]);
    assert.equal(client.stats().starts, 1);
    const alone = [];
    for (const f of files) {
      alone.push(
        await client.check(f.source, settings, f.relPath, [
          { pattern: "pkg/a.py", selectors: ["F401"], baseDir: "" },
        ]),
      );
    }
    assert.deepEqual(batch, alone);
    const codes = batch.map((o) => (o.ok ? o.value.map((d) => d.code) : o.reason));
    assert.deepEqual(codes, [["B006"], [], ["S101"], ["invalid-syntax", "invalid-syntax"], [
      "F401",
    ]]);
    assert.deepEqual(await client.checkBatch([], settings), []);
  } finally {
    client.close();
  }
});

Deno.test("RuffEngineClient loads one engine at a time: checks sent while the first loads wait for it, then go to both engines", async () => {
  const client = new RuffEngineClient({ maxWorkers: 2 });
  try {
    const sent = Array.from({ length: 6 }, (_, i) => client.check(SOURCE, {}, `m${i}.py`));
    // Only the first is posted; the others wait for the first engine's answer.
    assert.equal(client.stats().starts, 1);
    assert.equal(client.stats().pending, 6);
    const outcomes = await Promise.all(sent);
    assert.ok(outcomes.every((o) => o.ok));
    // Once the first answered, the waiting checks started the second engine, with the module.
    assert.equal(client.stats().starts, 2);
    assert.equal(client.stats().moduleShared, true);
  } finally {
    client.close();
  }
});

Deno.test("RuffEngineClient fails checks still waiting for an engine when closed, and answers a cancelled waiting check as cancelled", async () => {
  const client = new RuffEngineClient({ maxWorkers: 2 });
  const controller = new AbortController();
  const first = client.check(SOURCE, {}, "a.py");
  const cancelled = client.check(SOURCE, {}, "b.py", [], controller.signal);
  const closed = client.check(SOURCE, {}, "c.py");
  controller.abort();
  assert.deepEqual(await cancelled, {
    ok: false,
    reason: "The ruff check was cancelled",
    kind: "engine",
  });
  client.close();
  assert.equal((await first).ok, false);
  assert.deepEqual(await closed, {
    ok: false,
    reason: "The built-in ruff engine was stopped",
    kind: "engine",
  });
  assert.equal(client.stats().workers, 0);
});

Deno.test("defaultRuffWorkers() is one per core up to the cap, and one on a single core", () => {
  assert.equal(defaultRuffWorkers(1), 1);
  assert.equal(defaultRuffWorkers(2), Math.min(2, RUFF_MAX_WORKERS));
  assert.equal(defaultRuffWorkers(64), RUFF_MAX_WORKERS);
  assert.equal(defaultRuffWorkers(0), 1);
});

Deno.test("RuffEngineClient releases the engine after the idle period and starts it again on the next check", async () => {
  const events: string[] = [];
  const client = new RuffEngineClient({ idleMs: 100, onChange: (e) => events.push(e) });
  try {
    assert.equal((await client.check(SOURCE, {}, "a.py")).ok, true);
    await until("the idle release", () => !client.stats().loaded);
    assert.deepEqual(events, ["started", "released"]);
    assert.equal((await client.check(SOURCE, {}, "a.py")).ok, true);
    assert.equal(client.stats().starts, 2);
  } finally {
    client.close();
  }
});

Deno.test("RuffEngineClient reports settings the engine rejects as an outcome, never a rejection", async () => {
  const client = new RuffEngineClient();
  try {
    const outcome = await client.check("x = 1\n", { lint: { select: ["NOPE999"] } }, "a.py");
    assert.equal(outcome.ok, false);
    assert.equal(!outcome.ok && outcome.kind, "settings");
  } finally {
    client.close();
  }
});

Deno.test("RuffEngineClient answers a cancelled check as cancelled and stops the worker it alone was using", async () => {
  const client = new RuffEngineClient();
  try {
    const controller = new AbortController();
    const pending = client.check(SOURCE, {}, "a.py", [], controller.signal);
    controller.abort();
    const outcome = await pending;
    assert.equal(outcome.ok, false);
    assert.match(!outcome.ok ? outcome.reason : "", /cancelled/);
    assert.equal(client.stats().loaded, false);
    assert.equal((await client.check(SOURCE, {}, "a.py")).ok, true);
  } finally {
    client.close();
  }
});

Deno.test("ruffWorkerPermissions() grants reading the engine's own modules only, and nothing in a compiled binary", () => {
  const engineDir = fileURLToPath(new URL("../../../../src/linters/ruff/", import.meta.url));
  const denied = {
    write: false,
    net: false,
    run: false,
    env: false,
    ffi: false,
    sys: false,
    import: false,
  };
  assert.deepEqual(ruffWorkerPermissions(false), { read: [engineDir], ...denied });
  assert.deepEqual(ruffWorkerPermissions(true), { read: false, ...denied });
});
