/**
 * THE one option table: every flag and environment variable the server reads, written once
 * (flag, variable, kind, default, range, help, HTTP-only). From it come the argument parser's
 * options, the usage text, the environment lists `--allow-env` names (src/permissions.ts), the
 * Markdown table in docs/options.md, and one parser per kind, so every boolean accepts the same
 * words and every integer gives the same message. Rules that involve several options (JWT
 * settings as a set, a remote bind needing auth) stay hand-written in config*.ts.
 *
 * A leaf: it imports nothing above src/limits.ts, so the permission module can use it.
 */
import { LIMITS } from "./limits.ts";
import { fail, ok, type Result } from "./result.ts";

/**
 * How a value is read: `boolean` is a flag without argument (or a true/false word in the
 * environment), `integer` a decimal in [min, max], `choice` one of `choices`, `list` comma-separated,
 * `string` anything (checked by the code that uses it).
 */
export type OptionKind = "boolean" | "integer" | "choice" | "list" | "string";

export interface OptionSpec {
  /** The flag without "--"; absent for a variable read from the environment only. */
  readonly flag?: string;
  /** One-letter alias (-h, -V). */
  readonly short?: string;
  /** The environment variable; absent for a flag-only option. */
  readonly env?: string;
  readonly kind: OptionKind;
  /** The value when neither the flag nor the variable is given. */
  readonly default?: string | number;
  /** How the usage text and docs describe a default the code computes. */
  readonly defaultText?: string;
  readonly min?: number;
  readonly max?: number;
  /** What an integer counts, for messages ("expected milliseconds from 10 to 600000"). */
  readonly unit?: "milliseconds" | "bytes";
  readonly choices?: readonly string[];
  /** The argument's placeholder in the usage text (N, DIR, U ...). */
  readonly arg?: string;
  readonly help: string;
  /** Read only by the HTTP transport: its variable is outside a stdio process's --allow-env. */
  readonly http?: boolean;
}

/** The log levels, most verbose first. */
export const LOG_LEVELS = ["debug", "info", "warning", "error"] as const;
export type LogLevel = typeof LOG_LEVELS[number];

/** Default byte budget per answer: about 20,000 tokens, under Claude Code's 25,000-token cap. */
export const DEFAULT_MAX_OUTPUT_BYTES = 80_000;
/** Smallest budget an operator may set (room for a header, one record and a continuation note). */
export const MIN_MAX_OUTPUT_BYTES = 4_096;
/** Largest budget an operator may set. */
export const MAX_MAX_OUTPUT_BYTES = 10_000_000;
/** The built-in ruff engine (over 100 MiB) is released after this long without a check. */
export const DEFAULT_RUFF_IDLE_MS = 5 * 60_000;

/** The HTTP transport's defaults that are not a single option's (rate limits, scope). */
export const HTTP_DEFAULTS = {
  maxBodyBytes: 1024 * 1024,
  rateLimits: { client: 300, tool: 120, perTool: { run_linter: 20, fetch_github_file: 30 } },
  maxConcurrentLinters: 4,
  requestTimeoutMs: 60_000,
  shutdownTimeoutMs: 10_000,
  requiredScope: "tools:execute",
} as const;

/**
 * Every option, in the order of the usage text and of `--allow-env` (README commands and the
 * deno.json tasks list the variables in this order). Stdio options first, then HTTP ones.
 */
export const OPTIONS = [
  {
    flag: "root",
    env: "CODE_REVIEW_ROOT",
    kind: "string",
    arg: "DIR",
    defaultText: "the current folder",
    help: "project root",
  },
  {
    flag: "transport",
    env: "CODE_REVIEW_TRANSPORT",
    kind: "choice",
    arg: "T",
    choices: ["stdio", "http"],
    default: "stdio",
    help: "stdio or http",
  },
  {
    flag: "host",
    env: "CODE_REVIEW_HOST",
    kind: "string",
    arg: "H",
    default: "127.0.0.1",
    help: "HTTP bind address",
  },
  {
    flag: "port",
    env: "CODE_REVIEW_PORT",
    kind: "integer",
    arg: "N",
    default: 8000,
    min: 1,
    max: 65535,
    help: "HTTP port",
  },
  {
    flag: "linters",
    env: "CODE_REVIEW_LINTERS",
    kind: "list",
    arg: "a,b",
    defaultText: "all of ruff, ruff-native, flake8, pylint, shellcheck, deno-lint",
    help: "linters to offer",
  },
  {
    flag: "log-level",
    env: "CODE_REVIEW_LOG_LEVEL",
    kind: "choice",
    arg: "L",
    choices: LOG_LEVELS,
    default: "info",
    help: "debug, info, warning or error",
  },
  {
    flag: "github-raw-base",
    env: "CODE_REVIEW_GITHUB_RAW_BASE",
    kind: "string",
    arg: "U",
    defaultText: "off",
    help: "loopback base URL replacing raw.githubusercontent.com, for tests",
  },
  {
    flag: "linter-timeout-ms",
    env: "CODE_REVIEW_LINTER_TIMEOUT_MS",
    kind: "integer",
    unit: "milliseconds",
    arg: "N",
    default: LIMITS.linterTimeoutMs,
    min: 10,
    max: 600_000,
    help: "kill a linter after N ms",
  },
  {
    flag: "fetch-timeout-ms",
    env: "CODE_REVIEW_FETCH_TIMEOUT_MS",
    kind: "integer",
    unit: "milliseconds",
    arg: "N",
    default: LIMITS.fetchTimeoutMs,
    min: 10,
    max: 600_000,
    help: "abandon a GitHub fetch after N ms",
  },
  {
    flag: "ruff-idle-ms",
    env: "CODE_REVIEW_RUFF_IDLE_MS",
    kind: "integer",
    unit: "milliseconds",
    arg: "N",
    default: DEFAULT_RUFF_IDLE_MS,
    min: 100,
    max: 86_400_000,
    help:
      "release the built-in ruff engine (loaded on the first Python lint) after N ms without a check",
  },
  {
    flag: "max-output-bytes",
    env: "CODE_REVIEW_MAX_OUTPUT_BYTES",
    kind: "integer",
    unit: "bytes",
    arg: "N",
    default: DEFAULT_MAX_OUTPUT_BYTES,
    min: MIN_MAX_OUTPUT_BYTES,
    max: MAX_MAX_OUTPUT_BYTES,
    help: "byte budget of one answer; longer ones are cut and paged",
  },
  {
    flag: "allow-secret-files",
    env: "CODE_REVIEW_ALLOW_SECRET_FILES",
    kind: "boolean",
    defaultText: "refused",
    help: "let tools read credential files (.env, private keys, .npmrc ...)",
  },
  {
    flag: "allow-hard-links",
    env: "CODE_REVIEW_ALLOW_HARD_LINKS",
    kind: "boolean",
    defaultText: "refused",
    help: "serve files with more than one hard link, which may also be named outside the root",
  },
  {
    env: "GITHUB_TOKEN",
    kind: "string",
    help: "authorises fetches of private repositories (never logged)",
  },
  {
    env: "PATH",
    kind: "string",
    help: "where linters are found (relative entries are dropped)",
  },
  { flag: "help", short: "h", kind: "boolean", help: "print this help" },
  { flag: "version", short: "V", kind: "boolean", help: "print the version" },

  // HTTP options (read with every transport, used with --transport http).
  {
    flag: "stateful",
    env: "CODE_REVIEW_STATEFUL",
    kind: "boolean",
    http: true,
    defaultText: "stateless",
    help: "keep sessions in memory (needs sticky routing with several replicas)",
  },
  {
    flag: "response-mode",
    env: "CODE_REVIEW_RESPONSE_MODE",
    kind: "choice",
    http: true,
    arg: "M",
    choices: ["sse", "json"],
    default: "sse",
    help: "answer a POST with an SSE stream or one JSON body",
  },
  {
    flag: "allowed-hosts",
    env: "CODE_REVIEW_ALLOWED_HOSTS",
    kind: "list",
    http: true,
    arg: "a,b",
    defaultText: "loopback names, the bind address and the resource URL's host",
    help: "Host values accepted",
  },
  {
    flag: "allowed-origins",
    env: "CODE_REVIEW_ALLOWED_ORIGINS",
    kind: "list",
    http: true,
    arg: "a,b",
    defaultText: "the loopback origins on --port and the resource URL's origin",
    help: "Origin values accepted",
  },
  {
    flag: "max-body-bytes",
    env: "CODE_REVIEW_MAX_BODY_BYTES",
    kind: "integer",
    http: true,
    arg: "N",
    default: HTTP_DEFAULTS.maxBodyBytes,
    min: 1024,
    max: 64 * 1024 * 1024,
    help: "largest request body",
  },
  {
    flag: "resource-url",
    env: "CODE_REVIEW_RESOURCE_URL",
    kind: "string",
    http: true,
    arg: "U",
    help: "this server's public MCP URL (the JWT audience)",
  },
  {
    flag: "issuer",
    env: "CODE_REVIEW_ISSUER",
    kind: "string",
    http: true,
    arg: "U",
    help: "OAuth issuer whose tokens are accepted",
  },
  {
    flag: "jwks-url",
    env: "CODE_REVIEW_JWKS_URL",
    kind: "string",
    http: true,
    arg: "U",
    help: "the issuer's JWKS",
  },
  {
    flag: "required-scope",
    env: "CODE_REVIEW_REQUIRED_SCOPE",
    kind: "string",
    http: true,
    arg: "S",
    default: HTTP_DEFAULTS.requiredScope,
    help: "scope every request needs",
  },
  {
    env: "CODE_REVIEW_API_KEYS",
    kind: "string",
    http: true,
    help: 'static API keys, "name:key,name:key"',
  },
  {
    flag: "api-keys-file",
    env: "CODE_REVIEW_API_KEYS_FILE",
    kind: "string",
    http: true,
    arg: "F",
    help: 'static API keys, one "name:key" a line',
  },
  {
    env: "CODE_REVIEW_METRICS_TOKEN",
    kind: "string",
    http: true,
    help: "token /metrics takes instead of /mcp's auth, 16 characters or more",
  },
  {
    flag: "rate-limits",
    env: "CODE_REVIEW_RATE_LIMITS",
    kind: "string",
    http: true,
    arg: "spec",
    defaultText: "client=300,tool=120,run_linter=20,fetch_github_file=30",
    help: "requests per minute per client, per tool, or per named tool",
  },
  {
    flag: "max-concurrent-linters",
    env: "CODE_REVIEW_MAX_CONCURRENT_LINTERS",
    kind: "integer",
    http: true,
    arg: "N",
    default: HTTP_DEFAULTS.maxConcurrentLinters,
    min: 1,
    max: 64,
    help: "linter runs at once, the rest queue",
  },
  {
    flag: "request-timeout-ms",
    env: "CODE_REVIEW_REQUEST_TIMEOUT_MS",
    kind: "integer",
    http: true,
    arg: "N",
    default: HTTP_DEFAULTS.requestTimeoutMs,
    min: 100,
    max: 3_600_000,
    help: "bound on one tool call, time in the linter queue included",
  },
  {
    flag: "shutdown-timeout-ms",
    env: "CODE_REVIEW_SHUTDOWN_TIMEOUT_MS",
    kind: "integer",
    http: true,
    arg: "N",
    default: HTTP_DEFAULTS.shutdownTimeoutMs,
    min: 0,
    max: 600_000,
    help: "time calls in flight may take to finish after SIGTERM",
  },
  {
    flag: "allow-unauthenticated-remote",
    kind: "boolean",
    http: true,
    defaultText: "refused",
    help: "accept binding a non-loopback address with no authentication",
  },
  {
    flag: "redis-url",
    env: "CODE_REVIEW_REDIS_URL",
    kind: "string",
    http: true,
    arg: "U",
    defaultText: "none: limits per replica, in memory",
    help: "share rate limits and linter slots between replicas through Redis or Valkey " +
      "(redis://host:port, rediss:// for TLS; docs/replicas.md)",
  },
  {
    flag: "redis-password-file",
    env: "CODE_REVIEW_REDIS_PASSWORD_FILE",
    kind: "string",
    http: true,
    arg: "F",
    help: "a file holding the Redis password",
  },
  // The next HTTP option goes here: one entry, read in config_http.ts by its name; the
  // environment lists, usage and docs/options.md follow.
] as const satisfies readonly OptionSpec[];

type Entry = typeof OPTIONS[number];
/** An option's name: its flag, or its variable when it has no flag. */
export type OptionName = Entry extends infer E
  ? E extends { flag: infer F extends string } ? F : E extends { env: infer V extends string } ? V
  : never
  : never;
type NameOfKind<K extends OptionKind> = Entry extends infer E
  ? E extends { kind: K; flag: infer F extends string } ? F
  : E extends { kind: K; env: infer V extends string } ? V
  : never
  : never;

const BY_NAME: ReadonlyMap<string, OptionSpec> = new Map(
  (OPTIONS as readonly OptionSpec[]).map((o) => [o.flag ?? o.env ?? "", o]),
);

/** The table entry for a name (a flag, or a variable without flag). */
export function optionSpec(name: OptionName): OptionSpec {
  const spec = BY_NAME.get(name);
  if (spec === undefined) throw new Error(`no option ${name}`);
  return spec;
}

/** Environment variables the stdio server reads (HTTP's excluded), in table order. */
export function envVarsOf(which: "core" | "http"): string[] {
  return (OPTIONS as readonly OptionSpec[])
    .filter((o) => o.env !== undefined && (o.http === true) === (which === "http"))
    .map((o) => o.env as string);
}

/** The `node:util` parseArgs options for every flag in the table. */
export function parseArgsOptions(): Record<string, { type: "string" | "boolean"; short?: string }> {
  const out: Record<string, { type: "string" | "boolean"; short?: string }> = {};
  for (const o of OPTIONS as readonly OptionSpec[]) {
    if (o.flag === undefined) continue;
    out[o.flag] = {
      type: o.kind === "boolean" ? "boolean" : "string",
      ...(o.short !== undefined ? { short: o.short } : {}),
    };
  }
  return out;
}

/** Words a boolean variable accepts, case-insensitively: the same for every boolean option. */
const TRUE_WORDS = /^(1|true|yes|on)$/i;
const FALSE_WORDS = /^(0|false|no|off)$/i;

/**
 * Parses a boolean word. @example parseBoolean("on") // { ok: true, value: true }
 */
export function parseBoolean(raw: string): Result<boolean> {
  if (TRUE_WORDS.test(raw)) return ok(true);
  if (FALSE_WORDS.test(raw)) return ok(false);
  return fail(`expected true or false, got ${JSON.stringify(raw)}`);
}

/**
 * Parses a decimal integer in [min, max]; no sign, no exponent, no unit.
 *
 * @example parseInteger("0", { min: 1, max: 65535 })
 * // { ok: false, reason: 'expected an integer from 1 to 65535, got "0"' }
 */
export function parseInteger(
  raw: string,
  range: { min: number; max: number; unit?: "milliseconds" | "bytes" },
): Result<number> {
  const n = Number(raw);
  if (!/^\d{1,10}$/.test(raw) || n < range.min || n > range.max) {
    const what = range.unit ?? "an integer";
    return fail(`expected ${what} from ${range.min} to ${range.max}, got ${JSON.stringify(raw)}`);
  }
  return ok(n);
}

/** Parses one of a fixed set of words. */
export function parseChoice<T extends string>(raw: string, choices: readonly T[]): Result<T> {
  if ((choices as readonly string[]).includes(raw)) return ok(raw as T);
  const expected = choices.length === 2
    ? `${choices[0]} or ${choices[1]}`
    : `one of ${choices.join(", ")}`;
  return fail(`expected ${expected}, got ${JSON.stringify(raw)}`);
}

/** Splits a comma-separated list, trimming entries and dropping empty ones. */
export function parseList(raw: string): string[] {
  return raw.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

/** Reads a variable without failing when Deno's --allow-env does not list it. */
export type EnvReader = (name: string) => string | undefined;

/** A raw value and where it came from ("--flag" or the variable), for one-line messages. */
export interface RawOption {
  readonly raw: string | undefined;
  readonly source: string;
}

/**
 * The options of one command line and environment: each read by its kind's parser, flag before
 * variable before default. Every failure is one line that starts with the source
 * ("--port: ..." or "CODE_REVIEW_PORT: ...").
 */
export class OptionValues {
  readonly #values: Readonly<Record<string, unknown>>;
  readonly #env: EnvReader;

  /** `values` are parseArgs' values (none for the defaults). */
  constructor(values: Readonly<Record<string, unknown>>, env: EnvReader) {
    this.#values = values;
    this.#env = env;
  }

  /** The value as given, flag before variable; an empty variable counts as unset. */
  raw(name: OptionName): RawOption {
    const spec = optionSpec(name);
    const flagSource = spec.flag !== undefined ? `--${spec.flag}` : spec.env ?? name;
    if (spec.flag !== undefined) {
      const fromFlag = this.#values[spec.flag];
      if (typeof fromFlag === "string") return { raw: fromFlag, source: flagSource };
      if (fromFlag === true) return { raw: "true", source: flagSource };
    }
    if (spec.env !== undefined) {
      const fromEnv = this.#env(spec.env);
      if (fromEnv !== undefined && fromEnv !== "") return { raw: fromEnv, source: spec.env };
    }
    return { raw: undefined, source: flagSource };
  }

  /** A string option's value, or its table default (undefined when it has none). */
  string(name: NameOfKind<"string">): RawOption {
    const r = this.raw(name);
    const def = optionSpec(name).default;
    return r.raw !== undefined || def === undefined ? r : { raw: String(def), source: r.source };
  }

  /** A list option's entries; undefined when it is not given. */
  list(name: NameOfKind<"list">): { value: string[] | undefined; source: string } {
    const r = this.raw(name);
    return { value: r.raw === undefined ? undefined : parseList(r.raw), source: r.source };
  }

  boolean(name: NameOfKind<"boolean">): Result<boolean> {
    const r = this.raw(name);
    if (r.raw === undefined) return ok(false);
    return this.#at(r.source, parseBoolean(r.raw));
  }

  integer(name: NameOfKind<"integer">): Result<number> {
    const spec = optionSpec(name);
    const r = this.raw(name);
    if (r.raw === undefined) return ok(spec.default as number);
    return this.#at(
      r.source,
      parseInteger(r.raw, {
        min: spec.min ?? 0,
        max: spec.max ?? Number.MAX_SAFE_INTEGER,
        ...(spec.unit !== undefined ? { unit: spec.unit } : {}),
      }),
    );
  }

  choice<T extends string>(name: NameOfKind<"choice">): Result<T> {
    const spec = optionSpec(name);
    const r = this.raw(name);
    if (r.raw === undefined) return ok(spec.default as T);
    return this.#at(r.source, parseChoice(r.raw, (spec.choices ?? []) as readonly T[]));
  }

  #at<T>(source: string, r: Result<T>): Result<T> {
    return r.ok ? r : fail(`${source}: ${r.reason}`);
  }
}

/** What the usage text and the docs say of a default. */
function defaultOf(o: OptionSpec): string | undefined {
  if (o.defaultText !== undefined) return o.defaultText;
  return o.default !== undefined ? String(o.default) : undefined;
}

function rangeOf(o: OptionSpec): string | undefined {
  return o.kind === "integer" ? `from ${o.min} to ${o.max}` : undefined;
}

const USAGE_WIDTH = 100;
const HELP_COLUMN = 23;

/** Wraps words to USAGE_WIDTH, continuation lines indented to the help column. */
function wrap(first: string, text: string): string[] {
  const lines: string[] = [];
  if (first.length + 1 > HELP_COLUMN) lines.push(first);
  let line = first.length + 1 > HELP_COLUMN ? " ".repeat(HELP_COLUMN) : first.padEnd(HELP_COLUMN);
  let fresh = true;
  for (const word of text.split(" ")) {
    if (!fresh && line.length + 1 + word.length > USAGE_WIDTH) {
      lines.push(line.trimEnd());
      line = " ".repeat(HELP_COLUMN) + word;
    } else {
      line += (fresh ? "" : " ") + word;
    }
    fresh = false;
  }
  lines.push(line.trimEnd());
  return lines;
}

function usageLine(o: OptionSpec): string[] {
  const left = o.flag !== undefined
    ? `  --${o.flag}${o.arg !== undefined ? ` ${o.arg}` : ""}`
    : `  ${o.env}`;
  const notes: string[] = [];
  if (o.flag !== undefined && o.env !== undefined) notes.push(o.env);
  if (o.env === undefined && o.http === true) notes.push("flag only");
  if (o.flag === undefined) notes.push("environment only");
  const def = defaultOf(o);
  if (def !== undefined) notes.push(`default: ${def}`);
  const range = rangeOf(o);
  if (range !== undefined) notes.push(range);
  return wrap(left, notes.length > 0 ? `${o.help} (${notes.join("; ")})` : o.help);
}

/**
 * The options part of `--help`: stdio options, then the HTTP ones, each line generated
 * from the table.
 */
export function optionsUsage(): string {
  const all = OPTIONS as readonly OptionSpec[];
  return [
    "Options (each also read from the environment variable shown; flags win):",
    ...all.filter((o) => o.http !== true).flatMap(usageLine),
    "",
    "HTTP options (with --transport http):",
    ...all.filter((o) => o.http === true).flatMap(usageLine),
    "",
    "Boolean variables accept 1/true/yes/on and 0/false/no/off. JWT mode needs --resource-url,",
    "--issuer and --jwks-url together. Logs are JSON lines on stderr; in stdio mode stdout",
    "carries only MCP messages.",
  ].join("\n");
}

/** The option table as Markdown, for docs/options.md (a test keeps that file equal to this). */
export function optionsMarkdown(): string {
  const cell = (s: string) => s.replaceAll("|", "\\|");
  const rows = (OPTIONS as readonly OptionSpec[]).filter((o) =>
    o.flag !== "help" && o.flag !== "version"
  )
    .map((o) => {
      const flag = o.flag !== undefined
        ? `\`--${o.flag}${o.arg !== undefined ? ` ${o.arg}` : ""}\``
        : "(environment only)";
      const env = o.env !== undefined ? `\`${o.env}\`` : "(flag only)";
      const def = defaultOf(o) ?? "";
      const range = rangeOf(o);
      const help = `${o.help}${range !== undefined ? ` (${range})` : ""}`;
      return `| ${flag} | ${env} | ${cell(def)} | ${o.http === true ? "yes" : ""} | ${
        cell(help)
      } |`;
    });
  return [
    "# Options",
    "",
    "<!-- Generated from src/options.ts by `UPDATE_SNAPSHOTS=1 deno task test tests/unit/options_test.ts`; edit the table there. -->",
    "",
    "Every option is a flag and an environment variable; the flag wins, then the variable, then",
    "the default. Boolean variables accept `1`, `true`, `yes`, `on` and `0`, `false`, `no`, `off`",
    "(any case). A bad value stops the server with one line on stderr naming the flag or variable,",
    "and exit code 2. HTTP options are read with `--transport http`; a stdio process may not even",
    "read their variables.",
    "",
    "| Flag | Environment variable | Default | HTTP only | What it does |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
    "",
  ].join("\n");
}
