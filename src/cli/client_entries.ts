/**
 * Ready-to-paste MCP client entries: the same launch (command and args) written in each
 * client's configuration format. Pure: the caller decides the launch and the root.
 */
import * as path from "node:path";
import { denoRunFlags } from "../permissions.ts";

/** The desktop OS an entry is written for, as `Deno.build.os` names it; the running one by default. */
export type EntryOs = typeof Deno.build.os;

/** The path rules of `os`: Windows joins with backslashes, everything else with slashes. */
function pathsOf(os: EntryOs): path.PlatformPath {
  return os === "windows" ? path.win32 : path.posix;
}

/** The Deno the README and the deno-run entries pin, fetched from npm by `npx`. */
export const DENO_NPM_SPEC = "deno@2.9.6";

export const CLIENTS = [
  "claude-desktop",
  "claude-code",
  "claude-mcp-add",
  "vscode",
  "cursor",
] as const;
export type ClientName = typeof CLIENTS[number];

/** How a client starts the server: a program and its arguments, all paths absolute. */
export interface Launch {
  command: string;
  args: string[];
}

/**
 * What runs: a compiled binary (its own path), or main.ts of a checkout under `deno run`,
 * started through `npx -y deno@2.9.6` or, with `deno`, by that Deno binary's absolute path
 * (npx's own start-up costs more than the server's: see the README's Performance section).
 */
export type Runner = { kind: "binary"; execPath: string } | {
  kind: "deno-run";
  appDir: string;
  deno?: string;
};

/**
 * The launch for a project at `root` (an absolute path). A binary carries its permissions
 * inside and needs only the root; `deno run` gets the permission module's flags, reading
 * the root and the checkout's src/ (the sandbox worker's modules).
 *
 * Paths are joined under `os`'s rules (the running OS by default), so a Windows entry names
 * `C:\\crm\\main.ts`, never a mix of separators.
 *
 * @example launchFor({ kind: "binary", execPath: "/opt/crm/code-review-mcp" }, "/home/me/proj")
 * // { command: "/opt/crm/code-review-mcp", args: ["--root", "/home/me/proj"] }
 */
export function launchFor(runner: Runner, root: string, os: EntryOs = Deno.build.os): Launch {
  if (runner.kind === "binary") return { command: runner.execPath, args: ["--root", root] };
  const p = pathsOf(os);
  const flags = denoRunFlags({ read: [root, p.join(runner.appDir, "src")] });
  const run = ["run", ...flags, p.join(runner.appDir, "main.ts"), "--root", root];
  if (runner.deno !== undefined) return { command: runner.deno, args: run };
  return { command: "npx", args: ["-y", DENO_NPM_SPEC, ...run] };
}

/**
 * The text to paste for `client`: a JSON document, or a shell line for `claude mcp add`
 * (quoted for PowerShell on Windows, for a POSIX shell elsewhere).
 */
export function clientEntry(
  client: ClientName,
  name: string,
  launch: Launch,
  os: EntryOs = Deno.build.os,
): string {
  const stdio = { command: launch.command, args: launch.args };
  switch (client) {
    case "claude-desktop":
    case "cursor":
      return JSON.stringify({ mcpServers: { [name]: stdio } }, null, 2);
    case "claude-code":
      return JSON.stringify(
        { mcpServers: { [name]: { type: "stdio", ...stdio, env: {} } } },
        null,
        2,
      );
    case "vscode":
      return JSON.stringify({ servers: { [name]: { type: "stdio", ...stdio } } }, null, 2);
    case "claude-mcp-add":
      return ["claude", "mcp", "add", name, "--", launch.command, ...launch.args]
        .map((w) => (os === "windows" ? powerShellQuote(w) : shellQuote(w))).join(" ");
  }
}

/**
 * Where each client keeps the entry, per operating system (for the hint and the README).
 * Claude Desktop's file: `~/Library/Application Support/Claude/` on macOS, `%APPDATA%\\Claude\\`
 * on Windows (the Microsoft Store build keeps it under its package folder instead).
 */
export function clientConfigLocation(client: ClientName, os: EntryOs): string {
  switch (client) {
    case "claude-desktop":
      if (os === "darwin") return "~/Library/Application Support/Claude/claude_desktop_config.json";
      if (os === "windows") {
        return "%APPDATA%\\Claude\\claude_desktop_config.json (Microsoft Store build: " +
          "%LOCALAPPDATA%\\Packages\\Claude_*\\LocalCache\\Roaming\\Claude\\claude_desktop_config.json)";
      }
      return "~/.config/Claude/claude_desktop_config.json";
    case "claude-code":
      return ".mcp.json in the project folder (shared with the project), merged under mcpServers";
    case "claude-mcp-add":
      return "run it in the project folder; Claude Code stores the entry in ~/.claude.json";
    case "vscode":
      return '.vscode/mcp.json in the workspace, or the user mcp.json via "MCP: Open User Configuration"';
    case "cursor":
      return os === "windows"
        ? "%USERPROFILE%\\.cursor\\mcp.json (all projects) or .cursor\\mcp.json in the project"
        : "~/.cursor/mcp.json (all projects) or .cursor/mcp.json in the project";
  }
}

/**
 * The location with `~`, `%APPDATA%`, `%USERPROFILE%` and `%LOCALAPPDATA%` spelled out from the
 * environment, for the hint `config` prints; a variable the environment lacks stays as written.
 *
 * @example expandLocation("~/Library/Application Support/Claude/x.json", "darwin", (k) => k === "HOME" ? "/Users/me" : undefined)
 * // "/Users/me/Library/Application Support/Claude/x.json"
 */
export function expandLocation(
  location: string,
  os: EntryOs,
  env: (name: string) => string | undefined,
): string {
  if (os === "windows") {
    return location.replace(/%(APPDATA|LOCALAPPDATA|USERPROFILE)%/g, (whole, v: string) => {
      const value = env(v);
      return value ? value.replace(/[\\/]+$/, "") : whole;
    });
  }
  const home = env("HOME");
  if (!home) return location;
  return location.replace(/(^|\s)~\//g, (_m, pre: string) => `${pre}${home.replace(/\/+$/, "")}/`);
}

/**
 * Quotes one word for PowerShell, where `claude mcp add` runs on Windows: single quotes,
 * an inner `'` doubled; words of safe characters (backslashes and drive colons included) stay
 * bare; a comma (which PowerShell reads as an array) and a bare `--` are quoted.
 *
 * @example powerShellQuote("C:\\Program Files\\crm.exe") === "'C:\\Program Files\\crm.exe'"
 */
export function powerShellQuote(word: string): string {
  // A comma would make an array, `@` at the start a splat, `$` `;` `(` `{` and spaces their own
  // syntax, and a bare `--` is swallowed by Windows PowerShell 5.1 instead of reaching claude.
  if (word !== "--" && /^[A-Za-z0-9_.:/\\=+-][A-Za-z0-9_.:/\\=+@-]*$/.test(word)) return word;
  return `'${word.replaceAll("'", "''")}'`;
}

/**
 * Quotes one word for a POSIX shell; words of safe characters stay bare.
 *
 * @example shellQuote("it's") === "'it'\\''s'"
 */
export function shellQuote(word: string): string {
  if (word !== "" && /^[A-Za-z0-9_@%+=:,./\-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
