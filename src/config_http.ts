/**
 * The HTTP transport's options: flags and environment -> HttpConfig, part of the frozen
 * Config. Kept apart from config.ts so the stdio core stays small; same rules: flag,
 * then environment, then default, and every bad value is one line naming its source.
 */
// SHA-256 from @noble/hashes rather than node:crypto: Deno's node:crypto costs some 10 ms of
// every start-up (measured), and the flags are parsed in every mode.
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";

export type ResponseMode = "sse" | "json";

/** A static API key, kept as a SHA-256 digest so the Config never holds the secret. */
export interface ApiKeyDigest {
  /** Who the key belongs to: the subject in logs, metrics and limits. */
  readonly name: string;
  /** Hex SHA-256 of the key. */
  readonly sha256: string;
}

export type AuthConfig =
  | { readonly mode: "none" }
  | {
    readonly mode: "jwt";
    /** The issuer's JWKS document (https, or http on loopback). */
    readonly jwksUrl: string;
    /** Expected `iss`; also the authorization server named in the metadata document. */
    readonly issuer: string;
    /** Scope every request needs, e.g. "tools:execute". */
    readonly requiredScope: string;
  }
  | {
    readonly mode: "api-key";
    /** Keys from CODE_REVIEW_API_KEYS; the file's keys are added at start-up. */
    readonly keys: readonly ApiKeyDigest[];
    readonly keysFile: string | undefined;
  };

/** Requests per minute per client; per tool and client for the rest. */
export interface RateLimits {
  readonly client: number;
  readonly tool: number;
  readonly perTool: Readonly<Record<string, number>>;
}

export interface HttpConfig {
  /** Sessions kept in memory (sticky routing needed) instead of one server per request. */
  readonly stateful: boolean;
  /** How a POST is answered: an SSE stream (progress notifications) or one JSON body. */
  readonly responseMode: ResponseMode;
  /** Host header values accepted (DNS rebinding); "name" or "name:port", lower case; "*" any. */
  readonly allowedHosts: readonly string[];
  /** Origin header values accepted, as URL origins; a request without Origin passes. */
  readonly allowedOrigins: readonly string[];
  readonly maxBodyBytes: number;
  /** This server's public MCP URL: the JWT audience and the metadata's `resource`. */
  readonly resourceUrl: string | undefined;
  readonly auth: AuthConfig;
  /** Hex SHA-256 of CODE_REVIEW_METRICS_TOKEN: /metrics then takes that token instead of /mcp's auth. */
  readonly metricsTokenSha256: string | undefined;
  readonly rateLimits: RateLimits;
  /** Linter runs at once; later calls wait in a queue. */
  readonly maxConcurrentLinters: number;
  /** Upper bound for one tool call, time in the linter queue included. */
  readonly requestTimeoutMs: number;
  /** After SIGTERM/SIGINT, how long calls in flight may take to finish. */
  readonly shutdownTimeoutMs: number;
  /** Accepts binding a non-loopback address with no authentication. */
  readonly allowUnauthenticatedRemote: boolean;
}

/** Tool names a rate limit may name (a unit test checks them against the tool list). */
export const RATE_LIMITED_TOOLS = [
  "list_directory",
  "read_file",
  "search_code",
  "run_linter",
  "fetch_github_file",
  "review_changes",
  "get_diff",
  "outline",
  "find_symbol",
  "find_references",
] as const;

export const HTTP_DEFAULTS = {
  maxBodyBytes: 1024 * 1024,
  rateLimits: { client: 300, tool: 120, perTool: { run_linter: 20, fetch_github_file: 30 } },
  maxConcurrentLinters: 4,
  requestTimeoutMs: 60_000,
  shutdownTimeoutMs: 10_000,
  requiredScope: "tools:execute",
} as const;

/** parseArgs option definitions for the HTTP flags (merged into config.ts's). */
export const HTTP_ARG_OPTIONS = {
  stateful: { type: "boolean" },
  "response-mode": { type: "string" },
  "allowed-hosts": { type: "string" },
  "allowed-origins": { type: "string" },
  "max-body-bytes": { type: "string" },
  "resource-url": { type: "string" },
  issuer: { type: "string" },
  "jwks-url": { type: "string" },
  "required-scope": { type: "string" },
  "api-keys-file": { type: "string" },
  "rate-limits": { type: "string" },
  "max-concurrent-linters": { type: "string" },
  "request-timeout-ms": { type: "string" },
  "shutdown-timeout-ms": { type: "string" },
  "allow-unauthenticated-remote": { type: "boolean" },
} as const;

export const HTTP_USAGE = `HTTP options (with --transport http):
  --stateful             keep sessions in memory (CODE_REVIEW_STATEFUL; default: stateless)
  --response-mode M      sse or json (CODE_REVIEW_RESPONSE_MODE; default: sse)
  --allowed-hosts a,b    Host values accepted (CODE_REVIEW_ALLOWED_HOSTS; default: loopback
                         names, the bind address and the resource URL's host)
  --allowed-origins a,b  Origin values accepted (CODE_REVIEW_ALLOWED_ORIGINS; default: the
                         loopback origins on --port and the resource URL's origin)
  --max-body-bytes N     largest request body (CODE_REVIEW_MAX_BODY_BYTES; default: 1048576)
  --resource-url U       this server's public MCP URL (CODE_REVIEW_RESOURCE_URL)
  --issuer U             OAuth issuer whose tokens are accepted (CODE_REVIEW_ISSUER)
  --jwks-url U           the issuer's JWKS (CODE_REVIEW_JWKS_URL)
  --required-scope S     scope every request needs (CODE_REVIEW_REQUIRED_SCOPE; default: tools:execute)
  --api-keys-file F      static API keys, one "name:key" a line (CODE_REVIEW_API_KEYS_FILE)
  --rate-limits spec     per minute, e.g. client=300,tool=120,run_linter=20,fetch_github_file=30
                         (CODE_REVIEW_RATE_LIMITS)
  --max-concurrent-linters N  linter runs at once, the rest queue (CODE_REVIEW_MAX_CONCURRENT_LINTERS; default: 4)
  --request-timeout-ms N      bound on one tool call (CODE_REVIEW_REQUEST_TIMEOUT_MS; default: 60000)
  --shutdown-timeout-ms N     time to finish calls after SIGTERM (CODE_REVIEW_SHUTDOWN_TIMEOUT_MS; default: 10000)
  --allow-unauthenticated-remote  accept binding a non-loopback address with no auth (flag only)

CODE_REVIEW_API_KEYS ("name:key,name:key") and CODE_REVIEW_METRICS_TOKEN come from the
environment only. JWT mode needs --resource-url, --issuer and --jwks-url together.`;

/** Reads one option: [value, where it came from], flag before environment. */
export type Pick = (flag: string, envName: string) => [string | undefined, string];

export type HttpParseOutcome = { ok: true; value: HttpConfig } | { ok: false; error: string };

export interface HttpParseInput {
  pick: Pick;
  /** parseArgs values, for the boolean flags. */
  values: Record<string, unknown>;
  env: (name: string) => string | undefined;
  transport: "stdio" | "http";
  host: string;
  port: number;
}

const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"];
const NAME_RE = /^[A-Za-z0-9._@-]{1,64}$/;
const SCOPE_RE = /^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/;
const HOST_ENTRY_RE = /^(\*|(\[[0-9a-f:.]+\]|[a-z0-9.-]{1,253})(:\d{1,5})?)$/;
export const MIN_API_KEY_LENGTH = 16;

/** True for addresses that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, "");
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Hex SHA-256, for keys and tokens compared later in constant time. */
export function sha256Hex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

/** The host as it appears in a Host header or URL: IPv6 literals bracketed. */
export function bracketHost(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

/**
 * Parses "name:key" entries (comma- or newline-separated). Pure.
 *
 * @example parseApiKeys("ci:0123456789abcdef0123", "CODE_REVIEW_API_KEYS")
 * // { ok: true, keys: [{ name: "ci", sha256: "..." }] }
 */
export function parseApiKeys(
  text: string,
  source: string,
  separator: RegExp = /[,\n]/,
): { ok: true; keys: ApiKeyDigest[] } | { ok: false; error: string } {
  const keys: ApiKeyDigest[] = [];
  const names = new Set<string>();
  let n = 0;
  for (const raw of text.split(separator)) {
    n++;
    const entry = raw.trim();
    if (entry === "" || entry.startsWith("#")) continue;
    const colon = entry.indexOf(":");
    // Entries are numbered, never quoted: the key itself must not reach an error message.
    if (colon <= 0) return { ok: false, error: `${source}: entry ${n} is not "name:key"` };
    const name = entry.slice(0, colon);
    const key = entry.slice(colon + 1);
    if (!NAME_RE.test(name)) {
      return {
        ok: false,
        error: `${source}: entry ${n}: a name is 1-64 letters, digits or . _ @ -`,
      };
    }
    if (names.has(name)) {
      return { ok: false, error: `${source}: entry ${n}: the name ${name} appears twice` };
    }
    if (key.length < MIN_API_KEY_LENGTH || /\s/.test(key)) {
      return {
        ok: false,
        error:
          `${source}: entry ${n} (${name}): a key needs at least ${MIN_API_KEY_LENGTH} characters and no spaces`,
      };
    }
    names.add(name);
    keys.push({ name, sha256: sha256Hex(key) });
  }
  return { ok: true, keys };
}

/** Parses an http(s) URL for auth settings: https, or http on a loopback host. */
function authUrl(
  value: string,
  what: string,
): { ok: true; url: URL } | { ok: false; error: string } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, error: `not a URL: ${JSON.stringify(value)}` };
  }
  if (url.username !== "" || url.password !== "") {
    return { ok: false, error: "must not contain credentials" };
  }
  if (url.hash !== "") return { ok: false, error: "must not have a fragment" };
  if (url.protocol === "https:") return { ok: true, url };
  if (url.protocol === "http:" && isLoopbackHost(url.hostname)) return { ok: true, url };
  return {
    ok: false,
    error: `${what} must use https (http only on a loopback host), got ${JSON.stringify(value)}`,
  };
}

function parseRateLimits(
  raw: string,
): { ok: true; value: RateLimits } | { ok: false; error: string } {
  let client: number = HTTP_DEFAULTS.rateLimits.client;
  let tool: number = HTTP_DEFAULTS.rateLimits.tool;
  const perTool: Record<string, number> = { ...HTTP_DEFAULTS.rateLimits.perTool };
  for (const part of raw.split(",").map((s) => s.trim()).filter((s) => s !== "")) {
    const m = part.match(/^([a-z_]+)=(\d{1,7})$/);
    if (!m) {
      return {
        ok: false,
        error: `expected name=N pairs like client=300,run_linter=20, got ${JSON.stringify(part)}`,
      };
    }
    const [, name, count] = m as unknown as [string, string, string];
    const n = Number(count);
    if (n < 1 || n > 1_000_000) {
      return { ok: false, error: `${name}: expected 1 to 1000000 per minute, got ${count}` };
    }
    if (name === "client") client = n;
    else if (name === "tool") tool = n;
    else if ((RATE_LIMITED_TOOLS as readonly string[]).includes(name)) perTool[name] = n;
    else {return {
        ok: false,
        error: `unknown name ${JSON.stringify(name)} (known: client, tool, ${
          RATE_LIMITED_TOOLS.join(", ")
        })`,
      };}
  }
  return { ok: true, value: { client, tool, perTool } };
}

function intOption(
  pick: Pick,
  flag: string,
  envName: string,
  def: number,
  min: number,
  max: number,
): { ok: true; value: number } | { ok: false; error: string } {
  const [raw, src] = pick(flag, envName);
  if (raw === undefined) return { ok: true, value: def };
  const n = Number(raw);
  if (!/^\d{1,10}$/.test(raw) || n < min || n > max) {
    return {
      ok: false,
      error: `${src}: expected an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`,
    };
  }
  return { ok: true, value: n };
}

export function boolOption(
  values: Record<string, unknown>,
  env: (n: string) => string | undefined,
  flag: string,
  envName: string,
): { ok: true; value: boolean } | { ok: false; error: string } {
  if (values[flag] === true) return { ok: true, value: true };
  const raw = env(envName);
  if (raw === undefined || raw === "") return { ok: true, value: false };
  if (/^(1|true|yes|on)$/i.test(raw)) return { ok: true, value: true };
  if (/^(0|false|no|off)$/i.test(raw)) return { ok: true, value: false };
  return { ok: false, error: `${envName}: expected true or false, got ${JSON.stringify(raw)}` };
}

function list(raw: string): string[] {
  return raw.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

/**
 * Parses every HTTP option. Pure. Checks that need the whole picture live here too:
 * JWT settings come as a set, and a non-loopback bind needs auth or the explicit flag.
 *
 * @example parseHttpConfig({ ..., transport: "http", host: "0.0.0.0" }) with no auth
 * // { ok: false, error: "--host: binding 0.0.0.0 with no authentication ..." }
 */
export function parseHttpConfig(input: HttpParseInput): HttpParseOutcome {
  const { pick, values, env, transport, host, port } = input;
  const fail = (error: string): HttpParseOutcome => ({
    ok: false,
    error: error.replace(/\s+/g, " ").trim(),
  });

  const stateful = boolOption(values, env, "stateful", "CODE_REVIEW_STATEFUL");
  if (!stateful.ok) return fail(stateful.error);

  const [modeRaw, modeSrc] = pick("response-mode", "CODE_REVIEW_RESPONSE_MODE");
  const responseMode = (modeRaw ?? "sse") as ResponseMode;
  if (responseMode !== "sse" && responseMode !== "json") {
    return fail(`${modeSrc}: expected sse or json, got ${JSON.stringify(modeRaw)}`);
  }

  const [resourceRaw, resourceSrc] = pick("resource-url", "CODE_REVIEW_RESOURCE_URL");
  let resourceUrl: URL | undefined;
  if (resourceRaw !== undefined) {
    const r = authUrl(resourceRaw, "the resource URL");
    if (!r.ok) return fail(`${resourceSrc}: ${r.error}`);
    if (r.url.search !== "") return fail(`${resourceSrc}: must not have a query`);
    resourceUrl = r.url;
  }

  const [hostsRaw, hostsSrc] = pick("allowed-hosts", "CODE_REVIEW_ALLOWED_HOSTS");
  let allowedHosts: string[];
  if (hostsRaw !== undefined) {
    allowedHosts = list(hostsRaw).map((h) => h.toLowerCase());
    if (allowedHosts.length === 0) {
      return fail(`${hostsSrc}: expected a comma-separated list of host names`);
    }
    const bad = allowedHosts.find((h) => !HOST_ENTRY_RE.test(h));
    if (bad !== undefined) {
      return fail(`${hostsSrc}: not a host or host:port: ${JSON.stringify(bad)}`);
    }
  } else {
    allowedHosts = [...LOOPBACK_NAMES];
    const bind = bracketHost(host.toLowerCase());
    if (!["0.0.0.0", "[::]"].includes(bind) && !allowedHosts.includes(bind)) {
      allowedHosts.push(bind);
    }
    if (resourceUrl && !allowedHosts.includes(resourceUrl.hostname)) {
      allowedHosts.push(resourceUrl.hostname);
    }
  }

  const [originsRaw, originsSrc] = pick("allowed-origins", "CODE_REVIEW_ALLOWED_ORIGINS");
  let allowedOrigins: string[];
  if (originsRaw !== undefined) {
    allowedOrigins = [];
    for (const o of list(originsRaw)) {
      let url: URL;
      try {
        url = new URL(o);
      } catch {
        return fail(
          `${originsSrc}: not an origin like https://app.example.com: ${JSON.stringify(o)}`,
        );
      }
      if (url.origin === "null" || (url.protocol !== "http:" && url.protocol !== "https:")) {
        return fail(`${originsSrc}: not an http(s) origin: ${JSON.stringify(o)}`);
      }
      allowedOrigins.push(url.origin);
    }
  } else {
    allowedOrigins = LOOPBACK_NAMES.map((h) => `http://${h}:${port}`);
    if (resourceUrl && !allowedOrigins.includes(resourceUrl.origin)) {
      allowedOrigins.push(resourceUrl.origin);
    }
  }

  const body = intOption(
    pick,
    "max-body-bytes",
    "CODE_REVIEW_MAX_BODY_BYTES",
    HTTP_DEFAULTS.maxBodyBytes,
    1024,
    64 * 1024 * 1024,
  );
  if (!body.ok) return fail(body.error);

  // Authentication: JWT settings as a set, or API keys, or nothing.
  const [issuerRaw, issuerSrc] = pick("issuer", "CODE_REVIEW_ISSUER");
  const [jwksRaw, jwksSrc] = pick("jwks-url", "CODE_REVIEW_JWKS_URL");
  const [scopeRaw, scopeSrc] = pick("required-scope", "CODE_REVIEW_REQUIRED_SCOPE");
  const [keysFileRaw, keysFileSrc] = pick("api-keys-file", "CODE_REVIEW_API_KEYS_FILE");
  const keysEnv = env("CODE_REVIEW_API_KEYS");
  const wantsJwt = issuerRaw !== undefined || jwksRaw !== undefined;
  const wantsKeys = keysFileRaw !== undefined || (keysEnv !== undefined && keysEnv !== "");
  let auth: AuthConfig = { mode: "none" };
  if (wantsJwt && wantsKeys) {
    return fail(
      `${
        issuerRaw !== undefined ? issuerSrc : jwksSrc
      }: configure either JWT (--issuer, --jwks-url) or API keys, not both`,
    );
  }
  const requiredScope = scopeRaw ?? HTTP_DEFAULTS.requiredScope;
  if (!SCOPE_RE.test(requiredScope)) {
    return fail(`${scopeSrc}: not a scope token: ${JSON.stringify(scopeRaw)}`);
  }
  if (wantsJwt) {
    if (issuerRaw === undefined) {
      return fail(`${issuerSrc}: JWT mode needs the issuer too (--issuer or CODE_REVIEW_ISSUER)`);
    }
    if (jwksRaw === undefined) {
      return fail(
        `${jwksSrc}: JWT mode needs the JWKS URL too (--jwks-url or CODE_REVIEW_JWKS_URL)`,
      );
    }
    if (resourceUrl === undefined) {
      return fail(`${resourceSrc}: JWT mode needs this server's resource URL (the token audience)`);
    }
    const jwks = authUrl(jwksRaw, "the JWKS URL");
    if (!jwks.ok) return fail(`${jwksSrc}: ${jwks.error}`);
    const iss = authUrl(issuerRaw, "the issuer");
    if (!iss.ok) return fail(`${issuerSrc}: ${iss.error}`);
    auth = { mode: "jwt", jwksUrl: jwks.url.href, issuer: issuerRaw, requiredScope };
  } else if (wantsKeys) {
    let keys: ApiKeyDigest[] = [];
    if (keysEnv !== undefined && keysEnv !== "") {
      const parsed = parseApiKeys(keysEnv, "CODE_REVIEW_API_KEYS");
      if (!parsed.ok) return fail(parsed.error);
      keys = parsed.keys;
    }
    if (keysFileRaw !== undefined && (keysFileRaw.includes(",") || keysFileRaw.includes("\0"))) {
      return fail(
        `${keysFileSrc}: a path with a comma or NUL byte cannot be named in --allow-read`,
      );
    }
    if (keysFileRaw === undefined && keys.length === 0) {
      return fail("CODE_REVIEW_API_KEYS: no keys in it");
    }
    auth = { mode: "api-key", keys, keysFile: keysFileRaw };
  }

  const tokenRaw = env("CODE_REVIEW_METRICS_TOKEN");
  if (tokenRaw !== undefined && tokenRaw !== "" && tokenRaw.length < MIN_API_KEY_LENGTH) {
    return fail(`CODE_REVIEW_METRICS_TOKEN: needs at least ${MIN_API_KEY_LENGTH} characters`);
  }

  const [limitsRaw, limitsSrc] = pick("rate-limits", "CODE_REVIEW_RATE_LIMITS");
  const limits = limitsRaw === undefined
    ? {
      ok: true as const,
      value: { ...HTTP_DEFAULTS.rateLimits, perTool: { ...HTTP_DEFAULTS.rateLimits.perTool } },
    }
    : parseRateLimits(limitsRaw);
  if (!limits.ok) return fail(`${limitsSrc}: ${limits.error}`);

  const linters = intOption(
    pick,
    "max-concurrent-linters",
    "CODE_REVIEW_MAX_CONCURRENT_LINTERS",
    HTTP_DEFAULTS.maxConcurrentLinters,
    1,
    64,
  );
  if (!linters.ok) return fail(linters.error);
  const timeout = intOption(
    pick,
    "request-timeout-ms",
    "CODE_REVIEW_REQUEST_TIMEOUT_MS",
    HTTP_DEFAULTS.requestTimeoutMs,
    100,
    3_600_000,
  );
  if (!timeout.ok) return fail(timeout.error);
  const shutdown = intOption(
    pick,
    "shutdown-timeout-ms",
    "CODE_REVIEW_SHUTDOWN_TIMEOUT_MS",
    HTTP_DEFAULTS.shutdownTimeoutMs,
    0,
    600_000,
  );
  if (!shutdown.ok) return fail(shutdown.error);

  const allowUnauthenticatedRemote = values["allow-unauthenticated-remote"] === true;
  if (
    transport === "http" && auth.mode === "none" && !isLoopbackHost(host) &&
    !allowUnauthenticatedRemote
  ) {
    return fail(
      `--host: binding ${host} with no authentication lets anyone who reaches it read the project; ` +
        "configure JWT (--resource-url, --issuer, --jwks-url) or API keys, or pass --allow-unauthenticated-remote",
    );
  }

  return {
    ok: true,
    value: Object.freeze({
      stateful: stateful.value,
      responseMode,
      allowedHosts,
      allowedOrigins,
      maxBodyBytes: body.value,
      resourceUrl: resourceUrl?.href,
      auth,
      metricsTokenSha256: tokenRaw !== undefined && tokenRaw !== ""
        ? sha256Hex(tokenRaw)
        : undefined,
      rateLimits: limits.value,
      maxConcurrentLinters: linters.value,
      requestTimeoutMs: timeout.value,
      shutdownTimeoutMs: shutdown.value,
      allowUnauthenticatedRemote,
    }),
  };
}

/** The defaults for a loopback server on `port`: what no flags and no environment give. */
export function defaultHttpConfig(port = 8000): HttpConfig {
  const r = parseHttpConfig({
    pick: (f) => [undefined, `--${f}`],
    values: {},
    env: () => undefined,
    transport: "http",
    host: "127.0.0.1",
    port,
  });
  if (!r.ok) throw new Error(r.error);
  return r.value;
}
