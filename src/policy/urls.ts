/**
 * What a GitHub raw URL may be. fetch_github_file names a file by owner, repo, ref
 * and path; this module checks each part and builds the one URL to fetch, under a
 * fixed base (raw.githubusercontent.com, or a loopback fake in tests). Pure: no I/O.
 */

/** The real raw host, https on port 443. */
import { ok, type Result, type ResultWith } from "../result.ts";

export const DEFAULT_RAW_BASE = "https://raw.githubusercontent.com";

/** The Deno --allow-net entry for DEFAULT_RAW_BASE, defined once in the permission module. */
export { GITHUB_NET as DEFAULT_NET_PERMISSION } from "../permissions.ts";

/** Longest accepted parts. Owner and repo follow GitHub; ref follows git's practical limit. */
export const MAX_OWNER_LENGTH = 39;
export const MAX_REPO_LENGTH = 100;
export const MAX_REF_LENGTH = 255;
export const MAX_PATH_LENGTH = 1024;
export const MAX_PATH_SEGMENT_LENGTH = 255;

/** The four parts that name a file on GitHub. */
export interface RawFileParts {
  owner: string;
  repo: string;
  ref: string;
  path: string;
}

/**
 * A built URL, or a message a model can act on. `key` ("owner/repo@ref:path") is
 * unambiguous (owner and repo hold no "/" or "@", a ref holds no ":"), so it serves
 * both as the cache key and as the label in messages.
 */
export type RawUrlResult = Result<{ url: string; key: string }>;

export type RawBaseOverride = Result<{ base: string; netPermission: string }>;

/** The URL to follow, or a refusal that also names the foreign host (for the model's message). */
export type RedirectCheck = ResultWith<string, { host: string }>;

const OWNER_RE = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9]))*$/;
const REPO_RE = /^[A-Za-z0-9._-]+$/;
/** C0/C1 controls and DEL, format characters (bidi overrides, zero-width), lone surrogates, line/paragraph separators. */
const CONTROL_RE = /[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/u;
const CONTROL_RE_G = new RegExp(CONTROL_RE.source, "gu");

function describeChar(c: string): string {
  const cp = c.codePointAt(0) ?? 0;
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp > 0x7e) {
    return `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;
  }
  return c === " " ? "a space" : JSON.stringify(c);
}

/** Shows a refused value in a message: quoted, control characters escaped, long values shortened. */
function show(value: string): string {
  const short = value.length > 80 ? value.slice(0, 80) + "..." : value;
  return JSON.stringify(short).replace(
    CONTROL_RE_G,
    (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`,
  );
}

function invalid(part: string, value: string, why: string): { ok: false; reason: string } {
  return { ok: false, reason: `Invalid ${part} ${show(value)}: ${why}` };
}

/** Checks a GitHub user or organisation name; returns the reason to refuse, or null. */
export function ownerProblem(owner: string): string | null {
  if (owner.length === 0) return "must not be empty";
  if (owner.length > MAX_OWNER_LENGTH) return `must be at most ${MAX_OWNER_LENGTH} characters`;
  if (!OWNER_RE.test(owner)) {
    return "use letters, digits and single hyphens only, not starting or ending with a hyphen";
  }
  return null;
}

/** Checks a repository name; returns the reason to refuse, or null. */
export function repoProblem(repo: string): string | null {
  if (repo.length === 0) return "must not be empty";
  if (repo.length > MAX_REPO_LENGTH) return `must be at most ${MAX_REPO_LENGTH} characters`;
  if (repo === "." || repo === "..") return 'must not be "." or ".."';
  if (!REPO_RE.test(repo)) return 'use letters, digits, ".", "_" and "-" only';
  return null;
}

/**
 * Checks a branch, tag or commit SHA by the essentials of git-check-ref-format,
 * plus "%" and "#" (never in practice, and confusing in URLs). Returns the reason, or null.
 *
 * @example refProblem("main") === null; refProblem("a..b") === "must not contain \"..\""
 */
export function refProblem(ref: string): string | null {
  if (ref.length === 0) return "must not be empty";
  if (ref.length > MAX_REF_LENGTH) return `must be at most ${MAX_REF_LENGTH} characters`;
  const ctl = ref.match(CONTROL_RE);
  if (ctl) {
    return `must not contain control or invisible characters (found ${describeChar(ctl[0])})`;
  }
  const bad = ref.match(/[ ~^:?*[\\#%]/);
  if (bad) return `must not contain ${describeChar(bad[0])}`;
  if (ref.includes("..")) return 'must not contain ".."';
  if (ref.includes("@{")) return 'must not contain "@{"';
  if (ref === "@") return 'must not be "@"';
  if (ref.startsWith("-")) return 'must not start with "-"';
  if (ref.startsWith("/") || ref.endsWith("/")) return 'must not start or end with "/"';
  if (ref.endsWith(".")) return 'must not end with "."';
  for (const segment of ref.split("/")) {
    if (segment === "") return 'must not contain empty segments ("//")';
    if (segment.startsWith(".")) return 'no "/"-separated segment may start with "."';
    if (segment.endsWith(".lock")) return 'no "/"-separated segment may end with ".lock"';
  }
  return null;
}

/**
 * Checks a file path inside a repository. Refused: empty, ".", ".." segments,
 * "?", "#", "@", "%", backslash, control or invisible characters. "@" is refused as
 * the issue asks: it is the userinfo marker of URLs, and refusing it keeps every
 * URL we build free of it (cost: paths such as "packages/@scope/x" cannot be fetched).
 * "%" is refused because paths are percent-encoded here; a pre-encoded path would
 * otherwise be encoded twice (and "%2e%2e" must never reach a server as "..").
 *
 * @example pathProblem("src/main.ts") === null; pathProblem("../etc/passwd") !== null
 */
export function pathProblem(path: string): string | null {
  if (path.length === 0) return "must not be empty";
  if (path.length > MAX_PATH_LENGTH) return `must be at most ${MAX_PATH_LENGTH} characters`;
  const ctl = path.match(CONTROL_RE);
  if (ctl) {
    return `must not contain control or invisible characters (found ${describeChar(ctl[0])})`;
  }
  if (path.includes("\\")) return 'must not contain a backslash: separate folders with "/"';
  const bad = path.match(/[?#@]/);
  if (bad) return `must not contain ${describeChar(bad[0])}`;
  if (path.includes("%")) {
    return 'must not contain "%": give the path unencoded, it is percent-encoded for you';
  }
  if (path.startsWith("/")) {
    return 'must be relative to the repository root: remove the leading "/"';
  }
  for (const segment of path.split("/")) {
    if (segment === "") return 'must not contain empty segments ("//" or a trailing "/")';
    if (segment === "." || segment === "..") return 'must not contain "." or ".." segments';
    if (segment.length > MAX_PATH_SEGMENT_LENGTH) {
      return `each segment must be at most ${MAX_PATH_SEGMENT_LENGTH} characters`;
    }
  }
  return null;
}

/** Percent-encodes each "/"-separated segment; the separators stay. */
function encodeSegments(value: string): string {
  return value.split("/").map(encodeURIComponent).join("/");
}

/**
 * Validates the parts and builds `{base}/{owner}/{repo}/{ref}/{path}`, each ref and
 * path segment percent-encoded. The result is re-parsed to prove it stayed on the base.
 *
 * @example
 * buildRawUrl({ owner: "denoland", repo: "deno", ref: "main", path: "README.md" })
 * // { ok: true, value: { url: "https://raw.githubusercontent.com/denoland/deno/main/README.md",
 * //   key: "denoland/deno@main:README.md" } }
 * buildRawUrl({ owner: "a", repo: "b", ref: "main", path: "../x" })
 * // { ok: false, reason: "Invalid path \"../x\": must not contain \".\" or \"..\" segments" }
 */
export function buildRawUrl(parts: RawFileParts, base: string = DEFAULT_RAW_BASE): RawUrlResult {
  const { owner, repo, ref, path } = parts;
  for (
    const [name, value] of [["owner", owner], ["repo", repo], ["ref", ref], ["path", path]] as const
  ) {
    if (typeof value !== "string") {
      return { ok: false, reason: `Invalid ${name}: must be a string` };
    }
  }
  let problem = ownerProblem(owner);
  if (problem) return invalid("owner", owner, problem);
  problem = repoProblem(repo);
  if (problem) return invalid("repo", repo, problem);
  problem = refProblem(ref);
  if (problem) return invalid("ref", ref, problem);
  problem = pathProblem(path);
  if (problem) return invalid("path", path, problem);

  const baseUrl = new URL(base);
  const pathname = `/${owner}/${repo}/${encodeSegments(ref)}/${encodeSegments(path)}`;
  const url = `${baseUrl.origin}${pathname}`;
  // Defence in depth: the URL parser must agree that we stayed on the base and kept every segment.
  const parsed = new URL(url);
  if (
    parsed.origin !== baseUrl.origin || parsed.pathname !== pathname || parsed.search || parsed.hash
  ) {
    return invalid("path", path, "does not form a plain URL path");
  }
  return ok({ url, key: `${owner}/${repo}@${ref}:${path}` });
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * Parses the test-only replacement for the raw base: http or https, a loopback host
 * with an explicit port, nothing else. The net permission names exactly that host:port.
 *
 * @example
 * parseRawBaseOverride("http://127.0.0.1:8123")
 * // { ok: true, value: { base: "http://127.0.0.1:8123", netPermission: "127.0.0.1:8123" } }
 * parseRawBaseOverride("http://evil.example:80") // { ok: false, reason: "... loopback ..." }
 */
export function parseRawBaseOverride(value: string): RawBaseOverride {
  const fail = (why: string): RawBaseOverride => ({ ok: false, reason: `${show(value)} ${why}` });
  if (CONTROL_RE.test(value) || /\s/.test(value)) {
    return fail("must not contain spaces or control characters");
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail("is not a URL: expected http://127.0.0.1:PORT");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return fail("must use http or https");
  if (url.username !== "" || url.password !== "" || value.includes("@")) {
    return fail("must not contain credentials");
  }
  if (!LOOPBACK_HOSTS.has(url.hostname)) {
    return fail("must be on a loopback host (127.0.0.1, localhost or [::1])");
  }
  if (url.search !== "" || url.hash !== "" || value.includes("?") || value.includes("#")) {
    return fail("must not have a query or fragment");
  }
  if (url.pathname !== "/") return fail("must not have a path: expected http://127.0.0.1:PORT");
  let port = url.port;
  if (port === "") {
    // The URL parser drops a default port; accept it only when it was written out.
    const written = value.match(/^[a-z]+:\/\/(?:\[[^\]]*\]|[^/:]*):(\d+)\/?$/i);
    if (!written) return fail("must name a port explicitly, for example http://127.0.0.1:8080");
    port = String(Number(written[1]));
  }
  if (port === "0") return fail("must not use port 0");
  return ok({
    base: `${url.protocol}//${url.hostname}:${port}`,
    netPermission: `${url.hostname}:${port}`,
  });
}

function effectivePort(url: URL): string {
  if (url.port !== "") return url.port;
  return url.protocol === "https:" ? "443" : url.protocol === "http:" ? "80" : "";
}

/**
 * Decides whether a redirect may be followed: the Location, resolved against the
 * current URL, must keep the base's scheme, host and port exactly, and carry no credentials.
 *
 * @example
 * checkRedirect("https://raw.githubusercontent.com/a/b/main/x", "https://evil.example/x",
 *   "https://raw.githubusercontent.com")
 * // { ok: false, reason: "redirect to evil.example leaves raw.githubusercontent.com", host: "evil.example" }
 */
export function checkRedirect(currentUrl: string, location: string, base: string): RedirectCheck {
  const baseUrl = new URL(base);
  let target: URL;
  try {
    target = new URL(location, currentUrl);
  } catch {
    return {
      ok: false,
      reason: `redirect to an invalid URL ${show(location)}`,
      host: "an invalid URL",
    };
  }
  const sameScheme = target.protocol === baseUrl.protocol;
  const host = sameScheme ? target.host : `${target.protocol}//${target.host}`;
  if (
    !sameScheme || target.hostname !== baseUrl.hostname ||
    effectivePort(target) !== effectivePort(baseUrl)
  ) {
    return { ok: false, reason: `redirect to ${host} leaves ${baseUrl.host}`, host };
  }
  if (target.username !== "" || target.password !== "") {
    return { ok: false, reason: `redirect to ${host} carries credentials`, host };
  }
  target.hash = "";
  return ok(target.href);
}
