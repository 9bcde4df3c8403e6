/**
 * A new user's first commands, under the README's own flags: help lists the subcommands,
 * `help`/`version` are subcommands, `SUB --help` prints help and does nothing else, stderr
 * carries JSON lines only from the first moment, and `config` writes the root's real path.
 */
import { assert, assertEquals, assertMatch } from "../assert.ts";
import * as path from "node:path";
import { APP_DIR, makeProject, serverArgs } from "./harness.ts";
import { spawnClient } from "./spawn_client.ts";
import { SUBCOMMANDS } from "../../src/cli/subcommands.ts";

const decode = (b: Uint8Array) => new TextDecoder().decode(b);

/** main.ts with the README's flags for `root`, then `rest` in place of the server's own arguments. */
function mainArgs(root: string, rest: string[]): string[] {
  const args = serverArgs(root);
  return [...args.slice(0, args.indexOf(path.join(APP_DIR, "main.ts")) + 1), ...rest];
}

async function run(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: APP_DIR,
    env: { NO_COLOR: "1", PATH: Deno.env.get("PATH") ?? "", ...env },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

Deno.test("--help lists every subcommand; `help` prints the same; `version` equals --version", async () => {
  const project = await makeProject();
  try {
    const help = await run(mainArgs(project.root, ["--help"]));
    assertEquals(help.code, 0, help.stderr);
    for (const sub of SUBCOMMANDS) assertMatch(help.stdout, new RegExp(`^  ${sub}\\b`, "m"));
    assertEquals((await run(mainArgs(project.root, ["help"]))).stdout, help.stdout);
    const version = await run(mainArgs(project.root, ["version"]));
    assertEquals(version.code, 0, version.stderr);
    assertMatch(
      version.stdout,
      /^code-review-mcp \d+\.\d+\.\d+ \(ruff engine [\d.]+, deno [\d.]+\)\n$/,
    );
    assertEquals((await run(mainArgs(project.root, ["--version"]))).stdout, version.stdout);
    assertEquals(version.stderr, "");
  } finally {
    await project.cleanup();
  }
});

Deno.test("`SUB --help` and `help SUB` print that subcommand's help and run nothing", async () => {
  const project = await makeProject();
  try {
    const usage: Record<string, string> = {};
    for (const sub of ["doctor", "config", "healthcheck"]) {
      const r = await run(mainArgs(project.root, [sub, "--help"]));
      usage[sub] = r.stdout;
      assertEquals(r.code, 0, r.stderr);
      assertMatch(r.stdout, new RegExp(`^Usage: code-review-mcp ${sub}\\b`));
      assertEquals((await run(mainArgs(project.root, ["help", sub]))).stdout, r.stdout);
    }
    // doctor with other options too: still only help, no checks run.
    const doctor = await run(mainArgs(project.root, ["doctor", "--root", project.root, "-h"]));
    assertEquals(doctor.code, 0);
    assertEquals(doctor.stdout, usage["doctor"]);
    const bad = await run(mainArgs(project.root, ["help", "nope"]));
    assertEquals(bad.code, 2);
    assertMatch(
      bad.stderr,
      /^code-review-mcp help: expected one of config, doctor, healthcheck, help, version, got "nope"\n$/,
    );
    const extra = await run(mainArgs(project.root, ["version", "now"]));
    assertEquals(extra.code, 2);
  } finally {
    await project.cleanup();
  }
});

Deno.test("stderr carries JSON lines only at start, though no allowlisted linter can be found on PATH", async () => {
  const project = await makeProject();
  // No linter binary resolves here, so Deno would report every --allow-run name it cannot find.
  const server = await spawnClient({
    command: Deno.execPath(),
    args: serverArgs(project.root),
    cwd: APP_DIR,
    env: { PATH: "/nonexistent" },
  });
  try {
    await server.client.listTools();
    await server.client.callTool({ name: "list_directory", arguments: { dir_path: "." } });
    const lines = server.stderr().split("\n").filter((l) => l !== "");
    assert(lines.length > 0);
    for (const line of lines) {
      let parsed: Record<string, unknown> | undefined;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new Error(`not a JSON line on stderr: ${line}`);
      }
      assert(typeof parsed?.["message"] === "string", line);
    }
  } finally {
    await server.close();
    await project.cleanup();
  }
});

Deno.test("config writes the root's real path, reached through a symlink, and the entry starts; a missing root is refused", async () => {
  const project = await makeProject();
  const link = path.join(path.dirname(project.root), "via-link");
  await Deno.symlink(project.root, link);
  try {
    const r = await run(["task", "start", "config", "claude-desktop", "--root", link]);
    assertEquals(r.code, 0, r.stderr);
    const entry = JSON.parse(r.stdout).mcpServers["code-review"];
    assertEquals(entry.args.slice(-2), ["--root", project.root]);
    assert(
      entry.args.some((a: string) =>
        a.startsWith("--allow-read=") && a.split("=")[1]!.split(",")[0] === project.root
      ),
    );
    // The entry as a client runs it (npx replaced by the deno it would fetch, which is this one).
    const started = await spawnClient({
      command: Deno.execPath(),
      args: entry.args.slice(entry.args.indexOf("run")),
      cwd: path.dirname(project.root),
    });
    try {
      const listed = await started.client.callTool({
        name: "list_directory",
        arguments: { dir_path: "." },
      });
      assert(!listed.isError, JSON.stringify(listed));
    } finally {
      await started.close();
    }
    // --no-npx: the Deno running now, by its absolute path, and the same arguments after it.
    const direct = await run([
      "task",
      "start",
      "config",
      "claude-desktop",
      "--no-npx",
      "--root",
      link,
    ]);
    assertEquals(direct.code, 0, direct.stderr);
    const directEntry = JSON.parse(direct.stdout).mcpServers["code-review"];
    assertEquals(directEntry.command, Deno.execPath());
    assertEquals(directEntry.args, entry.args.slice(entry.args.indexOf("run")));
    const missing = await run([
      "task",
      "start",
      "config",
      "claude-desktop",
      "--root",
      path.join(project.root, "nope"),
    ]);
    assertEquals(missing.code, 2);
    assertMatch(missing.stderr, /code-review-mcp config: --root: ".*nope" does not exist/);
    assertEquals(missing.stdout, "");
  } finally {
    await Deno.remove(link);
    await project.cleanup();
  }
});
