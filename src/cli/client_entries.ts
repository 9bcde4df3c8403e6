/**
 * Ready-to-paste MCP client entries: the same launch (command and args) written in each
 * client's configuration format. Pure: the caller decides the launch and the root.
 */
import * as path from "node:path";
import { denoRunFlags } from "../permissions.ts";

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
 * @example launchFor({ kind: "binary", execPath: "/opt/crm/code-review-mcp" }, "/home/me/proj")
 * // { command: "/opt/crm/code-review-mcp", args: ["--root", "/home/me/proj"] }
 */
export function launchFor(runner: Runner, root: string): Launch {
  if (runner.kind === "binary") return { command: runner.execPath, args: ["--root", root] };
  const flags = denoRunFlags({ read: [root, path.join(runner.appDir, "src")] });
  const run = ["run", ...flags, path.join(runner.appDir, "main.ts"), "--root", root];
  if (runner.deno !== undefined) return { command: runner.deno, args: run };
  return { command: "npx", args: ["-y", DENO_NPM_SPEC, ...run] };
}

/** The text to paste for `client`: a JSON document, or a shell line for `claude mcp add`. */
export function clientEntry(client: ClientName, name: string, launch: Launch): string {
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
      return ["claude", "mcp", "add", name, "--", launch.command, ...launch.args].map(shellQuote)
        .join(" ");
  }
}

/** Where each client keeps the entry, per operating system (for the hint and the README). */
export function clientConfigLocation(client: ClientName, os: typeof Deno.build.os): string {
  switch (client) {
    case "claude-desktop":
      if (os === "darwin") return "~/Library/Application Support/Claude/claude_desktop_config.json";
      if (os === "windows") return "%APPDATA%\\Claude\\claude_desktop_config.json";
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
 * Quotes one word for a POSIX shell; words of safe characters stay bare.
 *
 * @example shellQuote("it's") === "'it'\\''s'"
 */
export function shellQuote(word: string): string {
  if (word !== "" && /^[A-Za-z0-9_@%+=:,./\-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
