/**
 * The built-in ruff engine over the README's command: not loaded by the handshake or by
 * other tools, loaded on the first Python lint, released after the idle period
 * (--ruff-idle-ms), loaded again by the next lint. Observed through the server's JSON log.
 */
import { assert, assertEquals } from "../assert.ts";
import { callTool, resultText } from "./spawn_client.ts";
import { connect, makeProject } from "./harness.ts";

function count(stderr: string, message: string): number {
  return stderr.split("\n").filter((l) => l.startsWith("{") && JSON.parse(l).message === message)
    .length;
}

async function until(what: string, done: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

Deno.test("the ruff engine loads on the first Python lint only and is released after the idle period", async () => {
  const project = await makeProject();
  const server = await connect(project.root, {
    extraArgs: ["--ruff-idle-ms", "500", "--log-level", "info"],
  });
  try {
    await server.client.listTools();
    const listing = await callTool(server, "list_directory", { dir_path: "." });
    assert(!listing.isError, resultText(listing));
    const flake8 = await callTool(server, "run_linter", {
      file_path: "src/app.py",
      linter: "flake8",
    });
    assert(!flake8.isError, resultText(flake8));
    assertEquals(count(server.stderr(), "ruff engine started"), 0);

    const first = await callTool(server, "run_linter", { file_path: "src/app.py", linter: "ruff" });
    assert(!first.isError, resultText(first));
    assertEquals(count(server.stderr(), "ruff engine started"), 1);

    await until("the idle release", () => count(server.stderr(), "ruff engine released") === 1);
    const again = await callTool(server, "run_linter", { file_path: "src/app.py", linter: "ruff" });
    assert(!again.isError, resultText(again));
    // structuredContent is `unknown` in the v2 SDK's types (2026-07-28 allows any JSON value).
    const diagnostics = (r: typeof first) =>
      (r.structuredContent as { diagnostics?: unknown } | undefined)?.diagnostics;
    assertEquals(diagnostics(again), diagnostics(first));
    assertEquals(count(server.stderr(), "ruff engine started"), 2);
  } finally {
    await server.close();
    await project.cleanup();
  }
});
