/**
 * End-to-end edges: what reaches stdout, start-up errors, linters that are missing
 * or too slow, the built-in ruff without any run permission, and the Deno layer of
 * the sandbox holding even when our own policy is bypassed.
 */
import { assert, assertEquals, assertMatch } from "../assert.ts";
import * as path from "node:path";
import type { CallToolResult } from "../../src/sdk.ts";
import { APP_DIR, connect, makeProject, serverArgs } from "./harness.ts";
import { SandboxClient } from "../../src/sandbox/client.ts";
import { GITHUB_NET } from "../../src/permissions.ts";
import { RUFF_ENGINE_VERSION } from "../../src/linters/ruff/version.ts";

function text(r: unknown): string {
  return (r as CallToolResult).content.map((c) => (c.type === "text" ? c.text : "")).join("\n");
}

async function run(
  args: string[],
  stdin = "",
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: APP_DIR,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(stdin));
  await w.close();
  const out = await child.output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

Deno.test("stdout carries nothing but JSON-RPC messages, even when tools fail", async () => {
  const project = await makeProject();
  try {
    const msgs = [
      {
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: {
          protocolVersion: "2025-06-18",
          capabilities: {},
          clientInfo: { name: "raw", version: "1" },
        },
      },
      { jsonrpc: "2.0", method: "notifications/initialized" },
      { jsonrpc: "2.0", id: 2, method: "tools/list" },
      {
        jsonrpc: "2.0",
        id: 3,
        method: "tools/call",
        params: { name: "read_file", arguments: { file_path: "../../etc/passwd" } },
      },
      {
        jsonrpc: "2.0",
        id: 4,
        method: "tools/call",
        params: { name: "run_linter", arguments: { file_path: "src/app.py", linter: "flake8" } },
      },
      {
        jsonrpc: "2.0",
        id: 5,
        method: "tools/call",
        params: { name: "run_linter", arguments: { file_path: "src/app.py" } },
      },
      { jsonrpc: "2.0", id: 6, method: "no/such/method" },
      { jsonrpc: "2.0", id: 7, method: "resources/read", params: { uri: "config://review-rules" } },
    ];
    // Requests are written up front; stdin closes after the last answer arrives.
    const child = new Deno.Command(Deno.execPath(), {
      args: serverArgs(project.root),
      cwd: APP_DIR,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(msgs.map((m) => JSON.stringify(m)).join("\n") + "\n"));
    const lines: string[] = [];
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let buf = "";
    const deadline = Date.now() + 30_000;
    while (lines.filter((l) => l.includes('"id"')).length < 7 && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      const parts = buf.split("\n");
      buf = parts.pop() ?? "";
      lines.push(...parts.filter((p) => p !== ""));
    }
    await w.close();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
    }
    if (buf.trim() !== "") lines.push(...buf.split("\n").filter((p) => p !== ""));
    const status = await child.status;
    const stderr = new TextDecoder().decode(await new Response(child.stderr).arrayBuffer());
    assertEquals(status.code, 0, stderr);
    assert(lines.length >= 7, `expected 7 answers, got ${lines.length}`);
    for (const line of lines) {
      const msg = JSON.parse(line);
      assertEquals(msg.jsonrpc, "2.0", line);
    }
    const byId = new Map(
      lines.map((l) => JSON.parse(l)).filter((m) => m.id !== undefined).map((m) => [m.id, m]),
    );
    assertEquals(byId.get(6).error.code, -32601);
    assert(byId.get(3).result.isError);
  } finally {
    await project.cleanup();
  }
});

Deno.test("a bad flag or environment value is one line on stderr and exit code 2", async () => {
  const table: [string[], RegExp][] = [
    [
      ["--port", "99999"],
      /^code-review-mcp: --port: expected an integer from 1 to 65535, got "99999"\n$/,
    ],
    [
      ["--root", "/definitely/not/here"],
      /^code-review-mcp: --root: no read permission for "\/definitely\/not\/here"/,
    ],
    [
      ["--transport", "smoke"],
      /^code-review-mcp: --transport: expected stdio or http, got "smoke"\n$/,
    ],
    [["--linters", "flake8,bash"], /^code-review-mcp: --linters: unknown linter "bash"/],
    [["--nope"], /^code-review-mcp: .*nope.*\n$/],
  ];
  const project = await makeProject();
  table.push([
    ["--root", path.join(project.root, "nope")],
    /^code-review-mcp: --root: ".*nope" does not exist\n$/,
  ]);
  table.push([
    ["--root", path.join(project.root, "src/app.py")],
    /^code-review-mcp: --root: ".*app.py" is not a directory\n$/,
  ]);
  try {
    for (const [extra, expected] of table) {
      const args = serverArgs(project.root, { extraArgs: extra });
      const r = await run(args);
      assertEquals(r.code, 2, `${extra.join(" ")}: ${r.stderr}`);
      assertEquals(r.stdout, "");
      const ours = r.stderr.split("\n").filter((l) => l.startsWith("code-review-mcp:")).join("\n") +
        "\n";
      assertMatch(ours, expected);
      assertEquals(r.stderr.split("\n").filter((l) => l.startsWith("code-review-mcp:")).length, 1);
    }
  } finally {
    await project.cleanup();
  }
});

Deno.test("--version names the server and the pinned ruff engine; --help lists every flag", async () => {
  const project = await makeProject();
  try {
    const v = await run(serverArgs(project.root, { extraArgs: ["--version"] }));
    assertEquals(v.code, 0);
    assertMatch(
      v.stdout,
      new RegExp(
        `^code-review-mcp \\d+\\.\\d+\\.\\d+ \\(ruff engine ${
          RUFF_ENGINE_VERSION.replaceAll(".", "\\.")
        }, deno `,
      ),
    );
    const h = await run(serverArgs(project.root, { extraArgs: ["--help"] }));
    assertEquals(h.code, 0);
    for (
      const flag of [
        "--root",
        "--transport",
        "--host",
        "--port",
        "--linters",
        "--log-level",
        "--github-raw-base",
      ]
    ) {
      assert(h.stdout.includes(flag), flag);
    }
  } finally {
    await project.cleanup();
  }
});

Deno.test("run_linter: a linter that is not installed, a linter that times out, deno lint, and a disabled linter", async () => {
  const project = await makeProject();
  // PATH without flake8 or pylint: the server's own deno binary is started by path.
  const bare = await connect(project.root, { env: { PATH: "/nonexistent-bin" } });
  try {
    const r = (await bare.client.callTool({
      name: "run_linter",
      arguments: { file_path: "src/app.py", linter: "flake8" },
    })) as CallToolResult;
    assert(r.isError);
    assertMatch(
      text(r),
      /^Cannot lint "src\/app.py": flake8 is not installed on this machine: install it with .*flake8/,
    );
  } finally {
    await bare.close();
  }
  const slow = await connect(project.root, {
    extraArgs: ["--linter-timeout-ms", "50", "--linters", "pylint,deno-lint,shellcheck"],
  });
  try {
    const r = (await slow.client.callTool({
      name: "run_linter",
      arguments: { file_path: "src/app.py", linter: "pylint" },
    })) as CallToolResult;
    assert(r.isError);
    assertMatch(text(r), /pylint did not finish within 50 ms and was stopped/);
    const disabled = (await slow.client.callTool({
      name: "run_linter",
      arguments: { file_path: "src/app.py", linter: "flake8" },
    })) as CallToolResult;
    assert(disabled.isError);
    assertMatch(
      text(disabled),
      /flake8 is not enabled on this server \(enabled: pylint, deno-lint, shellcheck\)/,
    );
  } finally {
    await slow.close();
  }
  const denoLint = await connect(project.root);
  try {
    const r = (await denoLint.client.callTool({
      name: "run_linter",
      arguments: { file_path: "src/web.ts" },
    })) as CallToolResult;
    assert(!r.isError, text(r));
    const sc = r.structuredContent as {
      linter: string;
      diagnostics: { code: string; line: number }[];
    };
    assertEquals(sc.linter, "deno-lint");
    assert(
      sc.diagnostics.some((d) => d.code === "no-unused-vars" && d.line === 2),
      JSON.stringify(sc.diagnostics),
    );
    const pylint = (await denoLint.client.callTool({
      name: "run_linter",
      arguments: { file_path: "src/app.py", linter: "pylint" },
    })) as CallToolResult;
    assert(!pylint.isError, text(pylint));
    const codes = (pylint.structuredContent as { diagnostics: { code: string }[] }).diagnostics.map(
      (d) => d.code,
    );
    assert(codes.includes("W0102"), `dangerous default value in ${codes}`);
  } finally {
    await denoLint.close();
  }
  await project.cleanup();
});

Deno.test("the built-in ruff works with no --allow-run at all, and honours the project's ruff.toml", async () => {
  const project = await makeProject();
  await Deno.writeTextFile(
    path.join(project.root, "ruff.toml"),
    'line-length = 100\n[lint]\nselect = ["F"]\n',
  );
  const args = serverArgs(project.root).filter((a) => !a.startsWith("--allow-run"));
  assert(!args.some((a) => a.startsWith("--allow-run")));
  const s = await connect(project.root, { argsOverride: args, extraArgs: ["--linters", "ruff"] });
  try {
    const r = (await s.client.callTool({
      name: "run_linter",
      arguments: { file_path: "src/app.py" },
    })) as CallToolResult;
    assert(!r.isError, text(r));
    const sc = r.structuredContent as {
      diagnostics: { code: string }[];
      config_file: string;
      engine_version: string;
    };
    assertEquals(sc.config_file, "ruff.toml");
    assertEquals(sc.engine_version, RUFF_ENGINE_VERSION);
    assertEquals([...new Set(sc.diagnostics.map((d) => d.code))].sort(), ["F401"]);
    await Deno.mkdir(path.join(project.root, "broken"));
    await Deno.writeTextFile(
      path.join(project.root, "broken/pyproject.toml"),
      '[tool.ruff]\nline-length = "long"\n',
    );
    await Deno.writeTextFile(path.join(project.root, "broken/mod.py"), "x = 1\n");
    const broken = (await s.client.callTool({
      name: "run_linter",
      arguments: { file_path: "broken/mod.py" },
    })) as CallToolResult;
    assert(broken.isError);
    assertMatch(text(broken), /^Cannot lint "broken\/mod.py": .*broken\/pyproject.toml/);
    const out = (await s.client.callTool({
      name: "run_linter",
      arguments: { file_path: "../outside.py", linter: "ruff" },
    })) as CallToolResult;
    assert(out.isError);
    assertMatch(text(out), /outside the project root/);
  } finally {
    await s.close();
    await project.cleanup();
  }
});

Deno.test("the worker's Deno permissions hold even when a call bypasses the path policy", async () => {
  const project = await makeProject();
  const sandbox = new SandboxClient({ root: project.root, net: GITHUB_NET, run: [] });
  try {
    // The policy is told the root is "/", so only Deno's worker permissions stand between the call and /etc.
    const r = await sandbox.call<"readFile", { ok: boolean; reason?: string }>("readFile", {
      root: "/",
      path: "/etc/hostname",
      maxBytes: 1024,
      maxOutputBytes: 1024,
    }).catch((e: Error) => ({ ok: false, reason: e.message }));
    assert(!r.ok);
    assertMatch(r.reason ?? "", /NotCapable|outside|Requires read access/);
    const listed = await sandbox.call<"listDirectory", { ok: boolean; reason?: string }>(
      "listDirectory",
      {
        root: "/",
        path: "/etc",
        maxEntries: 10,
      },
    ).catch((e: Error) => ({ ok: false, reason: e.message }));
    assert(!listed.ok);
  } finally {
    sandbox.close();
    await project.cleanup();
  }
});
