/**
 * Generic secrets: a credential-named key assigned a literal value (`DB_PASSWORD = "..."`,
 * `api_key: ...`, `"client_secret": "..."`, `<password>...</password>`) and a password inside a
 * URL (`scheme://user:pass@host`). No maintained npm rule set covers this class (secretlint's
 * recommended preset only knows token formats), so the rule is ours, kept as data in the spirit
 * of gitleaks' generic-api-key (keyword near an assignment, plus an entropy threshold) and
 * detect-secrets' keyword detector (assignment shapes per syntax, placeholder filters).
 */

/** The rule's data: change detection here, not in the code below. */
export const GENERIC_SECRET_RULES = {
  /** Key-name parts (lower case, split at `_ - .` and camelCase) that make a password key. */
  passwordWords: ["password", "passwd", "pwd", "pw", "pass", "passphrase", "passcode"],
  /** A key part ending in one of these is a password key too: `dbpassword`, `pgpassword`. */
  passwordEndings: ["password", "passwd", "passphrase"],
  /** Key-name parts that make a secret key. */
  secretWords: [
    "secret",
    "secrets",
    "token",
    "credential",
    "credentials",
    "creds",
    "apikey",
    "auth",
    "authorization",
  ],
  /** A key part ending in one of these is a secret key too: `clientsecret`, `accesstoken`, `apikey`. */
  secretEndings: ["secret", "token", "apikey", "accesskey", "secretkey", "privatekey", "authkey"],
  /** Two adjacent key parts that make a secret key: `api_key`, `AccessKey`, `private-key`. */
  secretPairs: [
    ["api", "key"],
    ["access", "key"],
    ["secret", "key"],
    ["private", "key"],
    ["signing", "key"],
    ["encryption", "key"],
    ["master", "key"],
    ["auth", "key"],
    ["session", "key"],
    ["license", "key"],
    ["client", "key"],
  ] as [string, string][],
  /**
   * Key parts allowed after the keyword: `password_prod` is a password, `password_length`,
   * `token_type`, `secret_name`, `auth_url` are not.
   */
  allowedAfter: [
    "value",
    "str",
    "string",
    "b64",
    "base64",
    "hex",
    "raw",
    "plain",
    "plaintext",
    "base",
    "prod",
    "production",
    "dev",
    "staging",
    "live",
    "test",
    "local",
  ],
  /** Per key class: shortest value, and the Shannon entropy (bits per character) it needs. */
  password: { minLength: 6, minEntropy: 2.3 },
  secret: { minLength: 8, minEntropy: 3.0 },
  /** A value without digits or symbols passes only when it is this long and this random. */
  lettersOnly: { minLength: 16, minEntropy: 3.5 },
  /** Values (lower case) that contain one of these are placeholders, not secrets. */
  placeholderParts: [
    "changeme",
    "change_me",
    "change-me",
    "changeit",
    "example",
    "placeholder",
    "dummy",
    "fake",
    "sample",
    "redacted",
    "xxx",
    "***",
    "...",
    "your_",
    "your-",
    "yourpass",
    "yoursecret",
    "yourtoken",
    "replace",
    "insert",
    "todo",
    "fixme",
    "foobar",
    "test",
    "mock",
    "notasecret",
    "not-a-secret",
    "not_a_secret",
    "secret_here",
    "here",
  ],
  /**
   * A value whose letters alone (digits and symbols dropped, lower case) are one of these is a
   * cliché, as fixtures write them: `password123`, `Secret!`, `admin1`.
   */
  clicheLetters: [
    "",
    "password",
    "passwd",
    "pass",
    "pw",
    "pwd",
    "secret",
    "token",
    "key",
    "apikey",
    "admin",
    "root",
    "user",
    "guest",
    "qwerty",
    "letmein",
    "abc",
    "abcdef",
    "abcd",
    "test",
    "default",
    "none",
    "null",
    "nil",
    "true",
    "false",
    "undefined",
    "empty",
    "hidden",
    "foo",
    "bar",
    "baz",
    "pa",
    "p",
  ],
  /** Template and reference syntax: the value is filled in elsewhere (`${DB_PASS}`, `{{ pw }}`, `%(pw)s`, `<password>`). */
  templates: [
    /\$\{|\$\(|\{\{|\}\}|%\(|%[sd]\b|\{\d*\}|<[^>]*>|^\$\w|^%\w+%$|^ENC\[|^vault:|^env:|^secret:|^ref\+|^arn:/i,
  ],
  /** Prefixes of an Authorization header's value, kept visible before the credential. */
  authSchemes: ["Bearer", "Basic", "Token", "Bot", "Digest", "token"],
} as const;

export type GenericKind = "password" | "generic-secret" | "password-in-url";

export interface GenericSecret {
  /** Offsets of the value (the secret only; the key name and the quotes stay). */
  start: number;
  end: number;
  kind: GenericKind;
}

const R = GENERIC_SECRET_RULES;
const PASSWORD_WORDS = new Set<string>(R.passwordWords);
const SECRET_WORDS = new Set<string>(R.secretWords);
const ALLOWED_AFTER = new Set<string>(R.allowedAfter);
const CLICHES = new Set<string>(R.clicheLetters);

/** Text without any of these cannot hold a generic secret: a cheap test before the line scan. */
const HINT = /pass|pwd|pw\b|secret|token|key|auth|cred|:\/\//i;

/**
 * `KEY <op> value` on one line: an optionally quoted key (JSON, Python dicts, PHP arrays,
 * `os.environ["X"]`), an assignment operator of any of the covered syntaxes, then a quoted
 * value (with an optional Python string prefix) or a bare one (env, ini, YAML, shell, TOML).
 * Groups: 1 the key's quote, 2 the key, 3 the value's quote, 4 the quoted value, 5 the bare value.
 */
const ASSIGNMENT =
  /(?<![\w$.])(["']?)(-{0,2}[A-Za-z_$][\w$.-]{0,79})\1\]?[ \t]*(?:=>|:=|===?|!==?|\?=|\+=|[:=])[ \t]*(?:[bBrRuU]{0,2}(["'`])((?:\\.|(?!\3)[^\\\n]){0,500})\3|([^\s"'`,;()\[\]{}<>]{1,500}))/g;
/** After a typed key (`password: str`, `token: Optional[str]`): the rest of the annotation, `=`, a quoted literal. */
const TYPED_VALUE =
  /^[\w.[\], |?]{0,60}?[ \w\]]=[ \t]*[bBrRuU]{0,2}(["'`])((?:\\.|(?!\1)[^\\\n]){0,500})\1/;
/** `<password>value</password>` (XML, .NET and Maven settings). */
const XML_ELEMENT = /<([\w.:-]{1,80})>([^<\s]{1,500})<\/\1>/g;
/** `scheme://user:password@host` (the user may be empty: `redis://:pw@host`). */
const URL_CREDENTIALS =
  /\b[a-zA-Z][a-zA-Z0-9+.-]{1,30}:\/\/([^\s:@/'"`]{0,200}):([^\s@/'"`]{1,200})@[\w[]/g;

/** "DB_PASSWORD" -> ["db", "password"]; "clientSecret" -> ["client", "secret"]; "APIKey" -> ["api", "key"]. */
export function keyParts(key: string): string[] {
  return key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/([A-Z])([A-Z][a-z])/g, "$1 $2")
    .toLowerCase().split(/[^a-z0-9]+/).filter((p) => p !== "");
}

/** Which kind of secret a key names, if any: its keyword must be its last part but for allowed qualifiers. */
export function keyKind(key: string): "password" | "generic-secret" | undefined {
  const parts = keyParts(key);
  let end = parts.length;
  while (end > 0 && (ALLOWED_AFTER.has(parts[end - 1]!) || /^\d+$/.test(parts[end - 1]!))) end--;
  // At least the keyword itself must remain; `value` alone is not a key name.
  if (end === 0) return undefined;
  const last = parts[end - 1]!;
  const before = end >= 2 ? parts[end - 2]! : "";
  if (PASSWORD_WORDS.has(last) || R.passwordEndings.some((w) => last.endsWith(w))) {
    return "password";
  }
  if (SECRET_WORDS.has(last) || R.secretEndings.some((w) => last.endsWith(w))) {
    return "generic-secret";
  }
  if (R.secretPairs.some(([a, b]) => a === before && b === last)) return "generic-secret";
  return undefined;
}

/** Shannon entropy of `s` in bits per character. */
export function shannonEntropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  const n = [...s].length;
  for (const k of counts.values()) {
    const p = k / n;
    h -= p * Math.log2(p);
  }
  return h;
}

/** Why a value is not a secret (a placeholder, a reference, code), or undefined when it may be one. */
export function notASecret(value: string, bare: boolean): string | undefined {
  const lower = value.toLowerCase();
  if (/\s/.test(value)) return "prose";
  if (R.templates.some((t) => t.test(value))) return "template";
  if (value.includes("://")) return "url";
  if (/^(\/|\.\.?\/|~\/|file:)/.test(value) || /^[\w.-]+(\/[\w.-]+)+\.\w{1,5}$/.test(value)) {
    return "path";
  }
  if (R.placeholderParts.some((p) => lower.includes(p))) return "placeholder";
  if (CLICHES.has(lower.replace(/[^a-z]/g, ""))) return "placeholder";
  if (/^(.)\1*$/.test(value)) return "repeated";
  if (/^[\d.,:+-]+$/.test(value)) return "number";
  if (/^[A-Z][A-Z0-9_]*$/.test(value) && value.includes("_")) return "variable name";
  // Words joined by separators, identifiers and dotted references: names, not secrets.
  if (/^[A-Za-z]+([-_. ][A-Za-z]+)*$/.test(value)) {
    const { minLength, minEntropy } = R.lettersOnly;
    if (value.length < minLength || shannonEntropy(value) < minEntropy || /[-_.]/.test(value)) {
      return "words";
    }
  }
  if (bare) {
    if (/^[@&*!%$]/.test(value)) return "reference";
    if (/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$/.test(value)) return "reference";
    if (/^[a-z_][a-z0-9]*(_[a-z0-9]+)+$/.test(value)) return "identifier";
    if (/^(true|false|none|null|nil|yes|no|on|off)$/i.test(value)) return "literal";
  }
  return undefined;
}

/** Whether `value` is random enough for a key of `kind`. */
function strongEnough(value: string, kind: "password" | "generic-secret"): boolean {
  const t = kind === "password" ? R.password : R.secret;
  if (value.length < t.minLength) return false;
  return shannonEntropy(value) >= t.minEntropy;
}

/** The value part of an Authorization header: "Bearer abc" -> offset of "abc". */
function afterAuthScheme(value: string): number {
  for (const s of R.authSchemes) {
    if (value.startsWith(s + " ")) return s.length + 1;
  }
  return 0;
}

function checkValue(
  value: string,
  at: number,
  kind: "password" | "generic-secret",
  bare: boolean,
  out: GenericSecret[],
): void {
  const skip = afterAuthScheme(value);
  const v = value.slice(skip);
  if (notASecret(v, bare) !== undefined || !strongEnough(v, kind)) return;
  out.push({ start: at + skip, end: at + value.length, kind });
}

/**
 * Generic secrets in `text`, as the offsets of their values, in order of the lines they sit on.
 *
 * @example findGenericSecrets('DB_PASSWORD = "hunter2-prod-Password!"')
 * // [{ start: 15, end: 37, kind: "password" }]
 * @example findGenericSecrets('password = "changeme"') // []
 */
export function findGenericSecrets(text: string): GenericSecret[] {
  const out: GenericSecret[] = [];
  if (!HINT.test(text)) return out;
  let lineStart = 0;
  while (lineStart <= text.length) {
    let lineEnd = text.indexOf("\n", lineStart);
    if (lineEnd === -1) lineEnd = text.length;
    const line = text.slice(lineStart, lineEnd);
    if (HINT.test(line)) scanLine(line, lineStart, out);
    lineStart = lineEnd + 1;
  }
  return out;
}

function scanLine(line: string, offset: number, out: GenericSecret[]): void {
  ASSIGNMENT.lastIndex = 0;
  for (let m = ASSIGNMENT.exec(line); m !== null; m = ASSIGNMENT.exec(line)) {
    const kind = keyKind(m[2]!);
    const quoted = m[4];
    const bare = m[5];
    if (kind === undefined) {
      // Not a credential key: go on from the value, which may itself hold `key = value`.
      if (quoted === undefined && bare === undefined) continue;
      ASSIGNMENT.lastIndex = m.index + m[0].length - (quoted ?? bare ?? "").length -
        (quoted ? 1 : 0);
      continue;
    }
    const end = m.index + m[0].length;
    if (quoted !== undefined) {
      checkValue(quoted, offset + end - 1 - quoted.length, kind, false, out);
      continue;
    }
    // A typed declaration (`password: str = "..."`, `token: string = '...'`): the literal after `=`.
    const typed = TYPED_VALUE.exec(line.slice(m.index + m[0].length - (bare ?? "").length));
    if (typed !== null) {
      const at = m.index + m[0].length - (bare ?? "").length + typed[0].length - 1 -
        typed[2]!.length;
      checkValue(typed[2]!, offset + at, kind, false, out);
      ASSIGNMENT.lastIndex = m.index + m[0].length - (bare ?? "").length + typed[0].length;
      continue;
    }
    if (bare === undefined) continue;
    // `Authorization: Bearer <token>` unquoted: the credential is the word after the scheme.
    if ((R.authSchemes as readonly string[]).includes(bare)) {
      const cred = /^ ([^\s"'`,;]{1,500})/.exec(line.slice(end));
      if (cred !== null) checkValue(cred[1]!, offset + end + 1, kind, true, out);
      continue;
    }
    // A bare value followed by a call, an index or a member access is code.
    const next = line[end];
    if (next === "(" || next === "[" || next === "{") continue;
    checkValue(bare, offset + end - bare.length, kind, true, out);
  }
  XML_ELEMENT.lastIndex = 0;
  for (let m = XML_ELEMENT.exec(line); m !== null; m = XML_ELEMENT.exec(line)) {
    const kind = keyKind(m[1]!.replace(/^.*:/, ""));
    if (kind === undefined) continue;
    checkValue(m[2]!, offset + m.index + m[1]!.length + 2, kind, false, out);
  }
  if (!line.includes("://")) return;
  URL_CREDENTIALS.lastIndex = 0;
  for (let m = URL_CREDENTIALS.exec(line); m !== null; m = URL_CREDENTIALS.exec(line)) {
    const pw = m[2]!;
    const at = offset + m.index + m[0].length - 2 - pw.length;
    const found: GenericSecret[] = [];
    checkValue(pw, at, "password", false, found);
    for (const f of found) out.push({ ...f, kind: "password-in-url" });
  }
}
