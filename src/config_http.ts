/**
 * The HTTP transport's options: flags and environment -> HttpConfig, part of the frozen
 * Config. Kept apart from config.ts so the stdio core stays small; same rules: flag,
 * then environment, then default, and every bad value is one line naming its source.
 */
// SHA-256 from @noble/hashes rather than node:crypto: Deno's node:crypto costs some 10 ms of
// every start-up (measured), and the flags are parsed in every mode.
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { HTTP_DEFAULTS, OptionValues, parseList } from "./options.ts";
import { fail, ok, type Result } from "./result.ts";

export { HTTP_DEFAULTS };

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
  /** Shared state for replicas (rate limits, linter slots): redis:// or rediss:// URL. */
  readonly redisUrl: string | undefined;
  /** A file holding the Redis password (overrides one in the URL). */
  readonly redisPasswordFile: string | undefined;
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

/** Where the HTTP server binds, from the core options: the defaults of hosts and origins follow it. */
export interface HttpBind {
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
 * // { ok: true, value: [{ name: "ci", sha256: "..." }] }
 */
export function parseApiKeys(
  text: string,
  source: string,
  separator: RegExp = /[,\n]/,
): Result<ApiKeyDigest[]> {
  const keys: ApiKeyDigest[] = [];
  const names = new Set<string>();
  let n = 0;
  for (const raw of text.split(separator)) {
    n++;
    const entry = raw.trim();
    if (entry === "" || entry.startsWith("#")) continue;
    const colon = entry.indexOf(":");
    // Entries are numbered, never quoted: the key itself must not reach an error message.
    if (colon <= 0) return { ok: false, reason: `${source}: entry ${n} is not "name:key"` };
    const name = entry.slice(0, colon);
    const key = entry.slice(colon + 1);
    if (!NAME_RE.test(name)) {
      return {
        ok: false,
        reason: `${source}: entry ${n}: a name is 1-64 letters, digits or . _ @ -`,
      };
    }
    if (names.has(name)) {
      return { ok: false, reason: `${source}: entry ${n}: the name ${name} appears twice` };
    }
    if (key.length < MIN_API_KEY_LENGTH || /\s/.test(key)) {
      return {
        ok: false,
        reason:
          `${source}: entry ${n} (${name}): a key needs at least ${MIN_API_KEY_LENGTH} characters and no spaces`,
      };
    }
    names.add(name);
    keys.push({ name, sha256: sha256Hex(key) });
  }
  return ok(keys);
}

/** Parses an http(s) URL for auth settings: https, or http on a loopback host. */
function authUrl(value: string, what: string): Result<URL> {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail(`not a URL: ${JSON.stringify(value)}`);
  }
  if (url.username !== "" || url.password !== "") return fail("must not contain credentials");
  if (url.hash !== "") return fail("must not have a fragment");
  if (url.protocol === "https:") return ok(url);
  if (url.protocol === "http:" && isLoopbackHost(url.hostname)) return ok(url);
  return fail(
    `${what} must use https (http only on a loopback host), got ${JSON.stringify(value)}`,
  );
}

/** Parses "name=N" pairs: client, tool, or a rate-limited tool's name, 1 to 1000000 per minute. */
function parseRateLimits(raw: string): Result<RateLimits> {
  let client: number = HTTP_DEFAULTS.rateLimits.client;
  let tool: number = HTTP_DEFAULTS.rateLimits.tool;
  const perTool: Record<string, number> = { ...HTTP_DEFAULTS.rateLimits.perTool };
  for (const part of parseList(raw)) {
    const m = part.match(/^([a-z_]+)=(\d{1,7})$/);
    if (!m) {
      return fail(
        `expected name=N pairs like client=300,run_linter=20, got ${JSON.stringify(part)}`,
      );
    }
    const [, name, count] = m as unknown as [string, string, string];
    const n = Number(count);
    if (n < 1 || n > 1_000_000) {
      return fail(`${name}: expected 1 to 1000000 per minute, got ${count}`);
    }
    if (name === "client") client = n;
    else if (name === "tool") tool = n;
    else if ((RATE_LIMITED_TOOLS as readonly string[]).includes(name)) perTool[name] = n;
    else {
      return fail(
        `unknown name ${JSON.stringify(name)} (known: client, tool, ${
          RATE_LIMITED_TOOLS.join(", ")
        })`,
      );
    }
  }
  return ok({ client, tool, perTool });
}

/**
 * Parses every HTTP option. Pure. Each option is read by its kind's parser (options.ts); the
 * checks that need the whole picture live here: JWT settings come as a set, and a non-loopback
 * bind needs auth or the explicit flag.
 *
 * @example parseHttpConfig(options, { transport: "http", host: "0.0.0.0", port: 8000 }) with no auth
 * // { ok: false, reason: "--host: binding 0.0.0.0 with no authentication ..." }
 */
export function parseHttpConfig(o: OptionValues, bind: HttpBind): Result<HttpConfig> {
  const r = readHttpConfig(o, bind);
  return r.ok ? r : fail(r.reason.replace(/\s+/g, " ").trim());
}

function readHttpConfig(o: OptionValues, bind: HttpBind): Result<HttpConfig> {
  const stateful = o.boolean("stateful");
  if (!stateful.ok) return stateful;
  const responseMode = o.choice<ResponseMode>("response-mode");
  if (!responseMode.ok) return responseMode;
  const resourceUrl = readResourceUrl(o);
  if (!resourceUrl.ok) return resourceUrl;
  const allowedHosts = readAllowedHosts(o, bind, resourceUrl.value);
  if (!allowedHosts.ok) return allowedHosts;
  const allowedOrigins = readAllowedOrigins(o, bind, resourceUrl.value);
  if (!allowedOrigins.ok) return allowedOrigins;
  const maxBodyBytes = o.integer("max-body-bytes");
  if (!maxBodyBytes.ok) return maxBodyBytes;
  const auth = readAuth(o, resourceUrl.value);
  if (!auth.ok) return auth;
  const metricsToken = o.string("CODE_REVIEW_METRICS_TOKEN").raw;
  if (metricsToken !== undefined && metricsToken.length < MIN_API_KEY_LENGTH) {
    return fail(`CODE_REVIEW_METRICS_TOKEN: needs at least ${MIN_API_KEY_LENGTH} characters`);
  }
  const rateLimits = readRateLimits(o);
  if (!rateLimits.ok) return rateLimits;
  const maxConcurrentLinters = o.integer("max-concurrent-linters");
  if (!maxConcurrentLinters.ok) return maxConcurrentLinters;
  const requestTimeoutMs = o.integer("request-timeout-ms");
  if (!requestTimeoutMs.ok) return requestTimeoutMs;
  const shutdownTimeoutMs = o.integer("shutdown-timeout-ms");
  if (!shutdownTimeoutMs.ok) return shutdownTimeoutMs;
  const allowUnauthenticatedRemote = o.boolean("allow-unauthenticated-remote");
  if (!allowUnauthenticatedRemote.ok) return allowUnauthenticatedRemote;
  const redis = readRedis(o);
  if (!redis.ok) return redis;

  const { transport, host } = bind;
  if (
    transport === "http" && auth.value.mode === "none" && !isLoopbackHost(host) &&
    !allowUnauthenticatedRemote.value
  ) {
    return fail(
      `--host: binding ${host} with no authentication lets anyone who reaches it read the project; ` +
        "configure JWT (--resource-url, --issuer, --jwks-url) or API keys, or pass --allow-unauthenticated-remote",
    );
  }

  return ok(Object.freeze({
    stateful: stateful.value,
    responseMode: responseMode.value,
    allowedHosts: allowedHosts.value,
    allowedOrigins: allowedOrigins.value,
    maxBodyBytes: maxBodyBytes.value,
    resourceUrl: resourceUrl.value?.href,
    auth: auth.value,
    metricsTokenSha256: metricsToken !== undefined ? sha256Hex(metricsToken) : undefined,
    rateLimits: rateLimits.value,
    maxConcurrentLinters: maxConcurrentLinters.value,
    requestTimeoutMs: requestTimeoutMs.value,
    shutdownTimeoutMs: shutdownTimeoutMs.value,
    allowUnauthenticatedRemote: allowUnauthenticatedRemote.value,
    redisUrl: redis.value.url,
    redisPasswordFile: redis.value.passwordFile,
  }));
}

/** This server's public URL: https (or http on loopback), no query. */
function readResourceUrl(o: OptionValues): Result<URL | undefined> {
  const { raw, source } = o.string("resource-url");
  if (raw === undefined) return ok(undefined);
  const r = authUrl(raw, "the resource URL");
  if (!r.ok) return fail(`${source}: ${r.reason}`);
  if (r.value.search !== "") return fail(`${source}: must not have a query`);
  return ok(r.value);
}

/** Host values accepted; by default the loopback names, the bind address and the resource's host. */
function readAllowedHosts(
  o: OptionValues,
  bind: HttpBind,
  resourceUrl: URL | undefined,
): Result<string[]> {
  const { value, source } = o.list("allowed-hosts");
  if (value !== undefined) {
    const hosts = value.map((h) => h.toLowerCase());
    if (hosts.length === 0) return fail(`${source}: expected a comma-separated list of host names`);
    const bad = hosts.find((h) => !HOST_ENTRY_RE.test(h));
    if (bad !== undefined) {
      return fail(`${source}: not a host or host:port: ${JSON.stringify(bad)}`);
    }
    return ok(hosts);
  }
  const hosts = [...LOOPBACK_NAMES];
  const boundTo = bracketHost(bind.host.toLowerCase());
  if (!["0.0.0.0", "[::]"].includes(boundTo) && !hosts.includes(boundTo)) hosts.push(boundTo);
  if (resourceUrl && !hosts.includes(resourceUrl.hostname)) hosts.push(resourceUrl.hostname);
  return ok(hosts);
}

/** Origin values accepted; by default the loopback origins on the port and the resource's origin. */
function readAllowedOrigins(
  o: OptionValues,
  bind: HttpBind,
  resourceUrl: URL | undefined,
): Result<string[]> {
  const { value, source } = o.list("allowed-origins");
  if (value !== undefined) {
    const origins: string[] = [];
    for (const entry of value) {
      let url: URL;
      try {
        url = new URL(entry);
      } catch {
        return fail(
          `${source}: not an origin like https://app.example.com: ${JSON.stringify(entry)}`,
        );
      }
      if (url.origin === "null" || (url.protocol !== "http:" && url.protocol !== "https:")) {
        return fail(`${source}: not an http(s) origin: ${JSON.stringify(entry)}`);
      }
      origins.push(url.origin);
    }
    return ok(origins);
  }
  const origins = LOOPBACK_NAMES.map((h) => `http://${h}:${bind.port}`);
  if (resourceUrl && !origins.includes(resourceUrl.origin)) origins.push(resourceUrl.origin);
  return ok(origins);
}

/** Authentication: JWT settings as a set, or API keys, or nothing; never both. */
function readAuth(o: OptionValues, resourceUrl: URL | undefined): Result<AuthConfig> {
  const issuer = o.string("issuer");
  const jwks = o.string("jwks-url");
  const scope = o.string("required-scope");
  const keysFile = o.string("api-keys-file");
  const keysEnv = o.string("CODE_REVIEW_API_KEYS").raw;
  const wantsJwt = issuer.raw !== undefined || jwks.raw !== undefined;
  const wantsKeys = keysFile.raw !== undefined || keysEnv !== undefined;
  if (wantsJwt && wantsKeys) {
    return fail(
      `${
        issuer.raw !== undefined ? issuer.source : jwks.source
      }: configure either JWT (--issuer, --jwks-url) or API keys, not both`,
    );
  }
  const requiredScope = scope.raw ?? HTTP_DEFAULTS.requiredScope;
  if (!SCOPE_RE.test(requiredScope)) {
    return fail(`${scope.source}: not a scope token: ${JSON.stringify(requiredScope)}`);
  }
  if (wantsJwt) {
    if (issuer.raw === undefined) {
      return fail(
        `${issuer.source}: JWT mode needs the issuer too (--issuer or CODE_REVIEW_ISSUER)`,
      );
    }
    if (jwks.raw === undefined) {
      return fail(
        `${jwks.source}: JWT mode needs the JWKS URL too (--jwks-url or CODE_REVIEW_JWKS_URL)`,
      );
    }
    if (resourceUrl === undefined) {
      return fail(
        `${
          o.raw("resource-url").source
        }: JWT mode needs this server's resource URL (the token audience)`,
      );
    }
    const jwksUrl = authUrl(jwks.raw, "the JWKS URL");
    if (!jwksUrl.ok) return fail(`${jwks.source}: ${jwksUrl.reason}`);
    const iss = authUrl(issuer.raw, "the issuer");
    if (!iss.ok) return fail(`${issuer.source}: ${iss.reason}`);
    return ok({ mode: "jwt", jwksUrl: jwksUrl.value.href, issuer: issuer.raw, requiredScope });
  }
  if (!wantsKeys) return ok({ mode: "none" });
  let keys: ApiKeyDigest[] = [];
  if (keysEnv !== undefined) {
    const parsed = parseApiKeys(keysEnv, "CODE_REVIEW_API_KEYS");
    if (!parsed.ok) return fail(parsed.reason);
    keys = parsed.value;
  }
  if (keysFile.raw !== undefined && (keysFile.raw.includes(",") || keysFile.raw.includes("\0"))) {
    return fail(
      `${keysFile.source}: a path with a comma or NUL byte cannot be named in --allow-read`,
    );
  }
  if (keysFile.raw === undefined && keys.length === 0) {
    return fail("CODE_REVIEW_API_KEYS: no keys in it");
  }
  return ok({ mode: "api-key", keys, keysFile: keysFile.raw });
}

function readRateLimits(o: OptionValues): Result<RateLimits> {
  const { raw, source } = o.string("rate-limits");
  if (raw === undefined) {
    return ok({ ...HTTP_DEFAULTS.rateLimits, perTool: { ...HTTP_DEFAULTS.rateLimits.perTool } });
  }
  const r = parseRateLimits(raw);
  return r.ok ? r : fail(`${source}: ${r.reason}`);
}

/**
 * --redis-url and --redis-password-file. The URL is redis: or rediss: with a host; its port
 * joins --allow-net (6379 unless given). A password file path joins --allow-read.
 */
function readRedis(o: OptionValues): Result<{ url?: string; passwordFile?: string }> {
  const { raw: urlRaw, source: urlSrc } = o.string("redis-url");
  const { raw: fileRaw, source: fileSrc } = o.string("redis-password-file");
  if (fileRaw !== undefined && (fileRaw === "" || /[,\0]/.test(fileRaw))) {
    return fail(`${fileSrc}: a path with a comma or NUL byte cannot be named in --allow-read`);
  }
  if (urlRaw === undefined || urlRaw === "") {
    return fileRaw !== undefined ? fail(`${fileSrc}: needs --redis-url too`) : ok({});
  }
  let u: URL;
  try {
    u = new URL(urlRaw);
  } catch {
    return fail(`${urlSrc}: not a URL; use redis://host:port or rediss://host:port`);
  }
  if ((u.protocol !== "redis:" && u.protocol !== "rediss:") || u.hostname === "") {
    return fail(`${urlSrc}: use redis://host:port or rediss://host:port (TLS)`);
  }
  return ok({ url: urlRaw, ...(fileRaw !== undefined ? { passwordFile: fileRaw } : {}) });
}

/** The defaults for a loopback server on `port`: what no flags and no environment give. */
export function defaultHttpConfig(port = 8000): HttpConfig {
  const r = parseHttpConfig(new OptionValues({}, () => undefined), {
    transport: "http",
    host: "127.0.0.1",
    port,
  });
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}
