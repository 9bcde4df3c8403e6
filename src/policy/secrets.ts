/**
 * Which files hold credentials. read_file, the file resource, completion, search and the
 * project linters refuse them by default, so a key in `.env` never reaches the model (or its
 * provider). The refusal names the rule; the operator (not the reviewed project) can allow
 * credential files with --allow-secret-files. The `.git` folder's internals are refused
 * whatever the flag: git data is read through the git tools only.
 *
 * Names are judged as the OS will open them (paths.ts `nameAsOpened`): on Windows `.env.`,
 * `.env ` and `.env::$DATA` open `.env`, and `GIT~1` opens `.git`; and always without regard
 * to case (`.ENV`, `ID_RSA`), since macOS and Windows file systems ignore it.
 */
import { HOST_PLATFORM, isGitFolderName, nameAsOpened, type PathPlatform } from "./paths.ts";

/** Rule names, as the refusal shows them. */
export type SecretFileRuleName =
  | "git-internals"
  | "dotenv"
  | "private-key"
  | "package-registry-credentials"
  | "netrc"
  | "git-credentials"
  | "cloud-credentials";

export interface SecretFileOptions {
  /** The operator's --allow-secret-files: credential files are readable (not .git internals). */
  allowSecretFiles?: boolean;
  /** The path rules the names are opened under; the running OS by default. */
  platform?: PathPlatform;
}

/** `.env.example` and friends: templates without values, meant to be read. */
const DOTENV_TEMPLATE = /^\.env\.(example|sample|template|dist|defaults|schema|tpl|default)$/i;
const DOTENV = /^\.env(\..+)?$|^\.envrc$/i;
/** Private keys and key stores; `*.pub` public keys are not secrets. */
const PRIVATE_KEY_EXT = /\.(pem|key|p12|pfx|keystore|jks|ppk|p8)$/i;
const SSH_KEY = /^id_(rsa|dsa|ecdsa|ed25519)(_sk)?(?!.*\.pub$)/i;
const REGISTRY = new Set([
  ".npmrc",
  ".pypirc",
  ".gem/credentials",
  ".cargo/credentials",
  ".cargo/credentials.toml",
]);
const NETRC = new Set([".netrc", "_netrc"]);
/** Cloud and container credential files, by their last one or two path components. */
const CLOUD = new Set([
  ".aws/credentials",
  ".azure/accesstokens.json",
  ".azure/msal_token_cache.json",
  "gcloud/credentials.db",
  "gcloud/access_tokens.db",
  "gcloud/application_default_credentials.json",
  ".docker/config.json",
  ".kube/config",
]);

/**
 * The rule that refuses `relPath` (relative to the project root, "/" or "\\" separated) as a
 * credential file, or undefined when it may be read.
 *
 * @example secretFileRule(".env") === "dotenv"; secretFileRule(".env.example") === undefined
 * @example secretFileRule("deploy/id_ed25519") === "private-key"; secretFileRule(".git/config") === "git-internals"
 * @example secretFileRule(".env", { allowSecretFiles: true }) === undefined
 */
export function secretFileRule(
  relPath: string,
  options: SecretFileOptions = {},
): SecretFileRuleName | undefined {
  const platform = options.platform ?? HOST_PLATFORM;
  const parts = relPath.split(/[\\/]+/).filter((p) => p !== "" && p !== ".")
    .map((p) => nameAsOpened(p, platform));
  if (parts.some((p) => isGitFolderName(p, platform))) return "git-internals";
  if (options.allowSecretFiles === true || parts.length === 0) return undefined;
  const base = parts[parts.length - 1]!;
  const lower = base.toLowerCase();
  const lastTwo = parts.slice(-2).join("/").toLowerCase();
  if (DOTENV.test(base) && !DOTENV_TEMPLATE.test(base)) return "dotenv";
  if (PRIVATE_KEY_EXT.test(base) || SSH_KEY.test(base)) return "private-key";
  if (REGISTRY.has(lower) || REGISTRY.has(lastTwo)) return "package-registry-credentials";
  if (NETRC.has(lower)) return "netrc";
  if (lower === ".git-credentials") return "git-credentials";
  if (CLOUD.has(lastTwo)) return "cloud-credentials";
  return undefined;
}

/**
 * The reason a refusal gives, for "Cannot read \"x\": <reason>".
 *
 * @example secretFileReason("dotenv")
 * // "is a credential file (rule \"dotenv\"): the server does not send credentials to the model; its operator can allow such files with --allow-secret-files"
 */
export function secretFileReason(rule: SecretFileRuleName): string {
  if (rule === "git-internals") {
    return 'is inside the .git folder (rule "git-internals"): git data is read through the git tools only';
  }
  return `is a credential file (rule ${
    JSON.stringify(rule)
  }): the server does not send credentials to the model; ` +
    "its operator can allow such files with --allow-secret-files";
}

/**
 * For project-wide walks (search, lint, completion): true when the walk should skip `relPath`,
 * a file or a folder (a `.git` folder is skipped whole).
 */
export function skipInWalk(relPath: string, options: SecretFileOptions = {}): boolean {
  return secretFileRule(relPath, options) !== undefined;
}
