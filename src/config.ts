/**
 * Flags and environment -> one frozen Config. Precedence: flag, then environment
 * variable, then default. Every bad value becomes one line naming the flag and the
 * problem (main.ts prints it and exits with code 2).
 */
import { parseArgs } from "node:util";
import { DEFAULT_RAW_BASE, parseRawBaseOverride } from "./policy/urls.ts";
import { GITHUB_NET } from "./permissions.ts";
import { ALL_LINTERS, type LinterName } from "./linters/registry.ts";
import { safePath } from "./policy/commands.ts";
import { type HttpConfig, parseHttpConfig } from "./config_http.ts";
import {
  type EnvReader,
  type LogLevel,
  optionsUsage,
  OptionValues,
  parseArgsOptions,
} from "./options.ts";
import { fail, ok, type Result } from "./result.ts";

export type Transport = "stdio" | "http";
export type { EnvReader, LogLevel };

import { LIMITS } from "./limits.ts";
export { LIMITS };

export interface Config {
  /** Real path of the project root (symlinks resolved once at startup). */
  readonly root: string;
  /** The root as given, before realpath (for messages). */
  readonly rootArg: string;
  readonly transport: Transport;
  readonly host: string;
  readonly port: number;
  /** Linters the server offers, a subset of the allowlist. */
  readonly linters: readonly LinterName[];
  readonly logLevel: LogLevel;
  /** Base URL for raw GitHub files; a loopback override exists for tests. */
  readonly githubRawBase: string;
  /** host:port the network permission must allow. */
  readonly githubNet: string;
  /** GitHub token for private repositories: environment only, never logged. */
  readonly githubToken: string | undefined;
  /** A linter still running after this long is killed. */
  readonly linterTimeoutMs: number;
  /** A GitHub fetch still running after this long is abandoned. */
  readonly fetchTimeoutMs: number;
  /** The built-in ruff engine is released after this long without a check. */
  readonly ruffIdleMs: number;
  /** Serve regular files that have more than one name (hard links); refused by default. */
  readonly allowHardLinks: boolean;
  /** PATH handed to linter processes: the server's PATH less empty and relative entries. */
  readonly linterPath: string;
  /** The HTTP transport's settings (parsed in every mode, used with --transport http). */
  readonly http: HttpConfig;
  /** Byte budget of one answer (UTF-8); longer answers are cut at a record boundary and paged. */
  readonly maxOutputBytes: number;
  /** The operator's --allow-secret-files: credential files (.env, keys ...) may be read. */
  readonly allowSecretFiles: boolean;
}

/** The parsed command line before the root is checked on disk. */
export interface ParsedArgs {
  help: boolean;
  version: boolean;
  config: Omit<Config, "root">;
}

export type ParseOutcome = Result<ParsedArgs>;

export const USAGE = `Usage: code-review-mcp [options]
       code-review-mcp SUBCOMMAND [arguments]

A Model Context Protocol server that lets an AI assistant review one project:
read files, list folders, run an allowlisted linter, fetch files from GitHub.

Subcommands (each takes --help):
  config CLIENT        print a ready entry that starts this server from an MCP client
                       (claude-desktop, claude-code, claude-mcp-add, vscode, cursor)
  doctor               say whether the server could work here, and if not, why
  healthcheck          exit 0 when the local HTTP server answers /health
  help [SUBCOMMAND]    print this help, or a subcommand's
  version              print the version

${optionsUsage()}`;

/**
 * Parses argv and environment. Pure: no file system access. Each option is read by its kind's
 * parser from the table in options.ts; what is checked here is what the table cannot say.
 *
 * @example parseConfigArgs(["--port", "0"], () => undefined)
 * // { ok: false, reason: "--port: expected an integer from 1 to 65535, got \"0\"" }
 */
export function parseConfigArgs(argv: string[], env: EnvReader, cwd: string): ParseOutcome {
  const values = parseFlags(argv);
  if (!values.ok) return values;
  const o = new OptionValues(values.value, env);

  const rootArg = readRoot(o, cwd);
  if (!rootArg.ok) return rootArg;
  const transport = o.choice<Transport>("transport");
  if (!transport.ok) return transport;
  const host = readHost(o);
  if (!host.ok) return host;
  const port = o.integer("port");
  if (!port.ok) return port;
  const linters = readLinters(o);
  if (!linters.ok) return linters;
  const logLevel = o.choice<LogLevel>("log-level");
  if (!logLevel.ok) return logLevel;
  const github = readRawBase(o);
  if (!github.ok) return github;
  const linterTimeoutMs = o.integer("linter-timeout-ms");
  if (!linterTimeoutMs.ok) return linterTimeoutMs;
  const fetchTimeoutMs = o.integer("fetch-timeout-ms");
  if (!fetchTimeoutMs.ok) return fetchTimeoutMs;
  const ruffIdleMs = o.integer("ruff-idle-ms");
  if (!ruffIdleMs.ok) return ruffIdleMs;
  const allowHardLinks = o.boolean("allow-hard-links");
  if (!allowHardLinks.ok) return allowHardLinks;
  const maxOutputBytes = o.integer("max-output-bytes");
  if (!maxOutputBytes.ok) return maxOutputBytes;
  const allowSecretFiles = o.boolean("allow-secret-files");
  if (!allowSecretFiles.ok) return allowSecretFiles;

  const http = parseHttpConfig(o, {
    transport: transport.value,
    host: host.value,
    port: port.value,
  });
  if (!http.ok) return http;

  return ok({
    help: values.value.help === true,
    version: values.value.version === true,
    config: {
      rootArg: rootArg.value,
      transport: transport.value,
      host: host.value,
      port: port.value,
      linters: linters.value,
      logLevel: logLevel.value,
      githubRawBase: github.value.base,
      githubNet: github.value.net,
      githubToken: o.string("GITHUB_TOKEN").raw,
      linterTimeoutMs: linterTimeoutMs.value,
      fetchTimeoutMs: fetchTimeoutMs.value,
      ruffIdleMs: ruffIdleMs.value,
      allowHardLinks: allowHardLinks.value,
      linterPath: safePath(env("PATH") ?? "") || "/usr/local/bin:/usr/bin:/bin",
      http: http.value,
      maxOutputBytes: maxOutputBytes.value,
      allowSecretFiles: allowSecretFiles.value,
    },
  });
}

/** parseArgs over the table's flags: unknown flags and positionals are errors. */
function parseFlags(argv: string[]): Result<Record<string, unknown>> {
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: parseArgsOptions(),
    });
    return ok(values);
  } catch (e) {
    return fail(oneLine((e as Error).message));
  }
}

/** The root as given: it must be nameable in --allow-read (no comma, no NUL byte). */
function readRoot(o: OptionValues, cwd: string): Result<string> {
  const { raw, source } = o.string("root");
  const root = raw ?? cwd;
  if (root.includes("\0")) return failAt(source, "contains a NUL byte");
  if (root.includes(",")) {
    return failAt(source, "a root containing a comma cannot be named in --allow-read");
  }
  return ok(root);
}

function readHost(o: OptionValues): Result<string> {
  const { raw, source } = o.string("host");
  const host = raw ?? "127.0.0.1";
  if (!/^[A-Za-z0-9.:\-\[\]]{1,253}$/.test(host)) {
    return failAt(source, `not a host name or address: ${JSON.stringify(host)}`);
  }
  return ok(host);
}

/** The linters to offer: a non-empty subset of the registry's, duplicates dropped. */
function readLinters(o: OptionValues): Result<LinterName[]> {
  const { value: names, source } = o.list("linters");
  if (names === undefined) return ok([...ALL_LINTERS]);
  if (names.length === 0) return failAt(source, "expected a comma-separated list of linters");
  for (const n of names) {
    if (!(ALL_LINTERS as readonly string[]).includes(n)) {
      return failAt(
        source,
        `unknown linter ${JSON.stringify(n)} (known: ${ALL_LINTERS.join(", ")})`,
      );
    }
  }
  return ok([...new Set(names)] as LinterName[]);
}

/** Where GitHub files come from, and the network permission that reaches it. */
function readRawBase(o: OptionValues): Result<{ base: string; net: string }> {
  const { raw, source } = o.string("github-raw-base");
  if (raw === undefined) return ok({ base: DEFAULT_RAW_BASE, net: GITHUB_NET });
  const r = parseRawBaseOverride(raw);
  if (!r.ok) return failAt(source, r.reason);
  return ok({ base: r.value.base, net: r.value.netPermission });
}

function failAt(source: string, problem: string): { ok: false; reason: string } {
  return fail(`${source}: ${oneLine(problem)}`);
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}

/**
 * Checks the root on disk: it must exist and be a directory; returns its real path.
 * The error is one line naming where the value came from.
 */
export async function resolveRoot(
  rootArg: string,
): Promise<Result<string>> {
  let real: string;
  try {
    real = await Deno.realPath(rootArg);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      return { ok: false, reason: `--root: ${JSON.stringify(rootArg)} does not exist` };
    }
    if (err instanceof Deno.errors.NotCapable || err instanceof Deno.errors.PermissionDenied) {
      return {
        ok: false,
        reason: `--root: no read permission for ${
          JSON.stringify(rootArg)
        }: pass --allow-read=<the root's real path> to deno`,
      };
    }
    return {
      ok: false,
      reason: `--root: cannot resolve ${JSON.stringify(rootArg)}: ${
        oneLine((err as Error).message)
      }`,
    };
  }
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(real);
  } catch (err) {
    return {
      ok: false,
      reason: `--root: cannot stat ${JSON.stringify(real)}: ${oneLine((err as Error).message)}`,
    };
  }
  if (!info.isDirectory) {
    return { ok: false, reason: `--root: ${JSON.stringify(rootArg)} is not a directory` };
  }
  const status = await Deno.permissions.query({ name: "read", path: real });
  if (status.state !== "granted") {
    return {
      ok: false,
      reason: `--root: Deno may not read ${JSON.stringify(real)} (the real path of ${
        JSON.stringify(rootArg)
      }): name it in --allow-read`,
    };
  }
  return ok(real);
}

/** An EnvReader over Deno.env that treats a variable Deno may not read as unset. */
export function denoEnvReader(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}
