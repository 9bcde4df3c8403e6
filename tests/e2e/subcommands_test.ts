/**
 * The subcommands as users run them: main.ts under the README's own flags. `config`'s
 * entry is then used as a client would use it, and must start a working server.
 */
import { assert, assertEquals, assertMatch } from "../assert.ts";
import * as path from "node:path";
import { APP_DIR, makeProject, serverArgs } from "./harness.ts";
import { spawnClient } from "./spawn_client.ts";
import { runDeno } from "./confinement.ts";
import { CLIENTS, DENO_NPM_SPEC } from "../../src/cli/client_entries.ts";
import { V8_FLAGS } from "../../src/permissions.ts";
import { startFakeGitHub } from "../fixtures/fake_github.ts";
import { TOOLS } from "../../src/tools/mod.ts";

/** argv after `deno` for `main.ts SUBCOMMAND ...` with the README's flags for `root`. */
function subcommandArgs(root: string, sub: string[], net?: string): string[] {
  const args = serverArgs(root).map((
    w,
  ) => (net && w.startsWith("--allow-net=") ? `--allow-net=${net}` : w));
  const main = args.indexOf(path.join(APP_DIR, "main.ts"));
  return [...args.slice(0, main + 1), ...sub];
}

function run(args: string[], cwd = APP_DIR) {
  return runDeno(args, { cwd, env: { PATH: Deno.env.get("PATH") ?? "" } });
}

Deno.test("config prints an entry for every client, with absolute paths, and the entry starts the server", async () => {
  const project = await makeProject();
  try {
    // A relative --root, from the project's parent: the entry must still be absolute.
    const parent = path.dirname(project.root);
    for (const client of CLIENTS) {
      const r = await run(
        subcommandArgs(project.root, ["config", client, "--root", "project"]),
        parent,
      );
      assertEquals(r.code, 0, r.stderr);
      assertMatch(r.stderr, new RegExp(`# ${client}: `));
      if (client === "claude-mcp-add") {
        assert(
          r.stdout.startsWith(
            `claude mcp add code-review -- npx -y ${DENO_NPM_SPEC} run --quiet ${V8_FLAGS} --no-prompt `,
          ),
          r.stdout,
        );
        assert(r.stdout.trim().endsWith(`--root ${project.root}`));
        continue;
      }
      const doc = JSON.parse(r.stdout);
      const entry = (doc.mcpServers ?? doc.servers)["code-review"];
      assertEquals(entry.command, "npx");
      assertEquals(entry.args.slice(0, 3), ["-y", DENO_NPM_SPEC, "run"]);
      assert(entry.args.includes(`--allow-read=${project.root},${path.join(APP_DIR, "src")}`));
      assertEquals(entry.args.slice(-3), [path.join(APP_DIR, "main.ts"), "--root", project.root]);
    }
    // Use the desktop entry as Claude Desktop would (with this deno in place of npx's).
    const r = await run(
      subcommandArgs(project.root, ["config", "claude-desktop", "--root", project.root]),
    );
    const entry = JSON.parse(r.stdout).mcpServers["code-review"];
    const server = await spawnClient({
      command: Deno.execPath(),
      args: entry.args.slice(2),
      cwd: "/",
    });
    try {
      assertEquals(server.client.getServerVersion()?.name, "code-review-mcp");
      assertEquals((await server.client.listTools()).tools.length, TOOLS.length);
    } finally {
      await server.close();
    }
  } finally {
    await project.cleanup();
  }
});

Deno.test("config refuses an unknown client, a missing root and a bad name with exit 2", async () => {
  const project = await makeProject();
  try {
    // (A missing root is noticed where Deno lets config look: inside its --allow-read.)
    const missing = path.join(project.root, "no-such-dir");
    for (
      const sub of [["config"], ["config", "emacs"], ["config", "cursor", "--root", missing], [
        "config",
        "cursor",
        "--name",
        "a b",
      ]]
    ) {
      const r = await run(subcommandArgs(project.root, sub));
      assertEquals(r.code, 2, sub.join(" "));
      assertEquals(r.stdout, "");
      assertMatch(r.stderr, /code-review-mcp config: /);
    }
  } finally {
    await project.cleanup();
  }
});

Deno.test("doctor reports version, root, permissions, linters, sandbox and GitHub, and exits 0 when the server can work", async () => {
  const project = await makeProject();
  const gh = await startFakeGitHub();
  try {
    const net = `127.0.0.1:${gh.port}`;
    const r = await run(
      subcommandArgs(
        project.root,
        ["doctor", "--root", project.root, "--github-raw-base", gh.base],
        net,
      ),
    );
    assertEquals(r.code, 0, r.stdout + r.stderr);
    const lines = r.stdout.trim().split("\n");
    assertMatch(lines[0]!, /^info {2}version: code-review-mcp \d+\.\d+\.\d+ \(deno run, deno /);
    assert(lines.includes(`ok    root: ${project.root}`), r.stdout);
    assert(lines.includes("ok    permission read: granted for the root"), r.stdout);
    assert(lines.includes("ok    permission write: none"), r.stdout);
    assert(lines.includes(`ok    permission net: ${net}`), r.stdout);
    assertMatch(r.stdout, /ok {4}linter ruff: built in, engine \d+\.\d+\.\d+, loads/);
    assertMatch(r.stdout, /ok {4}linter flake8: flake8 \d+\.\d+/);
    assertMatch(r.stdout, /ok {4}linter shellcheck: shellcheck \d+\.\d+/);
    assertMatch(r.stdout, /ok {4}sandbox: worker started/);
    assertMatch(
      r.stdout,
      new RegExp(`ok {4}github: ${gh.base.replaceAll(".", "\\.")} reachable \\(HTTP \\d+\\)`),
    );
    assertEquals(lines.at(-1), "The server can work here.");
  } finally {
    await gh.close();
    await project.cleanup();
  }
});

Deno.test("doctor exits 1 when the root is unusable and 2 on a bad flag", async () => {
  const project = await makeProject();
  try {
    const missing = await run(
      subcommandArgs(project.root, ["doctor", "--root", path.join(project.root, "nope")]),
    );
    assertEquals(missing.code, 1, missing.stdout);
    assertMatch(missing.stdout, /fail {2}root: --root: .* does not exist/);
    assertMatch(missing.stdout, /The server cannot work here/);
    const bad = await run(subcommandArgs(project.root, ["doctor", "--port", "0"]));
    assertEquals(bad.code, 2);
    assertMatch(bad.stderr, /doctor: --port: /);
  } finally {
    await project.cleanup();
  }
});

Deno.test("healthcheck exits 1 with one line when nothing answers", async () => {
  const project = await makeProject();
  try {
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = probe.addr.port;
    probe.close();
    const r = await run(
      subcommandArgs(project.root, ["healthcheck", "--port", String(port)], `127.0.0.1:${port}`),
    );
    assertEquals(r.code, 1);
    assertMatch(r.stderr.trim(), new RegExp(`^unhealthy: http://127\\.0\\.0\\.1:${port}/health: `));
  } finally {
    await project.cleanup();
  }
});
