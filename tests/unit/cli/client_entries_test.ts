/** Client entries: one launch, each client's format, absolute paths, agreement with the README. */
import { assert, assertEquals } from "../../assert.ts";
import * as path from "node:path";
import {
  clientConfigLocation,
  clientEntry,
  CLIENTS,
  DENO_NPM_SPEC,
  expandLocation,
  launchFor,
  powerShellQuote,
  shellQuote,
} from "../../../src/cli/client_entries.ts";
import { configCommand } from "../../../src/cli/config_cmd.ts";
import { APP_DIR, APP_PLACEHOLDER, PROJECT_PLACEHOLDER, readmeCommand } from "../../e2e/harness.ts";

const binary = launchFor({ kind: "binary", execPath: "/opt/crm/code-review-mcp" }, "/home/me/proj");

Deno.test("launchFor() a deno-run checkout is word for word the README's command", () => {
  // The README's command is written for a POSIX shell and POSIX paths, whatever OS runs the test.
  const l = launchFor({ kind: "deno-run", appDir: APP_PLACEHOLDER }, PROJECT_PLACEHOLDER, "linux");
  assertEquals([l.command, ...l.args], readmeCommand());
});

Deno.test("launchFor() with a Deno path (config --no-npx) is the README's command with that Deno in place of npx", () => {
  const l = launchFor(
    { kind: "deno-run", appDir: APP_PLACEHOLDER, deno: "/usr/local/bin/deno" },
    PROJECT_PLACEHOLDER,
    "linux",
  );
  const words = readmeCommand();
  assertEquals([l.command, ...l.args], [
    "/usr/local/bin/deno",
    ...words.slice(words.indexOf("run")),
  ]);
});

Deno.test("launchFor() a binary passes only the root: its permissions are inside it", () => {
  assertEquals(binary, { command: "/opt/crm/code-review-mcp", args: ["--root", "/home/me/proj"] });
});

Deno.test("the README pins the same Deno as the deno-run entries", () => {
  const readme = Deno.readTextFileSync(path.join(APP_DIR, "README.md"));
  assert(readme.startsWith(`# code-review-mcp\n\n\`\`\`sh\nnpx -y ${DENO_NPM_SPEC} task start`));
});

Deno.test("clientEntry() writes each client's format around the same command and args", () => {
  const desktop = JSON.parse(clientEntry("claude-desktop", "code-review", binary));
  assertEquals(desktop, { mcpServers: { "code-review": binary } });
  assertEquals(JSON.parse(clientEntry("cursor", "cr", binary)), { mcpServers: { cr: binary } });
  assertEquals(JSON.parse(clientEntry("claude-code", "cr", binary)), {
    mcpServers: { cr: { type: "stdio", ...binary, env: {} } },
  });
  assertEquals(JSON.parse(clientEntry("vscode", "cr", binary)), {
    servers: { cr: { type: "stdio", ...binary } },
  });
  assertEquals(
    clientEntry("claude-mcp-add", "cr", binary, "linux"),
    "claude mcp add cr -- /opt/crm/code-review-mcp --root /home/me/proj",
  );
});

Deno.test("clientEntry() quotes what a shell would split in the claude mcp add line", () => {
  const l = launchFor(
    { kind: "binary", execPath: "/Applications/My Tools/crm" },
    "/Users/me/it's here",
  );
  assertEquals(
    clientEntry("claude-mcp-add", "cr", l, "darwin"),
    "claude mcp add cr -- '/Applications/My Tools/crm' --root '/Users/me/it'\\''s here'",
  );
});

Deno.test("shellQuote() leaves safe words bare and quotes the rest", () => {
  const table: [string, string][] = [
    ["--allow-read=/a,/b", "--allow-read=/a,/b"],
    ["deno@2.9.6", "deno@2.9.6"],
    ["", "''"],
    ["a b", "'a b'"],
    ["$(rm -rf ~)", "'$(rm -rf ~)'"],
    ["it's", "'it'\\''s'"],
  ];
  for (const [word, quoted] of table) assertEquals(shellQuote(word), quoted, word);
});

Deno.test("every client has a location on every desktop OS", () => {
  for (const c of CLIENTS) {
    for (const os of ["darwin", "windows", "linux"] as const) {
      assert(clientConfigLocation(c, os).length > 10, `${c} ${os}`);
    }
  }
  assert(
    clientConfigLocation("claude-desktop", "darwin").includes("Library/Application Support/Claude"),
  );
  assert(clientConfigLocation("claude-desktop", "windows").includes("%APPDATA%\\Claude"));
});

Deno.test("launchFor() on Windows joins with backslashes and keeps spaces in Program Files as one argument", () => {
  const root = "C:\\Users\\Me Too\\proj";
  const bin = launchFor(
    { kind: "binary", execPath: "C:\\Program Files\\code-review-mcp\\code-review-mcp.exe" },
    root,
    "windows",
  );
  assertEquals(bin, {
    command: "C:\\Program Files\\code-review-mcp\\code-review-mcp.exe",
    args: ["--root", root],
  });
  const run = launchFor(
    { kind: "deno-run", appDir: "C:\\Program Files\\crm", deno: "C:\\tools\\deno.exe" },
    root,
    "windows",
  );
  assertEquals(run.command, "C:\\tools\\deno.exe");
  assert(run.args.includes(`--allow-read=${root},C:\\Program Files\\crm\\src`), run.args.join(" "));
  assertEquals(run.args.slice(-3), ["C:\\Program Files\\crm\\main.ts", "--root", root]);
  assert(!run.args.some((a) => a.includes("/")), "no forward slash in a Windows entry");
  // The JSON Claude Desktop reads keeps every backslash and space.
  const desktop = JSON.parse(clientEntry("claude-desktop", "code-review", run, "windows"));
  assertEquals(desktop.mcpServers["code-review"], { command: run.command, args: run.args });
  assert(
    clientEntry("claude-desktop", "code-review", bin, "windows").includes(
      '"command": "C:\\\\Program Files\\\\code-review-mcp\\\\code-review-mcp.exe"',
    ),
  );
});

Deno.test("launchFor() on macOS keeps a path under Application Support whole", () => {
  const l = launchFor(
    { kind: "deno-run", appDir: "/Users/me/Library/Application Support/crm" },
    "/Users/me/My Project",
    "darwin",
  );
  assertEquals(l.command, "npx");
  assertEquals(l.args.slice(-3), [
    "/Users/me/Library/Application Support/crm/main.ts",
    "--root",
    "/Users/me/My Project",
  ]);
  assert(l.args.includes(
    "--allow-read=/Users/me/My Project,/Users/me/Library/Application Support/crm/src",
  ));
});

Deno.test("the claude mcp add line is quoted for PowerShell on Windows and for sh elsewhere", () => {
  const l = launchFor(
    { kind: "binary", execPath: "C:\\Program Files\\crm\\crm.exe" },
    "C:\\Users\\me\\it's here",
    "windows",
  );
  assertEquals(
    clientEntry("claude-mcp-add", "cr", l, "windows"),
    "claude mcp add cr '--' 'C:\\Program Files\\crm\\crm.exe' --root 'C:\\Users\\me\\it''s here'",
  );
  const table: [string, string][] = [
    ["C:\\Users\\me\\proj", "C:\\Users\\me\\proj"],
    ["--allow-read=C:\\a,C:\\b", "'--allow-read=C:\\a,C:\\b'"],
    ["deno@2.9.6", "deno@2.9.6"],
    ["@args", "'@args'"],
    ["$env:APPDATA", "'$env:APPDATA'"],
    ["a;b", "'a;b'"],
    ["", "''"],
    ["--", "'--'"],
  ];
  for (const [word, quoted] of table) assertEquals(powerShellQuote(word), quoted, word);
});

Deno.test("expandLocation() spells out %APPDATA% on Windows and ~ on macOS, and leaves unknown variables", () => {
  const env = (vars: Record<string, string>) => (k: string) => vars[k];
  assertEquals(
    expandLocation(
      clientConfigLocation("claude-desktop", "windows"),
      "windows",
      env({
        APPDATA: "C:\\Users\\Me Too\\AppData\\Roaming\\",
        LOCALAPPDATA: "C:\\Users\\Me Too\\AppData\\Local",
      }),
    ),
    "C:\\Users\\Me Too\\AppData\\Roaming\\Claude\\claude_desktop_config.json (Microsoft Store build: " +
      "C:\\Users\\Me Too\\AppData\\Local\\Packages\\Claude_*\\LocalCache\\Roaming\\Claude\\claude_desktop_config.json)",
  );
  assertEquals(
    expandLocation(clientConfigLocation("claude-desktop", "windows"), "windows", env({})),
    clientConfigLocation("claude-desktop", "windows"),
  );
  assertEquals(
    expandLocation(
      clientConfigLocation("claude-desktop", "darwin"),
      "darwin",
      env({ HOME: "/Users/me" }),
    ),
    "/Users/me/Library/Application Support/Claude/claude_desktop_config.json",
  );
  assertEquals(
    expandLocation("~/.cursor/mcp.json (all projects) or .cursor/mcp.json", "linux", env({})),
    "~/.cursor/mcp.json (all projects) or .cursor/mcp.json",
  );
});

/** Runs `config` in process with the console captured. */
async function runConfig(
  argv: string[],
  os: typeof Deno.build.os,
  vars: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  console.log = (...a: unknown[]) => out.push(a.join(" "));
  console.error = (...a: unknown[]) => err.push(a.join(" "));
  try {
    const code = await configCommand(argv, (k) => vars[k], Deno.cwd(), os);
    return { code, stdout: out.join("\n"), stderr: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

Deno.test("config claude-desktop tells where the file is on macOS and on Windows, spelled out", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "crm cfg " }));
  try {
    const mac = await runConfig(["claude-desktop", "--root", root], "darwin", {
      HOME: "/Users/me",
    });
    assertEquals(mac.code, 0, mac.stderr);
    assertEquals(JSON.parse(mac.stdout).mcpServers["code-review"].args.slice(-2), ["--root", root]);
    assertEquals(
      mac.stderr,
      "# claude-desktop: ~/Library/Application Support/Claude/claude_desktop_config.json\n" +
        "#   here: /Users/me/Library/Application Support/Claude/claude_desktop_config.json",
    );
    const win = await runConfig(["claude-desktop", "--root", root], "windows", {
      APPDATA: "C:\\Users\\me\\AppData\\Roaming",
    });
    assertEquals(win.code, 0, win.stderr);
    assert(
      win.stderr.startsWith(
        "# claude-desktop: %APPDATA%\\Claude\\claude_desktop_config.json (Microsoft Store build: ",
      ),
      win.stderr,
    );
    assert(
      win.stderr.includes(
        "#   here: C:\\Users\\me\\AppData\\Roaming\\Claude\\claude_desktop_config.json",
      ),
      win.stderr,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
