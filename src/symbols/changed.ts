/**
 * Which functions and classes a change touched: both versions of a file are parsed, their
 * definitions paired by qualified name, and each pair compared on its own lines (a class's lines
 * without its methods', so an edited method is not also reported as an edited class). Modified
 * functions carry their cyclomatic complexity before and after; crossing the threshold is a finding.
 */
import { type Definition, withDefinitions } from "./extract.ts";
import { languageOf } from "./languages.ts";
import type { SymbolKind } from "./queries.ts";

/** McCabe's usual limit (ruff's C901 and flake8's mccabe default to 10 as well). */
export const COMPLEXITY_THRESHOLD = 10;
/** Symbols listed per file; the rest are counted. */
export const MAX_CHANGED_SYMBOLS = 100;
/** Larger files are not parsed for changed symbols. */
const MAX_TEXT_CHARS = 1024 * 1024;

export interface ChangedSymbol {
  /** Qualified name, "Store.set". */
  name: string;
  kind: SymbolKind;
  change: "added" | "removed" | "modified";
  /** Line of the name in the new version (in the old one for a removed symbol). */
  line: number;
  /** Cyclomatic complexity before and after, for functions and methods. */
  complexity_before?: number;
  complexity_after?: number;
}

const TRACKED: ReadonlySet<SymbolKind> = new Set([
  "class",
  "struct",
  "interface",
  "enum",
  "trait",
  "impl",
  "module",
  "function",
  "method",
]);

interface Keyed {
  key: string;
  /** The definition's index in its file's list. */
  index: number;
  name: string;
  def: Definition;
  /** The definition's own lines, its nested definitions' lines left out. */
  own: string;
}

function keyed(defs: readonly Definition[], lines: readonly string[]): Keyed[] {
  const qualified: string[] = [];
  const seen = new Map<string, number>();
  const out: Keyed[] = [];
  defs.forEach((d, i) => {
    const container = d.parent >= 0 ? qualified[d.parent] : d.scope?.replaceAll("::", ".");
    qualified[i] = container ? `${container}.${d.name}` : d.name;
    if (!TRACKED.has(d.kind)) return;
    // Overloads share a name: the nth one pairs with the nth one.
    const base = `${d.kind === "method" ? "function" : d.kind}:${qualified[i]}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    const children = defs.filter((c) => c.parent === i);
    const own: string[] = [];
    for (let l = d.start; l <= d.end; l++) {
      if (children.some((c) => c.start <= l && l <= c.end)) continue;
      own.push(lines[l - 1] ?? "");
    }
    out.push({
      key: `${base}#${n}`,
      index: i,
      name: qualified[i]!,
      def: d,
      own: own.join("\n"),
    });
  });
  return out;
}

/**
 * The functions and classes added, removed or modified between two versions of a file;
 * undefined for a language we do not parse or a file too large to.
 */
export async function changedSymbols(
  path: string,
  oldText: string,
  newText: string,
): Promise<{ symbols: ChangedSymbol[]; more: number } | undefined> {
  const lang = languageOf(path);
  if (!lang.supported || oldText.length > MAX_TEXT_CHARS || newText.length > MAX_TEXT_CHARS) {
    return undefined;
  }
  // Both trees are alive while the versions are compared: complexity is then computed for the
  // changed functions only.
  type Cx = (i: number) => number;
  const withDefs = <T>(
    text: string,
    use: (definitions: Definition[], cx: Cx) => T | Promise<T>,
  ): Promise<T | null> =>
    text === "" ? Promise.resolve(use([], () => 1)) : withDefinitions(lang.id, text, use);
  const symbols = await withDefs(
    oldText,
    (oldDefs, oldCx) =>
      withDefs(newText, (newDefs, newCx) =>
        compare(
          keyed(oldDefs, oldText.split("\n")),
          keyed(newDefs, newText.split("\n")),
          oldCx,
          newCx,
        )),
  );
  if (!symbols) return undefined; // a parse timed out
  return {
    symbols: symbols.slice(0, MAX_CHANGED_SYMBOLS),
    more: Math.max(0, symbols.length - MAX_CHANGED_SYMBOLS),
  };
}

/** Added, modified and removed symbols between two keyed lists, with complexity where it applies. */
function compare(
  olds: Keyed[],
  news: Keyed[],
  oldCx: (i: number) => number,
  newCx: (i: number) => number,
): ChangedSymbol[] {
  const oldByKey = new Map(olds.map((k) => [k.key, k]));
  const newKeys = new Set(news.map((k) => k.key));
  const out: ChangedSymbol[] = [];
  const complexity = (
    k: Keyed,
    at: (i: number) => number,
    field: "complexity_before" | "complexity_after",
  ) => (k.def.kind === "function" || k.def.kind === "method" ? { [field]: at(k.index) } : {});
  for (const n of news) {
    const o = oldByKey.get(n.key);
    if (!o) {
      out.push({
        name: n.name,
        kind: n.def.kind,
        change: "added",
        line: n.def.line,
        ...complexity(n, newCx, "complexity_after"),
      });
    } else if (o.own !== n.own) {
      out.push({
        name: n.name,
        kind: n.def.kind,
        change: "modified",
        line: n.def.line,
        ...complexity(o, oldCx, "complexity_before"),
        ...complexity(n, newCx, "complexity_after"),
      });
    }
  }
  for (const o of olds) {
    if (newKeys.has(o.key)) continue;
    out.push({
      name: o.name,
      kind: o.def.kind,
      change: "removed",
      line: o.def.line,
      ...complexity(o, oldCx, "complexity_before"),
    });
  }
  return out;
}

/** A complexity finding: a changed function now over the threshold that was not before. */
export interface ComplexityFinding {
  line: number;
  message: string;
}

/** Findings for the changed symbols of one file whose complexity crossed the threshold. */
export function complexityFindings(symbols: readonly ChangedSymbol[]): ComplexityFinding[] {
  const out: ComplexityFinding[] = [];
  for (const s of symbols) {
    const after = s.complexity_after;
    if (after === undefined || after <= COMPLEXITY_THRESHOLD) continue;
    const before = s.complexity_before;
    if (s.change === "modified" && before !== undefined && before > COMPLEXITY_THRESHOLD) continue;
    out.push({
      line: s.line,
      message: s.change === "added"
        ? `${s.name} is added with cyclomatic complexity ${after} (over ${COMPLEXITY_THRESHOLD})`
        : `${s.name}: cyclomatic complexity ${before} -> ${after} (over ${COMPLEXITY_THRESHOLD})`,
    });
  }
  return out;
}
