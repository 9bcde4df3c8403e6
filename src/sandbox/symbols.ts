/**
 * The symbol tools' effects, inside the worker: a per-root index of every parsable file's
 * definitions, built on first use by the project walk and kept current by path, size and
 * modification time (an unchanged file is never parsed twice), bounded in memory; and the
 * queries over it (outline, find_symbol, find_references, one definition's lines).
 */
import { type WalkCaps, walkedText } from "../policy/walk.ts";
import { type LanguageId, languageOf } from "../symbols/languages.ts";
import {
  type Definition,
  definitionsOf,
  parseText,
  referencesIn,
  wordPattern,
} from "../symbols/extract.ts";
import type { SymbolKind } from "../symbols/queries.ts";
import { mayContain, wordFilter } from "../symbols/word_filter.ts";
import type { Outcome } from "./files.ts";
import { readWalkedFile, type SkipCounts, walkFiles } from "./walk.ts";

/** Caps of a symbol walk: bigger files are skipped with a note (generated code, data). */
export const SYMBOL_WALK_CAPS: WalkCaps = Object.freeze({
  maxFiles: 20_000,
  maxTotalBytes: 256 * 1024 * 1024,
  maxFileBytes: 1024 * 1024,
  maxEntries: 400_000,
});

/**
 * The index's bound: definitions kept across all files of a root. Past it, the least recently
 * used files are dropped (and parsed again when next needed). Measured at about 500 bytes per
 * definition with everything it holds, so at most ~100 MiB; a 1,000-file Python project holds ~2 MiB,
 * plus each file's 512-byte word filter.
 */
export const INDEX_MAX_DEFINITIONS = 200_000;

/** Why a file has no symbols in the index. */
export type SymbolSkip = "too-large" | "minified" | "binary" | "not-text" | "parse-timeout";

interface Entry {
  size: number;
  /** mtime, ctime and inode (mtimeOf). */
  mtime: string;
  language: LanguageId;
  definitions: Definition[];
  syntaxErrors: boolean;
  skip?: SymbolSkip;
  /** The file's words (find_references reads only files that may hold the name). */
  words?: Uint32Array;
}

interface RootIndex {
  /** Insertion order is use order: a file used is moved to the end; eviction takes from the front. */
  files: Map<string, Entry>;
  definitions: number;
}

const indexes = new Map<string, RootIndex>();

function indexFor(root: string): RootIndex {
  let idx = indexes.get(root);
  if (!idx) {
    idx = { files: new Map(), definitions: 0 };
    indexes.set(root, idx);
  }
  return idx;
}

/** Forgets every index (tests; a root that changed entirely). */
export function clearSymbolIndexes(): void {
  indexes.clear();
}

/** Files and definitions held now (status, the memory probe). */
export function symbolIndexStats(root: string): { files: number; definitions: number } {
  const idx = indexes.get(root);
  return { files: idx?.files.size ?? 0, definitions: idx?.definitions ?? 0 };
}

export interface ScopeRequest {
  root: string;
  /** File, folder or glob relative to the root; "." for the whole project. */
  path: string;
  /** Wall-clock budget of indexing within this call; the rest is indexed by the next call. */
  timeBudgetMs: number;
  allowSecretFiles?: boolean;
  caps?: WalkCaps;
}

export interface IndexedFile {
  file: string;
  language: LanguageId;
  definitions: Definition[];
  syntaxErrors?: boolean;
}

export interface ScopeResult {
  target: string;
  /** Parsable files in scope, in path order, with their definitions (those not skipped). */
  files: IndexedFile[];
  /** Files of the scope not parsed in this call's time budget: the answer is partial. */
  pending: number;
  /** Files parsed in this call (the rest came from the index). */
  parsed: number;
  skipped: SkipCounts & Partial<Record<SymbolSkip, number>>;
  /** For a single file named directly in a language we do not parse: its language, or null. */
  unsupported?: { language: string | null };
  capped?: string;
  durationMs: number;
}

/**
 * What says a file changed besides its size: modification time, and the inode and change time
 * (an editor's atomic save is a new inode; Deno's times are in milliseconds, so two same-size edits
 * within one millisecond differ only there).
 */
function mtimeOf(info: Deno.FileInfo): string {
  return `${info.mtime?.getTime() ?? 0}:${info.ctime?.getTime() ?? 0}:${info.ino ?? 0}`;
}

function setEntry(idx: RootIndex, rel: string, e: Entry): void {
  const old = idx.files.get(rel);
  if (old) {
    idx.definitions -= old.definitions.length;
    idx.files.delete(rel);
  }
  idx.files.set(rel, e);
  idx.definitions += e.definitions.length;
}

function dropEntry(idx: RootIndex, rel: string): void {
  const old = idx.files.get(rel);
  if (old) {
    idx.definitions -= old.definitions.length;
    idx.files.delete(rel);
  }
}

/** Evicts least recently used files until the bound holds; `keep` (this call's files) go last. */
function evict(idx: RootIndex, keep: ReadonlySet<string>): void {
  if (idx.definitions <= INDEX_MAX_DEFINITIONS) return;
  for (const [rel] of idx.files) {
    if (idx.definitions <= INDEX_MAX_DEFINITIONS) return;
    if (!keep.has(rel)) dropEntry(idx, rel);
  }
  for (const [rel] of idx.files) {
    if (idx.definitions <= INDEX_MAX_DEFINITIONS) return;
    dropEntry(idx, rel);
  }
}

/** Reads and parses one file into an index entry. */
async function parseFile(abs: string, language: LanguageId, info: Deno.FileInfo, maxBytes: number) {
  const base = { size: info.size, mtime: mtimeOf(info), language };
  const bytes = await readWalkedFile(abs, maxBytes);
  if (bytes === null) return null;
  if (typeof bytes === "string") {
    return bytes === "too-large"
      ? { ...base, definitions: [], syntaxErrors: false, skip: "too-large" as const }
      : null;
  }
  const text = walkedText(bytes);
  if (typeof text !== "string") {
    return { ...base, definitions: [], syntaxErrors: false, skip: text.skip };
  }
  const tree = await parseText(language, text);
  if (!tree) {
    return { ...base, definitions: [], syntaxErrors: false, skip: "parse-timeout" as const };
  }
  try {
    return {
      ...base,
      definitions: await definitionsOf(language, tree, text),
      syntaxErrors: tree.rootNode.hasError,
      words: wordFilter(text),
    };
  } finally {
    tree.delete();
  }
}

/**
 * The definitions of every parsable file in scope, from the index where a file's size and
 * modification time are unchanged, parsed otherwise. Bounded by the walk's caps and the time
 * budget; cancellable between files.
 */
export async function indexScope(
  req: ScopeRequest,
  signal?: AbortSignal,
): Promise<Outcome<ScopeResult & { texts?: never }>> {
  const started = performance.now();
  const deadline = started + req.timeBudgetMs;
  const caps = req.caps ?? SYMBOL_WALK_CAPS;
  const walked = walkFiles({
    root: req.root,
    target: req.path,
    caps,
    statFiles: false,
    accept: (rel) => languageOf(rel).supported,
    allowSecretFiles: req.allowSecretFiles === true,
    ...(signal ? { signal } : {}),
  });
  if (!walked.ok) return walked;
  // The walk stops quietly when aborted; its partial list must not pass for the project.
  if (signal?.aborted) throw new DOMException("cancelled", "AbortError");
  const w = walked.value;
  const result: ScopeResult = {
    target: w.target,
    files: [],
    pending: 0,
    parsed: 0,
    skipped: { ...w.skipped },
    ...(w.capped ? { capped: w.capped } : {}),
    durationMs: 0,
  };
  if (w.files.length === 0 && !w.capped) {
    // A single file named directly, in a language we do not parse, is named as such.
    const lang = languageOf(w.target);
    if (
      !lang.supported && w.target !== "." && !w.target.endsWith("/") &&
      /\.[^/]+$|^[^.]+$/.test(w.target)
    ) {
      try {
        const info = Deno.statSync(`${req.root}/${w.target}`);
        if (info.isFile) result.unsupported = { language: lang.name };
      } catch { /* not a file: an empty folder or glob */ }
    }
  }
  const idx = indexFor(req.root);
  const skip = (
    k: keyof ScopeResult["skipped"],
  ) => (result.skipped[k] = (result.skipped[k] ?? 0) + 1);
  const seen = new Set<string>();
  for (const f of w.files) {
    if (signal?.aborted) throw new DOMException("cancelled", "AbortError");
    seen.add(f.rel);
    const lang = languageOf(f.rel);
    if (!lang.supported) continue;
    let info: Deno.FileInfo;
    try {
      info = Deno.statSync(f.abs);
    } catch {
      dropEntry(idx, f.rel);
      continue;
    }
    let e = idx.files.get(f.rel);
    if (!e || e.size !== info.size || e.mtime !== mtimeOf(info) || e.language !== lang.id) {
      if (performance.now() > deadline) {
        result.pending++;
        continue;
      }
      const parsed = await parseFile(f.abs, lang.id, info, caps.maxFileBytes);
      if (!parsed) {
        dropEntry(idx, f.rel);
        continue;
      }
      e = parsed;
      result.parsed++;
    }
    setEntry(idx, f.rel, e);
    if (e.skip) {
      skip(e.skip);
      continue;
    }
    result.files.push({
      file: f.rel,
      language: e.language,
      definitions: e.definitions,
      ...(e.syntaxErrors ? { syntaxErrors: true } : {}),
    });
  }
  // Files gone from the scope since the last walk leave the index.
  const prefix = w.target === "." ? "" : w.target + "/";
  if (!w.capped && result.pending === 0) {
    for (const rel of [...idx.files.keys()]) {
      if ((prefix === "" || rel.startsWith(prefix) || rel === w.target) && !seen.has(rel)) {
        dropEntry(idx, rel);
      }
    }
  }
  evict(idx, seen);
  result.durationMs = performance.now() - started;
  return { ok: true, value: result };
}

// ---------------------------------------------------------------------------------------------
// outline

export interface OutlineRequest extends ScopeRequest {
  /** Nesting levels shown: 1 = top-level definitions only. */
  depth: number;
}

/** Definitions down to `depth` levels; parents are re-indexed within the trimmed list. */
function trimDepth(defs: readonly Definition[], depth: number): Definition[] {
  const level: number[] = [];
  const newIndex: number[] = [];
  const out: Definition[] = [];
  defs.forEach((d, i) => {
    level[i] = d.parent < 0 ? 1 : level[d.parent]! + 1;
    if (level[i]! > depth) {
      newIndex[i] = -1;
      return;
    }
    newIndex[i] = out.length;
    out.push({ ...d, parent: d.parent < 0 ? -1 : newIndex[d.parent]! });
  });
  return out;
}

export async function symbolOutline(
  req: OutlineRequest,
  signal?: AbortSignal,
): Promise<Outcome<ScopeResult>> {
  const r = await indexScope(req, signal);
  if (!r.ok) return r;
  return {
    ok: true,
    value: {
      ...r.value,
      files: r.value.files.map((f) => ({ ...f, definitions: trimDepth(f.definitions, req.depth) })),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// find_symbol

export interface FindSymbolRequest extends ScopeRequest {
  /** A name, or a qualified name ("Store.set", "Matrix::rows"). */
  name: string;
  kind?: SymbolKind;
  maxResults: number;
}

export interface SymbolHit {
  file: string;
  language: LanguageId;
  name: string;
  /** Names of the enclosing definitions, outermost first ("Store" for a method of Store). */
  container?: string;
  kind: SymbolKind;
  line: number;
  start: number;
  end: number;
  signature: string;
  doc?: string;
}

export interface FindSymbolResult extends Omit<ScopeResult, "files"> {
  /** How the hits matched: exact name, same name ignoring case, prefix, or fuzzy. */
  match: "exact" | "case-insensitive" | "other-container" | "prefix" | "fuzzy" | "none";
  hits: SymbolHit[];
  total: number;
  filesIndexed: number;
}

function containerOf(defs: readonly Definition[], i: number): string | undefined {
  const names: string[] = [];
  let top = i;
  for (let p = defs[i]!.parent; p >= 0; p = defs[p]!.parent) {
    names.unshift(defs[p]!.name);
    top = p;
  }
  const scope = defs[top]!.scope;
  if (scope) names.unshift(...scope.split("::"));
  return names.length ? names.join(".") : undefined;
}

/** True when `query`'s letters appear in `name` in order (case ignored): "gtUsr" ~ "getUser". */
function subsequence(query: string, name: string): boolean {
  let i = 0;
  for (const ch of name) if (i < query.length && ch === query[i]) i++;
  return i === query.length;
}

export async function findSymbol(
  req: FindSymbolRequest,
  signal?: AbortSignal,
): Promise<Outcome<FindSymbolResult>> {
  const r = await indexScope(req, signal);
  if (!r.ok) return r;
  const { files, ...rest } = r.value;
  const parts = req.name.split(/\.|::|#|->/).filter((p) => p !== "");
  const leaf = parts[parts.length - 1] ?? req.name;
  const qualifiers = parts.slice(0, -1);
  type Cand = { f: IndexedFile; i: number };
  const all: Cand[] = [];
  for (const f of files) {
    f.definitions.forEach((d, i) => {
      if (req.kind !== undefined && d.kind !== req.kind) return;
      all.push({ f, i });
    });
  }
  const qualified = (c: Cand) => {
    if (qualifiers.length === 0) return true;
    const chain = (containerOf(c.f.definitions, c.i) ?? "").split(".");
    return qualifiers.every((q, k) => chain[chain.length - qualifiers.length + k] === q);
  };
  const lower = leaf.toLowerCase();
  const exact = (n: string) => n === leaf;
  // [how it matched, the name test, whether the qualifiers must match too]
  type Tier = [FindSymbolResult["match"], (name: string) => boolean, boolean];
  const inherited: Tier[] = qualifiers.length > 0 ? [["other-container", exact, false]] : [];
  const tiers: Tier[] = [
    ["exact", exact, true],
    ["case-insensitive", (n) => n.toLowerCase() === lower, true],
    // "Flask.route" when route is inherited from Scaffold: the name in another container.
    ...inherited,
    ["prefix", (n) => n.toLowerCase().startsWith(lower), true],
    ["fuzzy", (n) => n.toLowerCase().includes(lower) || subsequence(lower, n.toLowerCase()), true],
  ];
  let match: FindSymbolResult["match"] = "none";
  let found: Cand[] = [];
  for (const [tier, test, withQualifiers] of tiers) {
    found = all.filter((c) =>
      test(c.f.definitions[c.i]!.name) && (!withQualifiers || qualified(c))
    );
    if (found.length > 0) {
      match = tier;
      break;
    }
  }
  if (match === "prefix" || match === "fuzzy") {
    // Shorter names are closer to what was typed.
    found.sort((a, b) =>
      a.f.definitions[a.i]!.name.length - b.f.definitions[b.i]!.name.length ||
      (a.f.file < b.f.file ? -1 : a.f.file > b.f.file ? 1 : 0) ||
      a.f.definitions[a.i]!.line - b.f.definitions[b.i]!.line
    );
  }
  const hits = found.slice(0, req.maxResults).map(({ f, i }): SymbolHit => {
    const d = f.definitions[i]!;
    const container = containerOf(f.definitions, i);
    return {
      file: f.file,
      language: f.language,
      name: d.name,
      ...(container ? { container } : {}),
      kind: d.kind,
      line: d.line,
      start: d.start,
      end: d.end,
      signature: d.signature,
      ...(d.doc !== undefined ? { doc: d.doc } : {}),
    };
  });
  return {
    ok: true,
    value: { ...rest, match, hits, total: found.length, filesIndexed: files.length },
  };
}

// ---------------------------------------------------------------------------------------------
// find_references

export interface FindReferencesRequest extends ScopeRequest {
  name: string;
  /** Most references collected; the search stops there and says so. */
  maxReferences: number;
}

export interface ReferenceHit {
  line: number;
  column: number;
  /** Qualified name of the enclosing definition ("Store.set"); absent at top level. */
  in?: string;
  /** True for the name of a definition itself. */
  definition?: boolean;
  text: string;
}

export interface ReferenceFile {
  file: string;
  language: LanguageId;
  /** Why the file is ranked where it is. */
  rank: "defines" | "imports" | "other";
  references: ReferenceHit[];
}

export interface FindReferencesResult extends Omit<ScopeResult, "files"> {
  /** Where the name is defined (by name alone: resolution is syntactic). */
  definitions: { file: string; line: number; kind: SymbolKind; container?: string }[];
  files: ReferenceFile[];
  total: number;
  /** True when maxReferences or the time budget stopped the search. */
  truncated: boolean;
  filesSearched: number;
}

/** The name a file is imported by: its stem ("store" for src/store.ts), or its folder for Go. */
function moduleNames(file: string, language: LanguageId): string[] {
  const parts = file.split("/");
  const base = parts[parts.length - 1]!;
  const stem = base.replace(/\.[^.]+$/, "");
  const names = [stem];
  if (
    parts.length > 1 &&
    (language === "go" || stem === "__init__" || stem === "index" || stem === "mod")
  ) {
    names.push(parts[parts.length - 2]!);
  }
  return names.filter((n) => n !== "" && n !== "__init__" && n !== "index" && n !== "mod");
}

const IMPORT_LINE =
  /^\s*(import|from|require|use|using|#\s*include|include|require_once|include_once|package)\b|\brequire\s*\(|\bimport\s*\(/;

/** True when one of the text's import lines names one of the modules (syntactic, by name). */
function importsAny(text: string, modules: readonly string[]): boolean {
  if (modules.length === 0) return false;
  const res = modules.map((m) => wordPattern(m));
  for (const line of text.split("\n")) {
    if (!IMPORT_LINE.test(line)) continue;
    if (res.some((re) => (re.lastIndex = 0, re.test(line)))) return true;
  }
  return false;
}

export async function findReferences(
  req: FindReferencesRequest,
  signal?: AbortSignal,
): Promise<Outcome<FindReferencesResult>> {
  const started = performance.now();
  const r = await indexScope(req, signal);
  if (!r.ok) return r;
  const { files, ...rest } = r.value;
  const deadline = started + req.timeBudgetMs;
  const definitions: FindReferencesResult["definitions"] = [];
  const definingModules: string[] = [];
  for (const f of files) {
    f.definitions.forEach((d, i) => {
      if (d.name !== req.name) return;
      const container = containerOf(f.definitions, i);
      definitions.push({
        file: f.file,
        line: d.line,
        kind: d.kind,
        ...(container ? { container } : {}),
      });
      definingModules.push(...moduleNames(f.file, f.language));
    });
  }
  const definingFiles = new Set(definitions.map((d) => d.file));
  const out: ReferenceFile[] = [];
  let total = 0;
  let truncated = false;
  let filesSearched = 0;
  const word = wordPattern(req.name);
  const abs = (rel: string) => `${req.root}/${rel}`;
  const index = indexFor(req.root);
  const filterable = /^[\p{L}\p{N}_$]+$/u.test(req.name);
  for (const f of files) {
    if (signal?.aborted) throw new DOMException("cancelled", "AbortError");
    if (total >= req.maxReferences || performance.now() > deadline) {
      truncated = true;
      break;
    }
    // The index's word filter rules most files out without reading them.
    const words = index.files.get(f.file)?.words;
    if (words && filterable && !mayContain(words, req.name)) {
      filesSearched++;
      continue;
    }
    const bytes = await readWalkedFile(abs(f.file), SYMBOL_WALK_CAPS.maxFileBytes);
    if (!(bytes instanceof Uint8Array)) continue;
    const text = walkedText(bytes);
    if (typeof text !== "string") continue;
    filesSearched++;
    word.lastIndex = 0;
    if (!text.includes(req.name) || !word.test(text)) continue;
    const tree = await parseText(f.language, text);
    if (!tree) continue;
    let refs;
    try {
      refs = referencesIn(
        f.language,
        tree,
        text,
        req.name,
        f.definitions,
        req.maxReferences - total,
      );
    } finally {
      tree.delete();
    }
    if (refs.length === 0) continue;
    total += refs.length;
    const rank: ReferenceFile["rank"] = definingFiles.has(f.file)
      ? "defines"
      : importsAny(text, definingModules)
      ? "imports"
      : "other";
    out.push({
      file: f.file,
      language: f.language,
      rank,
      references: refs.map((x) => {
        const within = x.enclosing >= 0 ? containerOf(f.definitions, x.enclosing) : undefined;
        const inName = x.enclosing >= 0
          ? (within ? within + "." : "") + f.definitions[x.enclosing]!.name
          : undefined;
        return {
          line: x.line,
          column: x.column,
          ...(inName ? { in: inName } : {}),
          ...(x.definition ? { definition: true } : {}),
          text: x.text,
        };
      }),
    });
  }
  const order = { defines: 0, imports: 1, other: 2 } as const;
  out.sort((a, b) =>
    order[a.rank] - order[b.rank] || b.references.length - a.references.length ||
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)
  );
  return {
    ok: true,
    value: {
      ...rest,
      durationMs: performance.now() - started,
      definitions,
      files: out,
      total,
      truncated: truncated || rest.pending > 0,
      filesSearched,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// read_file's `symbol`

export interface SymbolRangeRequest {
  root: string;
  path: string;
  /** A name or qualified name ("Store.set"). */
  symbol: string;
  allowSecretFiles?: boolean;
}

export type SymbolRangeResult =
  | { found: true; start: number; end: number; kind: SymbolKind; name: string }
  | { found: false; candidates: string[]; language?: string | null };

/** The lines of exactly one definition in a file, or the names it could have meant. */
export async function symbolRange(
  req: SymbolRangeRequest,
  signal?: AbortSignal,
): Promise<Outcome<SymbolRangeResult>> {
  const r = await indexScope({
    root: req.root,
    path: req.path,
    timeBudgetMs: 30_000,
    ...(req.allowSecretFiles ? { allowSecretFiles: true } : {}),
  }, signal);
  if (!r.ok) return r;
  if (r.value.unsupported) {
    return {
      ok: true,
      value: { found: false, candidates: [], language: r.value.unsupported.language },
    };
  }
  // A folder or glob holds files; `symbol` reads from one file named directly.
  const f = r.value.files.length === 1 && r.value.files[0]!.file === r.value.target
    ? r.value.files[0]
    : undefined;
  if (!f) {
    return { ok: false, reason: "not a file whose symbols can be read (a parsable source file)" };
  }
  const parts = req.symbol.split(/\.|::|#|->/).filter((p) => p !== "");
  const qualified = f.definitions.map((_, i) =>
    [containerOf(f.definitions, i), f.definitions[i]!.name].filter(Boolean).join(".")
  );
  const wanted = parts.join(".");
  const exact = qualified.flatMap((q, i) => (q === wanted ? [i] : []));
  // Overloads (declared one after another) are read together with their implementation.
  if (exact.length > 1 && exact.every((i, k) => k === 0 || i === exact[k - 1]! + 1)) {
    const first = f.definitions[exact[0]!]!;
    const last = f.definitions[exact[exact.length - 1]!]!;
    return {
      ok: true,
      value: { found: true, start: first.start, end: last.end, kind: first.kind, name: wanted },
    };
  }
  if (exact.length > 1) {
    return {
      ok: true,
      value: {
        found: false,
        candidates: exact.map((i) => `${qualified[i]} (line ${f.definitions[i]!.line})`),
      },
    };
  }
  let idx = exact[0] ?? -1;
  if (idx < 0) {
    const bySuffix = qualified.flatMap((
      q,
      i,
    ) => (q === wanted || q.endsWith("." + wanted) ? [i] : []));
    if (bySuffix.length === 1) idx = bySuffix[0]!;
    else {
      const lower = parts[parts.length - 1]!.toLowerCase();
      const candidates = bySuffix.length > 1
        ? bySuffix.map((i) => `${qualified[i]} (line ${f.definitions[i]!.line})`)
        : qualified.filter((q) => q.toLowerCase().includes(lower)).slice(0, 10);
      return { ok: true, value: { found: false, candidates } };
    }
  }
  const d = f.definitions[idx]!;
  return {
    ok: true,
    value: { found: true, start: d.start, end: d.end, kind: d.kind, name: qualified[idx]! },
  };
}

// ---------------------------------------------------------------------------------------------
// search_code's enclosing symbols

export interface EnclosingRequest {
  root: string;
  /** Files and the lines of each whose enclosing definition is wanted. */
  files: { file: string; lines: number[] }[];
  timeBudgetMs: number;
  allowSecretFiles?: boolean;
}

/**
 * The qualified name of the innermost definition around each line ("Store.set"), null at top
 * level or where the file is not parsed; files left when the time budget runs out get nulls.
 */
export async function enclosingSymbols(
  req: EnclosingRequest,
  signal?: AbortSignal,
): Promise<Record<string, (string | null)[]>> {
  const deadline = performance.now() + req.timeBudgetMs;
  const out: Record<string, (string | null)[]> = {};
  for (const { file, lines } of req.files) {
    out[file] = lines.map(() => null);
    if (!languageOf(file).supported || performance.now() > deadline) continue;
    const r = await indexScope({
      root: req.root,
      path: file,
      timeBudgetMs: Math.max(0, deadline - performance.now()),
      ...(req.allowSecretFiles ? { allowSecretFiles: true } : {}),
    }, signal);
    const defs = r.ok ? r.value.files[0]?.definitions : undefined;
    if (!defs) continue;
    out[file] = lines.map((line) => {
      let inner = -1;
      defs.forEach((d, i) => {
        if (d.start <= line && line <= d.end) inner = i;
      });
      if (inner < 0) return null;
      const container = containerOf(defs, inner);
      return container ? `${container}.${defs[inner]!.name}` : defs[inner]!.name;
    });
  }
  return out;
}
