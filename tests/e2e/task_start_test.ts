/**
 * `deno task start --root DIR` (the README's first command, pointed at one's own project):
 * serves any folder, with every effect confined to that root as in a compiled binary, and
 * the subcommands work through the task the same way.
 */
import { assert, assertEquals, assertMatch } from "../assert.ts";
import * as path from "node:path";
import { APP_DIR, makeProject } from "./harness.ts";
import { callTool, resultText, spawnClient } from "./spawn_client.ts";

const env = { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", NO_COLOR: "1" };

async function task(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "start", ...args],
    cwd: APP_DIR,
    env,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

/** A project beside a secret file, with a symlink from inside the root to the secret. */
async function projectWithSecretOutside() {
  const project = await makeProject();
  const secret = path.join(path.dirname(project.root), "secret.txt");
  await Deno.writeTextFile(secret, "TOP SECRET\n");
  await Deno.symlink(secret, path.join(project.root, "link_out.txt"));
  await Deno.symlink(path.dirname(project.root), path.join(project.root, "dir_out"));
  return { ...project, secret };
}

Deno.test("deno task start --root DIR serves a folder outside the checkout, and nothing outside it", async () => {
  const project = await projectWithSecretOutside();
  const server = await spawnClient({
    command: Deno.execPath(),
    args: ["task", "start", "--root", project.root],
    cwd: APP_DIR,
    env,
  });
  try {
    const listing = await callTool(server, "list_directory", { dir_path: "." });
    assert(!listing.isError, resultText(listing));
    assertMatch(resultText(listing), /app\.py|src/);
    const read = await callTool(server, "read_file", { file_path: "src/app.py" });
    assert(!read.isError, resultText(read));
    for (
      const file_path of [
        "link_out.txt",
        "dir_out/secret.txt",
        "../secret.txt",
        project.secret,
        "/etc/hostname",
      ]
    ) {
      const r = await callTool(server, "read_file", { file_path });
      assert(r.isError, `${file_path} was read: ${resultText(r)}`);
      assert(!resultText(r).includes("TOP SECRET"), file_path);
      assertMatch(resultText(r), /^Cannot read/);
    }
    const outside = await callTool(server, "list_directory", { dir_path: "dir_out" });
    assert(outside.isError, resultText(outside));
    // Everything the server itself wrote to stderr is a JSON line (deno task prints its "Task" line first).
    for (
      const line of server.stderr().split("\n").filter((l) => l !== "" && !l.startsWith("Task "))
    ) {
      JSON.parse(line);
    }
    assert(server.stderr().includes(`"root":${JSON.stringify(project.root)}`), server.stderr());
  } finally {
    await server.close();
    await project.cleanup();
  }
});

Deno.test("deno task start doctor --root DIR checks that folder, its sandbox narrowed to it", async () => {
  const project = await makeProject();
  try {
    const r = await task(["doctor", "--root", project.root]);
    assertEquals(r.code, 0, r.stdout + r.stderr);
    assertMatch(
      r.stdout,
      new RegExp(`root: ${project.root.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`),
    );
    assertMatch(r.stdout, /ok\s+sandbox: worker started, narrowed to the root/);
    assert(!r.stdout.includes("compiled binary"), r.stdout);
  } finally {
    await project.cleanup();
  }
});

Deno.test("deno task start config CLIENT --root DIR and healthcheck --help work through the task", async () => {
  const project = await makeProject();
  try {
    const r = await task(["config", "claude-desktop", "--root", project.root]);
    assertEquals(r.code, 0, r.stderr);
    const entry = JSON.parse(r.stdout).mcpServers["code-review"];
    assertEquals(entry.args.slice(-2), ["--root", project.root]);
    const h = await task(["healthcheck", "--help"]);
    assertEquals(h.code, 0, h.stderr);
    assertMatch(h.stdout, /healthcheck/);
  } finally {
    await project.cleanup();
  }
});

Deno.test("deno task start with no --root serves the checkout, as the README's first line says", async () => {
  const server = await spawnClient({
    command: Deno.execPath(),
    args: ["task", "start"],
    cwd: APP_DIR,
    env,
  });
  try {
    const r = await callTool(server, "read_file", { file_path: "deno.json" });
    assert(!r.isError, resultText(r));
    assertMatch(resultText(r), /"tasks"/);
  } finally {
    await server.close();
  }
});
