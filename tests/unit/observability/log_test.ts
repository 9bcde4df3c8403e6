import { assert, assertEquals } from "../../assert.ts";
import { reset } from "@logtape/logtape";
import { log, setupLogging } from "../../../src/observability/log.ts";

async function capture(fn: () => void): Promise<string[]> {
  const chunks: Uint8Array[] = [];
  const stream = new WritableStream<Uint8Array>({ write: (c) => void chunks.push(c) });
  await setupLogging("debug", stream);
  fn();
  await reset(); // flushes and closes the sink
  const text = new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
  return text.split("\n").filter((l) => l !== "");
}

Deno.test("log lines are JSON with the fields flattened", async () => {
  const lines = await capture(() =>
    log("t").info("tool call", { tool: "read_file", durationMs: 3 })
  );
  assertEquals(lines.length, 1);
  const rec = JSON.parse(lines[0]!);
  assertEquals(rec.message, "tool call");
  assertEquals(rec.tool, "read_file");
  assertEquals(rec.level, "INFO");
});

Deno.test("tokens, Authorization values and bearer strings never reach a log line", async () => {
  const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlc2lnbmF0dXJl";
  const lines = await capture(() => {
    log("t").info("request", {
      authorization: "Bearer s3cr3t-value",
      githubToken: "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
      headers: { Authorization: "Bearer nested-secret" },
      apiKey: "k-123456",
    });
    log("t").warn("upstream said: Bearer free-text-secret and " + jwt);
    log("t").error("failed with ghp_abcdefghijklmnopqrstuvwxyz0123456789 in the url");
  });
  const all = lines.join("\n");
  for (
    const secret of [
      "s3cr3t-value",
      "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
      "nested-secret",
      "k-123456",
      "free-text-secret",
      jwt,
    ]
  ) {
    assert(!all.includes(secret), `${secret} leaked: ${all}`);
  }
  assertEquals(lines.length, 3);
});
