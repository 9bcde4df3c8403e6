/**
 * What every confined server must pass, whatever starts it (deno run with the compile flags,
 * a compiled binary, an unpacked bundle): a project with a secret beside it, and the checks.
 */
import { assert, assertEquals } from "../assert.ts";
import * as path from "node:path";
import { makeProject } from "./harness.ts";
import { callTool, resultText, spawnClient } from "./spawn_client.ts";
import { SERVER_NAME } from "../../src/version.ts";

const decode = (b: Uint8Array) => new TextDecoder().decode(b);

/** A project with a secret beside it (not inside), a symlink to it, and a "cwd" folder elsewhere. */
export async function scene() {
  const project = await makeProject();
  const base = path.dirname(project.root);
  const outside = path.join(base, "outside");
  await Deno.mkdir(outside);
  const secret = path.join(outside, "secret.txt");
  await Deno.writeTextFile(secret, "TOP SECRET\n");
  await Deno.symlink(secret, path.join(project.root, "leak.txt"));
  return { root: project.root, outside, secret, cleanup: project.cleanup };
}

export async function runDeno(args: string[], opts: { cwd: string; env?: Record<string, string> }) {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: opts.cwd,
    env: { NO_COLOR: "1", ...(opts.env ?? {}) },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  // Deno's own notice when an --allow-run name is not installed here (ruff) is not ours.
  const stderr = decode(out.stderr).split("\n").filter((l) =>
    !l.startsWith("Info Failed to resolve")
  ).join("\n");
  return { code: out.code, stdout: decode(out.stdout), stderr };
}

/** The tool calls every confined server must pass, whatever starts it. */
export async function assertConfined(
  command: string,
  args: string[],
  s: { root: string; outside: string; secret: string },
) {
  const server = await spawnClient({ command, args, cwd: s.outside });
  try {
    assertEquals(server.client.getServerVersion()?.name, SERVER_NAME);
    const { tools } = await server.client.listTools();
    assertEquals(tools.map((t) => t.name).sort(), [
      "fetch_github_file",
      "find_references",
      "find_symbol",
      "get_diff",
      "list_directory",
      "outline",
      "read_file",
      "review_changes",
      "run_linter",
      "search_code",
    ]);
    const listed = await callTool(server, "list_directory", { dir_path: "." });
    assert(!listed.isError, resultText(listed));
    assert(resultText(listed).includes("src/"), "lists the project, not the folder it started in");
    assert(!resultText(listed).includes("secret.txt"));
    const inside = await callTool(server, "read_file", { file_path: "src/app.py" });
    assert(!inside.isError, resultText(inside));
    for (const file_path of ["../outside/secret.txt", s.secret, "leak.txt", "secret.txt"]) {
      const r = await callTool(server, "read_file", { file_path });
      assert(r.isError, `${file_path} was readable`);
      assert(!resultText(r).includes("TOP SECRET"), file_path);
    }
    const lint = await callTool(server, "run_linter", { file_path: "src/app.py", linter: "ruff" });
    assert(
      !lint.isError,
      `the built-in ruff runs in the worker: ${resultText(lint)}\n${server.stderr()}`,
    );
  } finally {
    await server.close();
  }
}
