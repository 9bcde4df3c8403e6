/**
 * A plan that lets a regular-expression search skip most of the text RE2 would otherwise scan.
 * re2js finds match positions with its NFA or backtracker (its DFA answers only yes/no), and
 * ignoring case it has no literal prefilter at all: on a real repository (uv, 29 MB of text) a
 * case-insensitive `Regex::new\(` took 2.2 s in re2js where a literal scan takes 20 ms.
 *
 * The plan is read from the pattern's text, conservatively (anything it does not understand
 * gives no plan, and the search runs RE2 on the whole text as before):
 *
 * - `literal`: a run of characters every match must contain, contiguously. A text without it
 *   has no match, so RE2 is not run on it. The literal is looked for with a JavaScript regular
 *   expression of escaped characters only (linear time), with the `u` flag and, ignoring case,
 *   `i`: Unicode simple case folding, as RE2 folds (`ſ` is `s`, the Kelvin sign is `k`).
 * - `singleLine`: no match can hold a line break (no `\s`, `[^…]`, `\n`, flags, …), so each
 *   match lies inside one line, and RE2 runs only on the lines that hold the literal. `^`, `$`
 *   (multi-line mode), `\b` and `\B` see the same neighbours on a line alone as in the text.
 *
 * A differential test (tests/unit/sandbox/regex_plan_test.ts) demands the same matches with
 * and without the plan.
 */

/** What a pattern allows a search to skip. */
export interface RegexPlan {
  /** Characters every match holds, in this order, contiguously (ASCII only); "" when none is known. */
  literal: string;
  /** True when no match can contain a line break. */
  singleLine: boolean;
}

const NONE: RegexPlan = { literal: "", singleLine: false };

type EscapeKind = "literal" | "safe" | "newline";

/**
 * What a one-character escape `\e` is: a literal punctuation character; a class or assertion
 * that never matches a line break (`\w \d \b \B`, and tab, carriage return, form feed,
 * vertical tab, bell); one that may match one or depends on the whole text (`\s \S \W \D \n
 * \A \z \C`); or null for escapes that take arguments or are not understood here (`\x41`,
 * `\p{Greek}`, octal, `\Q`): then the pattern gets no plan.
 */
function escapeKind(e: string): EscapeKind | null {
  if (/^[!-/:-@[-`{-~]$/.test(e)) return "literal";
  if ("wdbBtrfva".includes(e)) return "safe";
  if ("sSWDnAzC".includes(e)) return "newline";
  return null;
}

/** `{m}`, `{m,}` or `{m,n}` at i: its minimum and its length, or null (then `{` is a literal in RE2). */
function repeatAt(p: string, i: number): { min: number; len: number } | null {
  const m = /^\{(\d+)(,\d*)?\}/.exec(p.slice(i, i + 16));
  return m ? { min: Number(m[1]), len: m[0].length } : null;
}

/**
 * The character class starting at i: the index after its `]`, and whether it may match a line
 * break (negated, a POSIX class such as [:space:], or an escape that may); null when not understood.
 */
function classAt(p: string, i: number): { end: number; newline: boolean } | null {
  let j = i + 1;
  let newline = false;
  if (p[j] === "^") {
    newline = true;
    j++;
  }
  if (p[j] === "]") j++; // a leading `]` is a literal
  while (j < p.length && p[j] !== "]") {
    if (p[j] === "[" && p[j + 1] === ":") {
      const close = p.indexOf(":]", j + 2);
      if (close < 0) return null;
      newline = true;
      j = close + 2;
    } else if (p[j] === "\\") {
      const kind = escapeKind(p[j + 1] ?? "");
      if (kind === null) return null;
      if (kind === "newline") newline = true;
      j += 2;
    } else {
      j++;
    }
  }
  return j < p.length ? { end: j + 1, newline } : null;
}

/**
 * The plan for an RE2 pattern (already known to compile), in multi-line mode without DOTALL.
 *
 * @example planRegex("Regex::new\\(") -> { literal: "Regex::new(", singleLine: true }
 * @example planRegex("foo|bar") -> { literal: "", singleLine: true }
 */
export function planRegex(pattern: string): RegexPlan {
  const p = pattern;
  // A control character written raw (a line break, NUL, ...): not worth planning for.
  for (let k = 0; k < p.length; k++) {
    const code = p.charCodeAt(k);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return NONE;
  }
  let singleLine = true;
  let topLevelAlternation = false;
  const runs: string[] = [];
  let run = "";
  /** The run's last character stands alone (a quantifier after it applies to it only). */
  let lastIsChar = false;
  let depth = 0;
  const endRun = () => {
    if (run) runs.push(run);
    run = "";
    lastIsChar = false;
  };
  let i = 0;
  while (i < p.length) {
    const c = p[i]!;
    if (c === "\\") {
      const kind = escapeKind(p[i + 1] ?? "");
      if (kind === null) return NONE;
      if (kind === "newline") singleLine = false;
      if (depth === 0) {
        if (kind === "literal") {
          run += p[i + 1];
          lastIsChar = true;
        } else {
          endRun();
        }
      }
      i += 2;
      continue;
    }
    if (c === "[") {
      const cls = classAt(p, i);
      if (cls === null) return NONE;
      if (cls.newline) singleLine = false;
      if (depth === 0) endRun();
      i = cls.end;
      continue;
    }
    if (c === "(") {
      if (depth === 0) endRun();
      depth++;
      i++;
      if (p[i] === "?") {
        // (?:...) and named groups are plain groups; flags ((?i), (?s:...)) change the rules.
        const named = /^\?P?<[A-Za-z0-9_]+>/.exec(p.slice(i, i + 200));
        if (p[i + 1] === ":") i += 2;
        else if (named) i += named[0].length;
        else return NONE;
      }
      continue;
    }
    if (c === ")") {
      depth--;
      if (depth < 0) return NONE;
      if (depth === 0) endRun();
      i++;
      continue;
    }
    if (c === "|") {
      if (depth === 0) topLevelAlternation = true;
      i++;
      continue;
    }
    const rep = c === "{" ? repeatAt(p, i) : null;
    if (c === "*" || c === "?" || c === "+" || rep) {
      if (depth === 0) {
        const min = c === "+" ? 1 : rep ? rep.min : 0;
        if (lastIsChar && min === 0) run = run.slice(0, -1);
        endRun();
      }
      i += rep ? rep.len : 1;
      if (p[i] === "?") i++; // non-greedy
      continue;
    }
    if (c === "." || c === "^" || c === "$") {
      if (depth === 0) endRun();
      i++;
      continue;
    }
    if (depth === 0) {
      if (c.charCodeAt(0) < 0x80) {
        run += c;
        lastIsChar = true;
      } else {
        endRun();
      }
    }
    i++;
  }
  if (depth !== 0) return NONE;
  endRun();
  if (topLevelAlternation) return { literal: "", singleLine };
  const literal = runs.reduce((a, b) => (b.length > a.length ? b : a), "");
  return { literal: literal.length >= 2 ? literal : "", singleLine };
}

/** Match positions in a text: [start, end) pairs, in order. */
export type Finder = (text: string) => Iterable<[number, number]>;

/** `s` as a regular expression matching it literally. */
export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The literal every match of a regex holds, as searched for: its text, and whether case counts. */
export interface RequiredLiteral {
  literal: string;
  caseSensitive: boolean;
  /** True when the text holds the literal (Unicode simple case folding when case does not count). */
  test(text: string): boolean;
}

/** The pattern's required literal, with a leading `(?i)` taken as ignoring case; null when none is known. */
export function requiredLiteral(pattern: string, caseSensitive: boolean): RequiredLiteral | null {
  return plannedLiteral(pattern, caseSensitive)?.required ?? null;
}

function plannedLiteral(
  pattern: string,
  caseSensitive: boolean,
): { required: RequiredLiteral; singleLine: boolean; flags: string } | null {
  // A leading (?i) folds case for the whole pattern, as the flag does.
  if (pattern.startsWith("(?i)")) {
    pattern = pattern.slice(4);
    caseSensitive = false;
  }
  const plan = planRegex(pattern);
  if (!plan.literal) return null;
  const flags = caseSensitive ? "u" : "iu";
  const has = new RegExp(escapeRegExp(plan.literal), flags);
  return {
    required: { literal: plan.literal, caseSensitive, test: (text) => has.test(text) },
    singleLine: plan.singleLine,
    flags,
  };
}

/**
 * `full` (RE2 over a whole text) narrowed by the pattern's plan: texts without the literal are
 * skipped, and a single-line pattern runs only on the lines holding it. The same matches as
 * `full`, in the same order.
 */
export function plannedFinder(pattern: string, caseSensitive: boolean, full: Finder): Finder {
  const planned = plannedLiteral(pattern, caseSensitive);
  if (planned === null) return full;
  const { required, flags } = planned;
  if (!planned.singleLine) {
    return function* (text) {
      if (required.test(text)) yield* full(text);
    };
  }
  const source = escapeRegExp(required.literal);
  return function* (text) {
    // Its own lastIndex per text: two texts' matches may be read interleaved.
    const every = new RegExp(source, "g" + flags);
    for (let m = every.exec(text); m !== null; m = every.exec(text)) {
      const start = m.index === 0 ? 0 : text.lastIndexOf("\n", m.index - 1) + 1;
      let end = text.indexOf("\n", m.index);
      if (end < 0) end = text.length;
      for (const [s, e] of full(text.slice(start, end))) yield [s + start, e + start];
      if (end >= text.length) break;
      every.lastIndex = end + 1;
    }
  };
}
