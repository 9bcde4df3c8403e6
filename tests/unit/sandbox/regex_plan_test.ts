import { assertEquals } from "../../assert.ts";
import { RE2JS } from "re2js";
import { type Finder, plannedFinder, planRegex } from "../../../src/sandbox/regex_plan.ts";
import { clearSearchCache, compileQuery, searchCode } from "../../../src/sandbox/search.ts";

function fullFinder(pattern: string, caseSensitive: boolean): Finder {
  const re = RE2JS.compile(pattern, RE2JS.MULTILINE | (caseSensitive ? 0 : RE2JS.CASE_INSENSITIVE));
  return function* (text) {
    const m = re.matcher(text);
    let from = 0;
    while (from <= text.length && m.find(from)) {
      const s = m.start(), e = m.end();
      yield [s, e];
      from = e > s ? e : e + 1;
    }
  };
}

Deno.test("a plan names the literal every match holds, and whether a match stays on one line", () => {
  assertEquals(planRegex("Regex::new\\("), { literal: "Regex::new(", singleLine: true });
  assertEquals(planRegex("fn \\w+\\("), { literal: "fn ", singleLine: true });
  assertEquals(planRegex("def\\s+main"), { literal: "main", singleLine: false });
  assertEquals(planRegex("colou?r"), { literal: "colo", singleLine: true });
  assertEquals(planRegex("ab+c"), { literal: "ab", singleLine: true });
  assertEquals(planRegex("x{0,3}yz"), { literal: "yz", singleLine: true });
  assertEquals(planRegex("(?:get|set)_value"), { literal: "_value", singleLine: true });
  assertEquals(planRegex("(?P<name>abc)def"), { literal: "def", singleLine: true });
  assertEquals(planRegex("foo[^;]*bar"), { literal: "foo", singleLine: false });
  assertEquals(planRegex("[[:space:]]import"), { literal: "import", singleLine: false });
});

Deno.test("a pattern the plan does not understand gets none: the search scans the whole text", () => {
  for (const p of ["foo|bar", "a", "(?i)abc", "(?s)a.b", "\\x41bc", "\\p{Greek}abc", "\\101bc"]) {
    assertEquals(planRegex(p).literal, "", p);
  }
  assertEquals(planRegex("(?s:a.b)cd"), { literal: "", singleLine: false });
  assertEquals(planRegex("\\Aabc").singleLine, false);
  assertEquals(planRegex("abc\\z").singleLine, false);
  assertEquals(planRegex("ab\\ncd").singleLine, false);
});

/** A small deterministic generator: the same cases on every run. */
function rng(seed: number): (n: number) => number {
  let s = seed;
  return (n) => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s % n;
  };
}

const FRAGMENTS = [
  "ab",
  "Ab",
  "s",
  "k",
  "S",
  "K",
  "foo",
  "\\(",
  "\\.",
  "\\w+",
  "\\d*",
  "[a-c]",
  "[^a]",
  "\\s",
  "\\s*",
  ".",
  "^",
  "$",
  "\\b",
  "\\B",
  "(ab|cd)",
  "(?:x)?",
  "a{2}",
  "a{0,2}",
  "b?",
  "+",
  "|",
  "[[:alpha:]]",
  "\\S",
  "\\W",
  "(k+)",
  "ſ",
  "K",
  " ",
  "\\n",
  "[\\]x]",
  "{",
  "x*?",
  "é",
  "[a-z]+",
];
const WORDS = [
  "ab",
  "AB",
  "aab",
  "foo",
  "Foo",
  "ſ",
  "K",
  "k",
  "s",
  "(",
  ".",
  "x",
  "cd",
  "é",
  "É",
  "12",
];

/** A text made of small words, line breaks and the pattern's own literal (in both cases), so matches occur. */
function randomText(r: (n: number) => number, literal: string): string {
  const pieces = [...WORDS, literal, literal.toUpperCase(), literal.toLowerCase()];
  let t = "";
  const n = 1 + r(12);
  for (let i = 0; i < n; i++) {
    const k = r(10);
    t += k < 7 ? pieces[r(pieces.length)]! : k < 8 ? " " : k < 9 ? "\n" : "\r\n";
  }
  return t;
}

Deno.test("with a plan, RE2 finds the same matches as over the whole text (differential, 4,000 cases)", () => {
  const r = rng(20261206);
  let planned = 0;
  for (let c = 0; c < 4_000; c++) {
    let pattern = "";
    const n = 1 + r(5);
    for (let i = 0; i < n; i++) pattern += FRAGMENTS[r(FRAGMENTS.length)]!;
    const caseSensitive = r(2) === 0;
    let full: Finder;
    try {
      full = fullFinder(pattern, caseSensitive);
    } catch {
      continue; // not a valid RE2 pattern: the search refuses it before any plan
    }
    if (planRegex(pattern).literal) planned++;
    const fast = plannedFinder(pattern, caseSensitive, full);
    for (let t = 0; t < 20; t++) {
      const text = randomText(r, planRegex(pattern).literal || "ab");
      assertEquals(
        [...fast(text)],
        [...full(text)],
        `pattern ${JSON.stringify(pattern)} case-sensitive ${caseSensitive} text ${
          JSON.stringify(text)
        }`,
      );
    }
  }
  // The comparison means something only if many patterns were planned.
  if (planned < 500) throw new Error(`only ${planned} patterns had a literal`);
});

Deno.test("a match across a line break is found with a plan too", () => {
  const cases: [string, string][] = [
    ["ab\\sab", "x ab\nab y"],
    ["ab[^x]ab", "ab\nab"],
    ["ab[[:space:]]ab", "ab\nab"],
    ["ab[\\s]ab", "ab\nab"],
    ["ab\\Wcd", "ab\ncd"],
    ["foo|ab", "foo"],
    ["abc(?:x|\\n)d", "abc\nd"],
  ];
  for (const [pattern, text] of cases) {
    for (const cs of [true, false]) {
      const full = fullFinder(pattern, cs);
      const got = [...plannedFinder(pattern, cs, full)(text)];
      assertEquals(got, [...full(text)], pattern);
      if (got.length === 0) throw new Error(`${pattern} should match ${JSON.stringify(text)}`);
    }
  }
});

Deno.test("a leading (?i) folds the literal's case, as it folds the pattern's", () => {
  const full = fullFinder("(?i)todo:", true);
  const text = "x\n  // TODO: one\n# todo: two";
  const got = [...plannedFinder("(?i)todo:", true, full)(text)];
  assertEquals(got, [...full(text)]);
  assertEquals(got.length, 2);
});

Deno.test("ignoring case, the literal is folded as RE2 folds: long s and the Kelvin sign match", () => {
  const q = compileQuery("ask\\(", true, false);
  if (!q.ok) throw new Error(q.reason);
  assertEquals([...q.value("xx aſK( yy")], [[3, 7]]);
  assertEquals([...q.value("nothing here")], []);
});

Deno.test("a regex for the redaction marker still finds it: a literal that could touch a marker never skips redaction", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "crm-rxplan-" }));
  try {
    // Assembled from pieces so that this file does not itself look like a leak.
    await Deno.writeTextFile(
      `${root}/settings.py`,
      `GITHUB_TOKEN = "${"ghp_"}${"aB3dE5gH7j".repeat(4).slice(0, 36)}"\n`,
    );
    for (const query of ["REDACTED\\s+github", "\\[REDACTED [a-z-]+\\]", "(?i)redacted github"]) {
      const r = await searchCode({
        root,
        query,
        regex: true,
        caseSensitive: true,
        path: ".",
        contextLines: 0,
        maxMatches: 10,
        timeBudgetMs: 30_000,
        maxLineChars: 400,
      });
      if (!r.ok) throw new Error(r.reason);
      assertEquals(r.value.matches.map((m) => m.line), [1], query);
    }
  } finally {
    clearSearchCache();
    await Deno.remove(root, { recursive: true });
  }
});
