/**
 * The end-to-end smoke every platform runs (Linux here and in CI, macOS and Windows in CI):
 * the real server started with the README's own flags (or, with CODE_REVIEW_SMOKE_BUNDLE set
 * to an unpacked .mcpb, the compiled binary exactly as the bundle's manifest launches it),
 * driven by the SDK client: list, read, lint with the built-in ruff, and credential files,
 * Windows spellings of them and links out of the root refused, on the OS's real file system.
 */
import { assert, assertEquals, assertMatch } from "../assert.ts";
import * as path from "node:path";
import { APP_DIR, makeProject, serverArgs } from "./harness.ts";
import { callTool, resultText, spawnClient, type Spawned } from "./spawn_client.ts";
import { resolveMcpConfig } from "../../scripts/lib/mcpb_config.ts";
import { SERVER_NAME } from "../../src/version.ts";
import { TOOLS } from "../../src/tools/mod.ts";

const SECRET = "sk_live_SMOKE_0123456789abcdef";
const OUTSIDE = "OUTSIDE THE ROOT";
const os = Deno.build.os;

/** What a process needs from the environment to start on this OS (Windows needs SystemRoot and friends). */
function baseEnv(): Record<string, string> {
  const keep = os === "windows"
    ? [
      "SystemRoot",
      "SYSTEMROOT",
      "SystemDrive",
      "TEMP",
      "TMP",
      "USERPROFILE",
      "APPDATA",
      "LOCALAPPDATA",
      "HOMEDRIVE",
      "HOMEPATH",
      "PATHEXT",
      "ComSpec",
    ]
    : ["HOME", "TMPDIR"];
  const env: Record<string, string> = {};
  for (const k of keep) {
    const v = Deno.env.get(k);
    if (v !== undefined) env[k] = v;
  }
  return env;
}

/** The command, args and env the unpacked bundle's manifest gives for `root` on this platform. */
async function bundleLaunch(bundle: string, root: string) {
  const manifest = JSON.parse(await Deno.readTextFile(path.join(bundle, "manifest.json")));
  const platform = os === "windows" ? "win32" : os;
  assertEquals(manifest.compatibility.platforms, [platform], "the bundle is for this platform");
  const launch = resolveMcpConfig(manifest.server.mcp_config, platform, {
    dirname: bundle,
    userConfig: { project_root: root, github_token: "" },
    home: Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE") ?? "",
  });
  if (os !== "windows") await Deno.chmod(launch.command, 0o755); // unzip tools may drop the mode
  return launch;
}

/** Starts the server on `root`: the unpacked bundle's program when one is named, else the README's command. */
async function start(root: string, cwd: string): Promise<Spawned> {
  const bundle = Deno.env.get("CODE_REVIEW_SMOKE_BUNDLE");
  if (bundle !== undefined && bundle !== "") {
    const launch = await bundleLaunch(bundle, root);
    return await spawnClient({
      command: launch.command,
      args: launch.args,
      cwd,
      env: { ...baseEnv(), ...launch.env },
    });
  }
  return await spawnClient({
    command: Deno.execPath(),
    args: serverArgs(root),
    cwd: APP_DIR,
    env: baseEnv(),
  });
}

/** Paths that must never give the credential file's or the outside file's text, on any OS. */
function hostileReads(outsideFile: string): string[] {
  return [
    ".env",
    ".ENV",
    "config/.Env.local",
    "ID_RSA",
    ".env.",
    ".env ",
    ".env::$DATA",
    "ENV~1",
    ".git/config",
    ".GIT/config",
    "GIT~1/config",
    "outside-link/secret.txt",
    "../outside/secret.txt",
    outsideFile,
    "src\\..\\..\\outside\\secret.txt",
    "CON",
    "NUL",
    "aux.py",
    "C:secret",
    "\\\\.\\pipe\\smoke",
    "\\\\?\\" + outsideFile,
  ];
}

/** The refusal each Windows spelling gets from the policy on Windows (elsewhere they are plain, absent names). */
const WINDOWS_REASONS: [string, RegExp][] = [
  [".env.", /ends in a dot or a space/],
  [".env ", /ends in a dot or a space/],
  [".env::$DATA", /alternate data stream/],
  ["ENV~1", /8\.3 short name/],
  ["GIT~1/config", /8\.3 short name/],
  ["CON", /device name/],
  ["NUL", /device name/],
  ["aux.py", /device name/],
  ["C:secret", /drive-relative/],
  ["\\\\.\\pipe\\smoke", /UNC or device path/],
];

Deno.test(`smoke on ${os}: list, read, built-in ruff, and credential files and links out of the root refused`, async () => {
  const project = await makeProject();
  const root = project.root;
  const base = path.dirname(root);
  const outside = path.join(base, "outside");
  try {
    await Deno.mkdir(outside);
    const outsideFile = path.join(outside, "secret.txt");
    await Deno.writeTextFile(outsideFile, `${OUTSIDE}\n`);
    await Deno.writeTextFile(path.join(root, ".env"), `API_KEY=${SECRET}\n`);
    await Deno.mkdir(path.join(root, "config"));
    await Deno.writeTextFile(path.join(root, "config", ".env.local"), `API_KEY=${SECRET}\n`);
    await Deno.writeTextFile(path.join(root, "id_rsa"), `-----BEGIN KEY-----\n${SECRET}\n`);
    await Deno.mkdir(path.join(root, ".git"));
    await Deno.writeTextFile(path.join(root, ".git", "config"), `[core]\n# ${SECRET}\n`);
    // A folder link out of the root: a junction on Windows (no admin rights needed), a symlink elsewhere.
    await Deno.symlink(outside, path.join(root, "outside-link"), {
      type: os === "windows" ? "junction" : "dir",
    });

    const server = await start(root, outside);
    try {
      assertEquals(server.client.getServerVersion()?.name, SERVER_NAME);
      const { tools } = await server.client.listTools();
      assertEquals(tools.map((t) => t.name).sort(), TOOLS.map((t) => t.name).sort());

      const listed = await callTool(server, "list_directory", { dir_path: "." });
      assert(!listed.isError, resultText(listed));
      assertMatch(resultText(listed), /src\//);

      const read = await callTool(server, "read_file", { file_path: "src/app.py" });
      assert(!read.isError, resultText(read));
      assertMatch(resultText(read), /def add_item\(item, items=\[\]\):/);
      const backslash = await callTool(server, "read_file", {
        file_path: os === "windows" ? "src\\app.py" : "src/./app.py",
      });
      assert(!backslash.isError, resultText(backslash));

      const lint = await callTool(server, "run_linter", {
        file_path: "src/app.py",
        linter: "ruff",
      });
      assert(!lint.isError, `built-in ruff: ${resultText(lint)}\n${server.stderr()}`);
      assertMatch(resultText(lint), /F401/);

      for (const file_path of hostileReads(outsideFile)) {
        const r = await callTool(server, "read_file", { file_path });
        const text = resultText(r);
        assert(
          r.isError,
          `${JSON.stringify(file_path)} was readable on ${os}: ${text.slice(0, 200)}`,
        );
        assert(!text.includes(SECRET) && !text.includes(OUTSIDE), file_path);
      }
      const env = await callTool(server, "read_file", { file_path: ".env" });
      assertMatch(resultText(env), /credential file \(rule "dotenv"\)/);
      const upper = await callTool(server, "read_file", { file_path: ".ENV" });
      // Linux: .ENV is another, absent file; macOS and Windows open .env, and the rule refuses it either way.
      assertMatch(resultText(upper), /credential file \(rule "dotenv"\)|no such file/);
      if (os === "windows") {
        for (const [file_path, reason] of WINDOWS_REASONS) {
          const r = await callTool(server, "read_file", { file_path });
          assertMatch(resultText(r), reason, file_path);
        }
      }
      if (os === "darwin" || os === "windows") {
        assertMatch(resultText(upper), /credential file \(rule "dotenv"\)/);
      }

      const searched = await callTool(server, "search_code", { query: "sk_live_SMOKE" });
      assert(!searched.isError, resultText(searched));
      assert(!resultText(searched).includes(SECRET), "search never shows a credential file's text");
      // The walk does not follow the folder link (a junction on Windows) out of the root.
      const walked = await callTool(server, "search_code", { query: OUTSIDE });
      assert(!walked.isError, resultText(walked));
      assertMatch(resultText(walked), /No matches/);
      assertMatch(resultText(walked), /1 symlinks? leading out of the project/);
      assert(
        !resultText(walked).includes(`${OUTSIDE}\n`) && !/secret\.txt/.test(resultText(walked)),
      );
      const outLink = await callTool(server, "list_directory", { dir_path: "outside-link" });
      assert(outLink.isError, "a folder link out of the root is refused");
      assert(!server.stderr().includes(SECRET), "no secret in the logs");
    } finally {
      await server.close();
    }
  } finally {
    await project.cleanup();
  }
});

Deno.test(`smoke on ${os}: config claude-desktop --no-npx prints an entry in this OS's paths that starts the server`, async () => {
  const project = await makeProject();
  try {
    const bundle = Deno.env.get("CODE_REVIEW_SMOKE_BUNDLE");
    const config = ["config", "claude-desktop", "--root", project.root];
    let command: string;
    let args: string[];
    if (bundle !== undefined && bundle !== "") {
      // The compiled program names itself in the entry.
      command = (await bundleLaunch(bundle, project.root)).command;
      args = config;
    } else {
      const readme = serverArgs(project.root);
      const main = readme.findIndex((w) => /[\\/]main\.ts$/.test(w));
      assert(main > 0, readme.join(" "));
      command = Deno.execPath();
      args = [...readme.slice(0, main + 1), ...config, "--no-npx"];
    }
    const out = await new Deno.Command(command, {
      args,
      cwd: APP_DIR,
      env: baseEnv(),
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 0, stderr);
    assertMatch(
      stderr,
      os === "windows"
        ? /# claude-desktop: %APPDATA%\\Claude\\claude_desktop_config\.json/
        : os === "darwin"
        ? /# claude-desktop: ~\/Library\/Application Support\/Claude\/claude_desktop_config\.json/
        : /# claude-desktop: ~\/\.config\/Claude\/claude_desktop_config\.json/,
    );
    const entry = JSON.parse(new TextDecoder().decode(out.stdout)).mcpServers["code-review"];
    assertEquals(entry.args.slice(-2), ["--root", project.root]);
    if (bundle !== undefined && bundle !== "") {
      assertEquals(await Deno.realPath(entry.command), await Deno.realPath(command));
      assertEquals(entry.args, ["--root", project.root]);
    } else {
      assertEquals(entry.command, Deno.execPath());
      const mainTs = entry.args[entry.args.length - 3] as string;
      assertEquals(
        mainTs,
        path.join(APP_DIR, "main.ts"),
        "main.ts joined with this OS's separator",
      );
    }
    // Start it exactly as Claude Desktop would, from another folder.
    const server = await spawnClient({
      command: entry.command,
      args: entry.args,
      cwd: path.dirname(project.root),
      env: baseEnv(),
    });
    try {
      const listed = await callTool(server, "list_directory", { dir_path: "." });
      assert(!listed.isError, resultText(listed));
      assertMatch(resultText(listed), /src\//);
    } finally {
      await server.close();
    }
  } finally {
    await project.cleanup();
  }
});
