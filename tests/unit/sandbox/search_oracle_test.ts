/**
 * search_code is no oracle for redacted values: for every kind of secret the redactor knows, a
 * right guess and a wrong guess about the secret (prefixes, literal or regular, either case,
 * across lines, with context) get the same answer, whatever the search caches hold.
 */
import { assert, assertEquals } from "../../assert.ts";
import * as path from "node:path";
import {
  clearSearchCache,
  couldTouchMarker,
  searchCode,
  type SearchRequest,
} from "../../../src/sandbox/search.ts";
import { redactSecrets } from "../../../src/output/redact.ts";
import { seenText } from "../../../src/sandbox/file_cache.ts";

// Samples are assembled from pieces so that this file does not itself look like a leak.
const body = (n: number, alphabet = "aB3dE5gH7jK9mN1pQ2rS4tU6vW8xY0z") =>
  Array.from({ length: n }, (_, i) => alphabet[(i * 7) % alphabet.length]).join("");
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const KEY_BODY = `MIIEpAIBAAKCAQEA${body(48, B64)}`;
const PEM = [
  "-----BEGIN RSA ",
  `PRIVATE KEY-----\n${KEY_BODY}\n`,
  `${body(64, B64)}\n`.repeat(3),
  "-----END RSA ",
  "PRIVATE KEY-----",
].join("");

/** [kind, the line that holds it, the secret the line holds]: one fake of each kind redact.ts knows. */
const SECRETS: [string, string, string][] = [
  ["aws-access-key-id", `aws_key = "${"AKIA"}2E0A8F3B244C9986"`, `${"AKIA"}2E0A8F3B244C9986`],
  ["aws-secret-access-key", `aws_secret_access_key = "${body(40)}"`, body(40)],
  ["github-token", `GITHUB_TOKEN = "${"ghp_"}${body(36)}"`, `${"ghp_"}${body(36)}`],
  [
    "github-token (fine-grained)",
    `t = "${"github_pat_"}${body(82)}"`,
    `${"github_pat_"}${body(82)}`,
  ],
  ["gitlab-personal-access-token", `t = "${"glpat-"}${body(20)}"`, `${"glpat-"}${body(20)}`],
  [
    "slack-token",
    `s = "${"xoxb-"}123456789012-1234567890123-${body(24)}"`,
    `${"xoxb-"}123456789012-1234567890123-${body(24)}`,
  ],
  ["stripe-secret-key-live", `k = "${"sk_live_"}${body(32)}"`, `${"sk_live_"}${body(32)}`],
  [
    "openai-token",
    `k = "${"sk-proj-"}${body(74)}T3BlbkFJ${body(74)}"`,
    `${"sk-proj-"}${body(74)}T3BlbkFJ${body(74)}`,
  ],
  ["anthropic-api-key", `k = "${"sk-ant-api03-"}${body(93)}AA"`, `${"sk-ant-api03-"}${body(93)}AA`],
  ["google-api-key", `k = "${"AIza"}Sy${body(33)}"`, `${"AIza"}Sy${body(33)}`],
  ["basic-auth", `url = "https://deploy:${body(12)}@example.com/repo.git"`, body(12)],
  [
    "npm-access-token",
    `//registry.npmjs.org/:_authToken=${"npm_"}${body(36)}`,
    `${"npm_"}${body(36)}`,
  ],
  ["private-key", PEM, KEY_BODY],
  // The generic keyword-plus-entropy rules (src/policy/secret_rules.ts).
  ["password", `DB_PASSWORD = "hunter2-prod-Password!"`, "hunter2-prod-Password!"],
  ["generic-secret", `client_secret: "${body(24)}"`, body(24)],
];

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A character other than `c` of the same sort, so a wrong guess looks like a right one. */
function other(c: string): string {
  if (/[0-9]/.test(c)) return c === "7" ? "8" : "7";
  if (/[a-z]/.test(c)) return c === "q" ? "w" : "q";
  if (/[A-Z]/.test(c)) return c === "Q" ? "W" : "Q";
  return c === "x" ? "y" : "x";
}

/**
 * Probes that pair a right guess with a wrong one: [label, right, wrong, regex]. A prefix the
 * model can see anyway (`gith` is in the marker `[REDACTED github-token]`) is found rightly, so
 * guesses start where the secret is no longer visible text.
 */
function probes(secret: string, visible: string): [string, string, string, boolean][] {
  const out: [string, string, string, boolean][] = [];
  for (const k of [4, 6, 8, 12, Math.floor(secret.length / 2), secret.length - 1, secret.length]) {
    if (k < 2 || k > secret.length) continue;
    const right = secret.slice(0, k);
    const wrong = right.slice(0, -1) + other(right[k - 1]!);
    if (visible.includes(right.toLowerCase()) || visible.includes(wrong.toLowerCase())) continue;
    out.push([`prefix ${k}`, right, wrong, false]);
    out.push([`prefix ${k}, quoted`, `"${right}`, `"${wrong}`, false]);
    out.push([`regex prefix ${k}`, escapeRe(right), escapeRe(wrong), true]);
    // One character at a time with character classes: `ghp_[a-m]` against `ghp_[n-z]`.
    const c = secret[k - 1]!;
    const base = escapeRe(secret.slice(0, k - 1));
    out.push([
      `regex class ${k}`,
      `${base}[${escapeRe(c)}]`,
      `${base}[${escapeRe(other(c))}]`,
      true,
    ]);
    // Across lines: the line before and the secret's start in one pattern.
    out.push([
      `regex across lines ${k}`,
      `before the secret\\n[^\\n]*${escapeRe(right)}`,
      `before the secret\\n[^\\n]*${escapeRe(wrong)}`,
      true,
    ]);
  }
  return out;
}

async function withFiles(files: Record<string, string>, fn: (root: string) => Promise<void>) {
  const base = await Deno.realPath(await Deno.makeTempDir({ prefix: "crm-oracle-" }));
  const root = path.join(base, "p");
  try {
    for (const [rel, text] of Object.entries(files)) {
      await Deno.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
      await Deno.writeTextFile(path.join(root, rel), text);
    }
    await fn(root);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
}

function request(root: string, query: string, regex: boolean, caseSensitive: boolean) {
  return {
    root,
    query,
    regex,
    caseSensitive,
    path: ".",
    contextLines: 2,
    maxMatches: 1000,
    timeBudgetMs: 60_000,
    maxLineChars: 300,
  } satisfies SearchRequest;
}

/** What the model would learn from a search: everything but the time it took. */
async function answer(req: SearchRequest): Promise<string> {
  const r = await searchCode(req);
  assert(r.ok, r.ok ? "" : r.reason);
  const { durationMs: _, ...rest } = r.value;
  return JSON.stringify(rest);
}

Deno.test("searchCode(): for every secret kind, prefix and regex probes get the same answer for a right and a wrong guess, cold or warm, either case", async () => {
  const files: Record<string, string> = {};
  for (const [i, [, line]] of SECRETS.entries()) {
    files[`src/f${i}.py`] = `# module ${i}\nordinary text\nbefore the secret\n${line}\nafter\n`;
  }
  files["src/plain.py"] = "nothing to see\n";
  // What the model can see of all files, in lower case.
  const visible = Object.values(files).map((t) => seenText(t).text).join("\n").toLowerCase();
  await withFiles(files, async (root) => {
    for (const [kind, line, secret] of SECRETS) {
      // The fixture really is a secret the redactor knows, whole.
      const r = redactSecrets(line);
      assertEquals(r.redactions.length > 0, true, `${kind}: not redacted: ${line}`);
      const pairs = probes(secret, visible);
      assert(pairs.length >= 10, `${kind}: only ${pairs.length} probes`);
      for (const [label, right, wrong, regex] of pairs) {
        for (const caseSensitive of [true, false]) {
          const what = `${kind}, ${label}, ${caseSensitive ? "case-sensitive" : "ignoring case"}`;
          clearSearchCache();
          const rightCold = await answer(request(root, right, regex, caseSensitive));
          clearSearchCache();
          const wrongCold = await answer(request(root, wrong, regex, caseSensitive));
          // Warm: the right guess first filled the cache (or the wrong one did).
          const wrongWarm = await answer(request(root, wrong, regex, caseSensitive));
          const rightWarm = await answer(request(root, right, regex, caseSensitive));
          assertEquals(rightCold, wrongCold, `${what}: cold: ${right} vs ${wrong}`);
          assertEquals(rightWarm, wrongWarm, `${what}: warm`);
          assertEquals(rightCold, rightWarm, `${what}: cold vs warm`);
        }
      }
    }
  });
});

Deno.test("searchCode(): a private key's body is never matched, by literal or regex, and its lines show as markers in context", async () => {
  await withFiles({ "k.pem.txt": `intro line\n${PEM}\noutro line\n` }, async (root) => {
    clearSearchCache();
    for (
      const [q, regex] of [
        ["MIIEpAIBAAKCAQEA", false],
        ["MIIE", false],
        [body(20, B64), false],
        ["^[A-Za-z0-9+/]{40,}$", true],
        ["[A-Za-z0-9+/]{30}", true],
      ] as const
    ) {
      for (const cs of [true, false]) {
        const r = await searchCode(request(root, q, regex, cs));
        assert(r.ok);
        assertEquals(r.value.matches, [], `${q}`);
      }
    }
    const r = await searchCode(request(root, "intro line", false, false));
    assert(r.ok);
    assertEquals(r.value.matches[0]!.after, ["[REDACTED private-key]", "[REDACTED private-key]"]);
    assertEquals(r.value.matches[0]!.redactions, 1);
  });
});

Deno.test("searchCode(): the marker and the text around it can be found; the secret's inside cannot", async () => {
  const token = `${"ghp_"}${body(36)}`;
  await withFiles({ "a.py": `x = 1\nGITHUB_TOKEN = "${token}"\n` }, async (root) => {
    clearSearchCache();
    for (
      const [q, regex, n] of [
        ["[REDACTED github-token]", false, 1],
        ["github-token", false, 1],
        ['token]"', false, 1],
        ['GITHUB_TOKEN = "[REDACTED', false, 1],
        ['TOKEN = "\\[REDACTED [a-z-]+\\]"$', true, 1],
        [token, false, 0],
        [token.slice(4, 14), false, 0],
        ["ghp_[a-z]", true, 0],
      ] as const
    ) {
      const r = await searchCode(request(root, q, regex, false));
      assert(r.ok);
      assertEquals(r.value.matches.length, n, q);
      if (n > 0) assertEquals(r.value.matches[0]!.text, 'GITHUB_TOKEN = "[REDACTED github-token]"');
    }
  });
});

Deno.test("searchCode(): a long line is cut after redaction, so a window never starts inside a secret or drops its name", async () => {
  const token = `${"ghp_"}${body(36)}`;
  const long = `${"pad ".repeat(100)}GITHUB_TOKEN = "${token}" ${"tail ".repeat(100)}needle`;
  await withFiles({ "a.py": `${long}\n` }, async (root) => {
    clearSearchCache();
    const r = await searchCode(request(root, "needle", false, true));
    assert(r.ok);
    const text = r.value.matches[0]!.text;
    assert(!text.includes(token.slice(4, 12)), text);
    const marker = await searchCode(request(root, "[REDACTED github-token]", false, true));
    assert(marker.ok);
    assert(marker.value.matches[0]!.text.includes('GITHUB_TOKEN = "[REDACTED github-token]"'));
  });
});

Deno.test("couldTouchMarker(): brackets, line breaks and pieces of a marker may touch one; identifiers with other characters cannot", () => {
  for (
    const q of ["[", "x]", "token", "REDACTED", "ED github", "D github-tok", "a\nb", "github-token"]
  ) {
    assertEquals(couldTouchMarker(q, true), true, q);
  }
  for (const q of ["Token", "redacted", "ed Github", "TOKEN", "AKIA2E0A", "ſ", "\u212a"]) {
    assertEquals(couldTouchMarker(q, false), true, `${q}, ignoring case`);
  }
  for (
    const q of ["get_user_record", "InstallRequirement", "ghp_aB3", "foo.bar", 'k = "', "x(1)"]
  ) {
    assertEquals(couldTouchMarker(q, true), false, q);
  }
  for (const q of ["Token", "AKIA2E0A", "a b", "DACTED X"]) {
    assertEquals(couldTouchMarker(q, true), false, `${q}, case-sensitive`);
  }
  for (const q of ["get_user", "foo.bar", "x(1)", "a b"]) {
    assertEquals(couldTouchMarker(q, false), false, `${q}, ignoring case`);
  }
});

Deno.test("couldTouchMarker(): every piece of every secret kind's redacted line that its own text lacks is said to touch a marker", () => {
  const kinds = new Set<string>();
  for (const [kind, line] of SECRETS) {
    const raw = `before ${line} after`;
    const seen = seenText(raw).text;
    for (const r of redactSecrets(raw).redactions) kinds.add(r.kind);
    for (let len = 1; len <= 24; len++) {
      for (let i = 0; i + len <= seen.length; i++) {
        const q = seen.slice(i, i + len);
        if (!raw.includes(q)) assert(couldTouchMarker(q, true), `${kind}: ${JSON.stringify(q)}`);
        if (!raw.toLowerCase().includes(q.toLowerCase())) {
          assert(couldTouchMarker(q, false), `${kind}, ignoring case: ${JSON.stringify(q)}`);
        }
      }
    }
  }
  // The rule rests on kinds being kebab case.
  for (const k of kinds) assert(/^[a-z0-9-]+$/.test(k), k);
  assert(kinds.size >= 10, [...kinds].join(", "));
});
