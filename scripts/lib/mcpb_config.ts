/**
 * What a client makes of a bundle's mcp_config, per the MCPB manifest spec: the platform
 * override merged in, then ${__dirname}, ${user_config.KEY} and the like substituted. The
 * tests start the server with exactly this, as Claude Desktop would.
 */

export interface McpConfig {
  command: string;
  args?: string[];
  env?: Record<string, string>;
  platform_overrides?: Record<string, Partial<Omit<McpConfig, "platform_overrides">>>;
}

export interface Substitutions {
  dirname: string;
  /** Set by resolveMcpConfig: the platform whose separator `${/}` stands for. */
  platform?: string;
  userConfig: Record<string, string>;
  home: string;
}

/** Variables the spec defines for mcp_config (user_config keys are checked separately). */
export const KNOWN_VARIABLES = [
  "__dirname",
  "HOME",
  "DESKTOP",
  "DOCUMENTS",
  "DOWNLOADS",
  "pathSeparator",
  "/",
];

/** Every `${...}` name used in a string. */
export function variablesIn(text: string): string[] {
  return [...text.matchAll(/\$\{([^}]+)\}/g)].map((m) => m[1]!);
}

function substitute(text: string, s: Substitutions): string {
  return text.replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
    if (name === "__dirname") return s.dirname;
    if (name === "HOME") return s.home;
    if (name === "/" || name === "pathSeparator") return s.platform === "win32" ? "\\" : "/";
    if (name.startsWith("user_config.")) {
      return s.userConfig[name.slice("user_config.".length)] ?? "";
    }
    return whole;
  });
}

/**
 * The command, args and env for `platform`.
 *
 * @example resolveMcpConfig({ command: "${__dirname}/server/x", args: ["--root", "${user_config.root}"] },
 *   "linux", { dirname: "/ext", userConfig: { root: "/p" }, home: "/home/me" })
 * // { command: "/ext/server/x", args: ["--root", "/p"], env: {} }
 */
export function resolveMcpConfig(
  c: McpConfig,
  platform: string,
  s: Substitutions,
): Required<Omit<McpConfig, "platform_overrides">> {
  const o = c.platform_overrides?.[platform] ?? {};
  const merged = {
    command: o.command ?? c.command,
    args: o.args ?? c.args ?? [],
    env: { ...(c.env ?? {}), ...(o.env ?? {}) },
  };
  const sub = { ...s, platform };
  return {
    command: substitute(merged.command, sub),
    args: merged.args.map((a) => substitute(a, sub)),
    env: Object.fromEntries(Object.entries(merged.env).map(([k, v]) => [k, substitute(v, sub)])),
  };
}
