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
import { DEFAULT_RUFF_IDLE_MS } from "./linters/ruff/engine_client.ts";
import {
  DEFAULT_MAX_OUTPUT_BYTES,
  MAX_MAX_OUTPUT_BYTES,
  MIN_MAX_OUTPUT_BYTES,
} from "./output/budget.ts";
import {
  boolOption,
  HTTP_ARG_OPTIONS,
  HTTP_USAGE,
  type HttpConfig,
  parseHttpConfig,
} from "./config_http.ts";

export type Transport = "stdio" | "http";
export type LogLevel = "debug" | "info" | "warning" | "error";
const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warning", "error"];

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

export type ParseOutcome = { ok: true; value: ParsedArgs } | { ok: false; error: string };

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

Options (each also read from the environment variable shown; flags win):
  --root DIR           project root (CODE_REVIEW_ROOT; default: the current folder)
  --transport T        stdio or http (CODE_REVIEW_TRANSPORT; default: stdio)
  --host H             HTTP bind address (CODE_REVIEW_HOST; default: 127.0.0.1)
  --port N             HTTP port, 1-65535 (CODE_REVIEW_PORT; default: 8000)
  --linters a,b        linters to offer (CODE_REVIEW_LINTERS; default: all of
                       ${ALL_LINTERS.join(", ")})
  --log-level L        debug, info, warning or error (CODE_REVIEW_LOG_LEVEL; default: info)
  --github-raw-base U  loopback base URL replacing raw.githubusercontent.com, for tests
                       (CODE_REVIEW_GITHUB_RAW_BASE; default: off)
  --linter-timeout-ms N  kill a linter after N ms (CODE_REVIEW_LINTER_TIMEOUT_MS; default: 30000)
  --fetch-timeout-ms N   abandon a GitHub fetch after N ms (CODE_REVIEW_FETCH_TIMEOUT_MS; default: 15000)
  --ruff-idle-ms N     release the built-in ruff engine (loaded on the first Python lint) after
                       N ms without a check, 100-86400000 (CODE_REVIEW_RUFF_IDLE_MS; default: 300000)
  --allow-hard-links   serve files with more than one hard link, which may also be named
                       outside the root (CODE_REVIEW_ALLOW_HARD_LINKS; default: refused)
  --max-output-bytes N   byte budget of one answer; longer ones are cut and paged
                       (CODE_REVIEW_MAX_OUTPUT_BYTES; default: ${DEFAULT_MAX_OUTPUT_BYTES}, from ${MIN_MAX_OUTPUT_BYTES} to ${MAX_MAX_OUTPUT_BYTES})
  --allow-secret-files let tools read credential files (.env, private keys, .npmrc ...)
                       (CODE_REVIEW_ALLOW_SECRET_FILES=true; default: refused)
  --help               print this help
  --version            print the version

GITHUB_TOKEN (environment only) authorises fetches of private repositories.
Logs are JSON lines on stderr; in stdio mode stdout carries only MCP messages.

${HTTP_USAGE}`;

/** Reads a variable without failing when Deno's --allow-env does not list it. */
export type EnvReader = (name: string) => string | undefined;

/**
 * Parses argv and environment. Pure: no file system access.
 *
 * @example parseConfigArgs(["--port", "0"], () => undefined)
 * // { ok: false, error: "--port: expected an integer from 1 to 65535, got \"0\"" }
 */
export function parseConfigArgs(argv: string[], env: EnvReader, cwd: string): ParseOutcome {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        root: { type: "string" },
        transport: { type: "string" },
        host: { type: "string" },
        port: { type: "string" },
        linters: { type: "string" },
        "log-level": { type: "string" },
        "github-raw-base": { type: "string" },
        "linter-timeout-ms": { type: "string" },
        "fetch-timeout-ms": { type: "string" },
        "ruff-idle-ms": { type: "string" },
        "allow-hard-links": { type: "boolean" },
        "max-output-bytes": { type: "string" },
        "allow-secret-files": { type: "boolean" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "V" },
        ...HTTP_ARG_OPTIONS,
      },
    });
  } catch (err) {
    return { ok: false, error: oneLine((err as Error).message) };
  }
  const v = parsed.values;
  const pick = (flag: string, envName: string): [string | undefined, string] => {
    const fromFlag = (v as Record<string, unknown>)[flag];
    if (typeof fromFlag === "string") return [fromFlag, `--${flag}`];
    const fromEnv = env(envName);
    if (fromEnv !== undefined && fromEnv !== "") return [fromEnv, envName];
    return [undefined, `--${flag}`];
  };

  const [rootRaw, rootSrc] = pick("root", "CODE_REVIEW_ROOT");
  const rootArg = rootRaw ?? cwd;
  if (rootArg.includes("\0")) return fail(rootSrc, "contains a NUL byte");
  if (rootArg.includes(",")) {
    return fail(rootSrc, "a root containing a comma cannot be named in --allow-read");
  }

  const [transportRaw, transportSrc] = pick("transport", "CODE_REVIEW_TRANSPORT");
  const transport = transportRaw ?? "stdio";
  if (transport !== "stdio" && transport !== "http") {
    return fail(transportSrc, `expected stdio or http, got ${JSON.stringify(transport)}`);
  }

  const [hostRaw, hostSrc] = pick("host", "CODE_REVIEW_HOST");
  const host = hostRaw ?? "127.0.0.1";
  if (!/^[A-Za-z0-9.:\-\[\]]{1,253}$/.test(host)) {
    return fail(hostSrc, `not a host name or address: ${JSON.stringify(host)}`);
  }

  const [portRaw, portSrc] = pick("port", "CODE_REVIEW_PORT");
  const port = portRaw === undefined ? 8000 : Number(portRaw);
  if (portRaw !== undefined && (!/^\d{1,5}$/.test(portRaw) || port < 1 || port > 65535)) {
    return fail(portSrc, `expected an integer from 1 to 65535, got ${JSON.stringify(portRaw)}`);
  }

  const [lintersRaw, lintersSrc] = pick("linters", "CODE_REVIEW_LINTERS");
  let linters: LinterName[] = [...ALL_LINTERS];
  if (lintersRaw !== undefined) {
    const names = lintersRaw.split(",").map((s) => s.trim()).filter((s) => s !== "");
    if (names.length === 0) return fail(lintersSrc, "expected a comma-separated list of linters");
    for (const n of names) {
      if (!(ALL_LINTERS as readonly string[]).includes(n)) {
        return fail(
          lintersSrc,
          `unknown linter ${JSON.stringify(n)} (known: ${ALL_LINTERS.join(", ")})`,
        );
      }
    }
    linters = [...new Set(names)] as LinterName[];
  }

  const [levelRaw, levelSrc] = pick("log-level", "CODE_REVIEW_LOG_LEVEL");
  const logLevel = (levelRaw ?? "info") as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    return fail(
      levelSrc,
      `expected one of ${LOG_LEVELS.join(", ")}, got ${JSON.stringify(levelRaw)}`,
    );
  }

  const [baseRaw, baseSrc] = pick("github-raw-base", "CODE_REVIEW_GITHUB_RAW_BASE");
  let githubRawBase = DEFAULT_RAW_BASE;
  let githubNet = GITHUB_NET;
  if (baseRaw !== undefined) {
    const o = parseRawBaseOverride(baseRaw);
    if (!o.ok) return fail(baseSrc, o.error);
    githubRawBase = o.base;
    githubNet = o.netPermission;
  }

  const timeouts: Record<string, number> = {};
  for (
    const [flag, envName, def] of [
      ["linter-timeout-ms", "CODE_REVIEW_LINTER_TIMEOUT_MS", LIMITS.linterTimeoutMs],
      ["fetch-timeout-ms", "CODE_REVIEW_FETCH_TIMEOUT_MS", LIMITS.fetchTimeoutMs],
    ] as const
  ) {
    const [raw, src] = pick(flag, envName);
    const n = raw === undefined ? def : Number(raw);
    if (raw !== undefined && (!/^\d{1,7}$/.test(raw) || n < 10 || n > 600_000)) {
      return fail(src, `expected milliseconds from 10 to 600000, got ${JSON.stringify(raw)}`);
    }
    timeouts[flag] = n;
  }

  const [idleRaw, idleSrc] = pick("ruff-idle-ms", "CODE_REVIEW_RUFF_IDLE_MS");
  const ruffIdleMs = idleRaw === undefined ? DEFAULT_RUFF_IDLE_MS : Number(idleRaw);
  if (
    idleRaw !== undefined &&
    (!/^\d{1,8}$/.test(idleRaw) || ruffIdleMs < 100 || ruffIdleMs > 86_400_000)
  ) {
    return fail(
      idleSrc,
      `expected milliseconds from 100 to 86400000, got ${JSON.stringify(idleRaw)}`,
    );
  }

  const hardLinks = boolOption(
    v as Record<string, unknown>,
    env,
    "allow-hard-links",
    "CODE_REVIEW_ALLOW_HARD_LINKS",
  );
  if (!hardLinks.ok) return { ok: false, error: hardLinks.error };
  const [budgetRaw, budgetSrc] = pick("max-output-bytes", "CODE_REVIEW_MAX_OUTPUT_BYTES");
  const maxOutputBytes = budgetRaw === undefined ? DEFAULT_MAX_OUTPUT_BYTES : Number(budgetRaw);
  if (
    budgetRaw !== undefined &&
    (!/^\d{1,9}$/.test(budgetRaw) || maxOutputBytes < MIN_MAX_OUTPUT_BYTES ||
      maxOutputBytes > MAX_MAX_OUTPUT_BYTES)
  ) {
    return fail(
      budgetSrc,
      `expected bytes from ${MIN_MAX_OUTPUT_BYTES} to ${MAX_MAX_OUTPUT_BYTES}, got ${
        JSON.stringify(budgetRaw)
      }`,
    );
  }

  let allowSecretFiles = v["allow-secret-files"] === true;
  if (!allowSecretFiles) {
    const raw = env("CODE_REVIEW_ALLOW_SECRET_FILES");
    if (raw !== undefined && raw !== "") {
      if (/^(1|true|yes)$/i.test(raw)) allowSecretFiles = true;
      else if (!/^(0|false|no)$/i.test(raw)) {
        return fail(
          "CODE_REVIEW_ALLOW_SECRET_FILES",
          `expected true or false, got ${JSON.stringify(raw)}`,
        );
      }
    }
  }

  const http = parseHttpConfig({
    pick,
    values: v as Record<string, unknown>,
    env,
    transport,
    host,
    port,
  });
  if (!http.ok) return { ok: false, error: http.error };

  const token = env("GITHUB_TOKEN");
  return {
    ok: true,
    value: {
      help: v.help === true,
      version: v.version === true,
      config: {
        rootArg,
        transport,
        host,
        port,
        linters,
        logLevel,
        githubRawBase,
        githubNet,
        githubToken: token !== undefined && token !== "" ? token : undefined,
        linterTimeoutMs: timeouts["linter-timeout-ms"]!,
        fetchTimeoutMs: timeouts["fetch-timeout-ms"]!,
        ruffIdleMs,
        allowHardLinks: hardLinks.value,
        linterPath: safePath(env("PATH") ?? "") || "/usr/local/bin:/usr/bin:/bin",
        http: http.value,
        maxOutputBytes,
        allowSecretFiles,
      },
    },
  };
}

function fail(source: string, problem: string): ParseOutcome {
  return { ok: false, error: `${source}: ${oneLine(problem)}` };
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
): Promise<{ ok: true; root: string } | { ok: false; error: string }> {
  let real: string;
  try {
    real = await Deno.realPath(rootArg);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      return { ok: false, error: `--root: ${JSON.stringify(rootArg)} does not exist` };
    }
    if (err instanceof Deno.errors.NotCapable || err instanceof Deno.errors.PermissionDenied) {
      return {
        ok: false,
        error: `--root: no read permission for ${
          JSON.stringify(rootArg)
        }: pass --allow-read=<the root's real path> to deno`,
      };
    }
    return {
      ok: false,
      error: `--root: cannot resolve ${JSON.stringify(rootArg)}: ${
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
      error: `--root: cannot stat ${JSON.stringify(real)}: ${oneLine((err as Error).message)}`,
    };
  }
  if (!info.isDirectory) {
    return { ok: false, error: `--root: ${JSON.stringify(rootArg)} is not a directory` };
  }
  const status = await Deno.permissions.query({ name: "read", path: real });
  if (status.state !== "granted") {
    return {
      ok: false,
      error: `--root: Deno may not read ${JSON.stringify(real)} (the real path of ${
        JSON.stringify(rootArg)
      }): name it in --allow-read`,
    };
  }
  return { ok: true, root: real };
}

/** An EnvReader over Deno.env that treats a variable Deno may not read as unset. */
export function denoEnvReader(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}
