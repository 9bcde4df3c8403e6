import { assert, assertEquals } from "../../assert.ts";
import { keyBlockOpenAfter, redactSecrets } from "../../../src/output/redact.ts";

// Samples are assembled from pieces so that this file does not itself look like a leak.
const body = (n: number, alphabet = "aB3dE5gH7jK9mN1pQ2rS4tU6vW8xY0z") =>
  Array.from({ length: n }, (_, i) => alphabet[(i * 7) % alphabet.length]).join("");
const PEM = [
  "-----BEGIN RSA ",
  "PRIVATE KEY-----\nMIIEpAIBAAKCAQEA",
  `${body(64, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}\n`.repeat(3),
  "-----END RSA ",
  "PRIVATE KEY-----",
].join("");

Deno.test("redactSecrets() replaces one real-looking sample of each credential kind by its marker", () => {
  const table: [string, string, string][] = [
    ["aws access key id", `aws_key = "${"AKIA"}2E0A8F3B244C9986"`, "aws-access-key-id"],
    ["aws secret key", `aws_secret_access_key = "${body(40)}"`, "aws-secret-access-key"],
    ["github classic token", `token = "${"ghp_"}${body(36)}"`, "github-token"],
    ["github fine-grained token", `t = "${"github_pat_"}${body(82)}"`, "github-token"],
    ["gitlab token", `t = "${"glpat-"}${body(20)}"`, "gitlab-personal-access-token"],
    ["slack token", `s = "${"xoxb-"}123456789012-1234567890123-${body(24)}"`, "slack-token"],
    ["stripe live key", `k = "${"sk_live_"}${body(32)}"`, "stripe-secret-key-live"],
    ["openai key", `k = "${"sk-proj-"}${body(74)}T3BlbkFJ${body(74)}"`, "openai-token"],
    ["anthropic key", `k = "${"sk-ant-api03-"}${body(93)}AA"`, "anthropic-api-key"],
    ["google api key", `k = "${"AIza"}Sy${body(33)}"`, "google-api-key"],
    ["password in a URL", `url = "https://deploy:${body(12)}@example.com/repo.git"`, "basic-auth"],
    ["npm token", `//registry.npmjs.org/:_authToken=${"npm_"}${body(36)}`, "npm-access-token"],
    ["private key block", PEM, "private-key"],
  ];
  for (const [name, text, kind] of table) {
    const r = redactSecrets(`line one\n${text}\nline three\n`);
    assertEquals(
      r.redactions.map((x) => x.kind),
      [kind],
      `${name}: ${JSON.stringify(r.redactions)}`,
    );
    assertEquals(r.redactions[0]!.line, 2, name);
    assert(r.text.includes(`[REDACTED ${kind}]`), `${name}: ${r.text}`);
    assert(!r.text.includes(body(12)), `${name}: the value survived: ${r.text}`);
    assertEquals(
      r.text.split("\n").length,
      `line one\n${text}\nline three\n`.split("\n").length,
      `${name}: lines moved`,
    );
  }
});

Deno.test("redactSecrets() leaves look-alikes alone", () => {
  const table = [
    'x = "AKIAIOSFODNN7EXAMPLE"', // AWS's documented example id
    "sha = 4b825dc642cb6eb9a060e54bf8d69288fbee4904", // a git object id
    "uuid = 123e4567-e89b-12d3-a456-426614174000",
    "url = https://example.com/path?query=value",
    "url = https://user@example.com/", // a user without a password
    "const ghp = 'ghp_short'",
    "sk_live_ is the prefix of a Stripe key",
    "-----BEGIN PUBLIC KEY-----",
    "password = os.environ['DB_PASSWORD']",
    "b64 = 'SGVsbG8gd29ybGQsIHRoaXMgaXMgbm90IGEga2V5Lg=='",
  ];
  for (const text of table) {
    const r = redactSecrets(text);
    assertEquals(r, { text, redactions: [] }, text);
  }
});

Deno.test("redactSecrets() numbers lines from firstLine and keeps a multi-line key's lines", () => {
  const text = `a\n${PEM}\nk = "${"ghp_"}${body(36)}"\n`;
  const r = redactSecrets(text, 100);
  assertEquals(r.redactions, [{ kind: "private-key", line: 101 }, {
    kind: "github-token",
    line: 106,
  }]);
  assertEquals(r.text.split("\n").length, text.split("\n").length);
  assertEquals(r.text.split("\n")[6], 'k = "[REDACTED github-token]"');
});

Deno.test("redactSecrets() cannot be switched off by a secretlint-disable comment in the text", () => {
  const text = `// secretlint-disable\nk = "${"ghp_"}${body(36)}"\n// secretlint-enable\n`;
  assertEquals(redactSecrets(text).redactions.length, 1);
});

Deno.test("redactSecrets(): a page holding only part of a private key block (read_file from a start_line inside it, up to an end_line inside it) still redacts the key material", () => {
  const lines = PEM.split("\n");
  const keyLine = lines[2]!;
  // Hostile pages: [name, first line of the page (1-based in PEM), text of the page].
  const table: [string, number, string][] = [
    ["from the line after BEGIN to the end", 2, lines.slice(1).join("\n") + "\nx = 1\n"],
    ["from the start to a line before END", 1, "x = 1\n" + lines.slice(0, 4).join("\n") + "\n"],
    ["END only, with lines before it", 3, lines.slice(2).join("\n")],
  ];
  for (const [name, first, text] of table) {
    const r = redactSecrets(text, first);
    assert(!r.text.includes(keyLine.slice(0, 20)), `${name}: the key survived: ${r.text}`);
    assertEquals(r.redactions.map((x) => x.kind), ["private-key"], name);
    assertEquals(r.text.split("\n").length, text.split("\n").length, `${name}: lines moved`);
  }
  // A page that holds neither marker is not recognisable by itself (the reader must keep the context).
  assertEquals(redactSecrets("x = 1\ny = 2\n").redactions, []);
});

Deno.test("redactSecrets() with startsInKeyBlock redacts a page that lies inside a key (no marker in it) and stops at the key's END", () => {
  const lines = PEM.split("\n");
  const inner = lines.slice(1, 3).join("\n") + "\n";
  const r = redactSecrets(inner, 5, { startsInKeyBlock: true });
  assert(
    !r.text.includes(lines[1]!.slice(0, 20)) && !r.text.includes(lines[2]!.slice(0, 20)),
    r.text,
  );
  assertEquals(r.redactions, [{ kind: "private-key", line: 5 }]);
  assertEquals(r.text.split("\n").length, inner.split("\n").length, "lines kept");
  const tail = lines.slice(2).join("\n") + "\nafter = 1\n";
  const t = redactSecrets(tail, 1, { startsInKeyBlock: true });
  assert(t.text.endsWith("\nafter = 1\n") && !t.text.includes(lines[2]!.slice(0, 20)), t.text);
  assertEquals(redactSecrets("x = 1\n", 1, { startsInKeyBlock: false }).redactions, []);
});

Deno.test("keyBlockOpenAfter() follows BEGIN and END markers in order", () => {
  const table: [string, boolean, boolean][] = [
    ["", false, false],
    ["", true, true],
    ["x\n" + PEM.split("\n").slice(0, 2).join("\n"), false, true],
    [PEM + "\n", false, false],
    [PEM.split("\n").slice(-1)[0]!, true, false],
    ["no markers here", true, true],
  ];
  for (const [text, before, after] of table) {
    assertEquals(keyBlockOpenAfter(text, before), after, JSON.stringify(text.slice(0, 40)));
  }
});

Deno.test("redactSecrets() keeps the quotes around a secret whose rule matches up to the closing quote", () => {
  const url = ["postgres://admin:", "hunter2secret", "@db.internal:5432/app"].join("");
  for (const q of ['"', "'", "`"]) {
    const r = redactSecrets(`pw = ${q}${url}${q}\nnext = 1\n`);
    assertEquals(r.redactions.length, 1, q);
    assert(!r.text.includes("hunter2secret"), r.text);
    assert(new RegExp(`^pw = ${q}\\[REDACTED [a-z-]+\\]${q}\\n`).test(r.text), r.text);
  }
});
