/**
 * search_code's effect, inside the worker: literal text or a regular expression across the files
 * the project walk chooses. Regular expressions run on RE2 (re2js), which matches in linear time
 * and cannot backtrack, so no pattern can hang the worker; the whole search also has a time
 * budget, and the answer says when it stopped early and why.
 *
 * Search matches the text the model could see (file_cache.ts seenText): secrets are replaced by
 * their markers before matching, so no query, literal or regular, can tell a right guess about a
 * secret from a wrong one. Files' texts are kept per version between searches (TextCache) and
 * the file list is revalidated rather than walked again (walkFilesCached): a repeated search
 * costs a stat per file and the matching itself. A large search is split in two halves, one in a
 * helper worker, so both cores work (as rg's threads do); the merge gives the answer one search
 * over all files would (docs/search.md).
 */
import { RE2JS } from "re2js";
import { escapeRegExp, type Finder, plannedFinder, requiredLiteral } from "./regex_plan.ts";
import { SEARCH_WALK_CAPS, type SkipReason, type WalkCaps, walkedText } from "../policy/walk.ts";
import { fileURLToPath } from "node:url";
import type { Outcome } from "./files.ts";
import type { WorkerResponse } from "./protocol.ts";
import { pathPolicy } from "../policy/paths.ts";
import {
  type CachedText,
  seenText,
  TEXT_CACHE_MAX_CHARS,
  TEXT_CACHE_MAX_ENTRIES,
  TextCache,
} from "./file_cache.ts";
import {
  fileStamp,
  isRacy,
  readWalkedFileInfoSync,
  type SkipCounts,
  type WalkFile,
  walkFilesCached,
  type WalkOptions,
  type WalkResult,
} from "./walk.ts";

export interface SearchRequest {
  root: string;
  query: string;
  regex: boolean;
  caseSensitive: boolean;
  /** Folder, file or glob to search; "." for the whole project. */
  path: string;
  /** Only files matching this glob ("*.py", "src/**\/*.ts"). */
  glob?: string;
  /** Lines of context before and after each match, 0 to 5. */
  contextLines: number;
  /** Most matching lines collected; the search stops there. */
  maxMatches: number;
  /** Wall-clock budget of the whole search. */
  timeBudgetMs: number;
  /** A matching line longer than this is cut around the match. */
  maxLineChars: number;
  caps?: WalkCaps;
  allowSecretFiles?: boolean;
}

export interface SearchMatch {
  file: string;
  line: number;
  /** 1-based, in UTF-16 code units of the line (as JavaScript counts). */
  column: number;
  text: string;
  before?: string[];
  after?: string[];
  /** Redactions on the lines shown (for the answer's count; not part of the tool's output). */
  redactions?: number;
}

export interface SearchResult {
  target: string;
  matches: SearchMatch[];
  filesSearched: number;
  filesWithMatches: number;
  skipped: SkipCounts;
  /** Why the search stopped before covering every file, if it did. */
  stopped?: "time" | "matches" | "files" | "bytes" | "entries";
  durationMs: number;
}

/** The finder for a query, or the reason the pattern is refused. */
export function compileQuery(
  query: string,
  regex: boolean,
  caseSensitive: boolean,
): Outcome<Finder> {
  if (!regex && caseSensitive) {
    return {
      ok: true,
      value: function* (text) {
        for (let i = text.indexOf(query); i !== -1; i = text.indexOf(query, i + query.length)) {
          yield [i, i + query.length];
        }
      },
    };
  }
  if (!regex) {
    // An escaped literal has no alternation or repetition, so even a backtracking engine is linear on it.
    const re = new RegExp(escapeRegExp(query), "giu");
    return {
      ok: true,
      value: function* (text) {
        re.lastIndex = 0;
        for (let m = re.exec(text); m !== null; m = re.exec(text)) {
          yield [m.index, m.index + m[0].length];
          if (m[0].length === 0) re.lastIndex++;
        }
      },
    };
  }
  let pattern: RE2JS;
  try {
    pattern = RE2JS.compile(query, RE2JS.MULTILINE | (caseSensitive ? 0 : RE2JS.CASE_INSENSITIVE));
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return {
      ok: false,
      reason:
        `not a valid regular expression for RE2 (${msg}); lookaround and backreferences are not supported`,
    };
  }
  const full: Finder = function* (text) {
    const m = pattern.matcher(text);
    let from = 0;
    while (from <= text.length && m.find(from)) {
      const s = m.start(), e = m.end();
      yield [s, e];
      from = e > s ? e : e + 1;
    }
  };
  // Skip texts and lines that cannot hold a match (re2js has no literal prefilter ignoring case).
  return { ok: true, value: plannedFinder(query, caseSensitive, full) };
}

/** Characters a credential can be made of: a cut between two of them leaves a fragment the redactor cannot recognise. */
const TOKEN_CHAR = /[A-Za-z0-9_\-+/=.~]/;

/**
 * The line cut to `max` characters around [start, end), with "…" where it was cut. A cut never
 * falls inside a word: the partial word at either edge is left out (outside the match), so a
 * token split by the window (and so unrecognisable to the redactor) shows no fragment.
 */
export function cutLine(line: string, start: number, end: number, max: number): string {
  if (line.length <= max) return line;
  const width = Math.max(end - start, 0);
  const before = Math.max(0, Math.floor((max - Math.min(width, max)) / 2));
  let from = Math.max(0, Math.min(start - before, line.length - max));
  let to = Math.min(line.length, from + max);
  const split = (i: number) =>
    i > 0 && i < line.length && TOKEN_CHAR.test(line[i - 1]!) && TOKEN_CHAR.test(line[i]!);
  if (split(from)) { while (from < Math.min(start, to) && TOKEN_CHAR.test(line[from]!)) from++; }
  if (split(to)) { while (to > Math.max(end, from) && TOKEN_CHAR.test(line[to - 1]!)) to--; }
  return (from > 0 ? "…" : "") + line.slice(from, to) + (to < line.length ? "…" : "");
}

/** The characters of a redaction kind: kebab case (redact.ts kindName, "google-api-key", "password"). */
const KIND_CHARS = /^[a-z0-9-]*$/;

/**
 * True when a literal query could match redacted text where the file's own text has no match.
 * Redaction only puts `[REDACTED kind]` (a kebab-case kind) and line breaks where a secret was,
 * so such a match either holds a bracket or a line break, or lies inside a marker: it is a
 * piece of `REDACTED kind`, a tail of "REDACTED " then kind characters, or kind characters
 * alone. Any other literal found nowhere in a file's own text cannot be found in its redacted
 * text either, so that file needs no redaction to answer (most files, on a first search).
 * Ignoring case, letters are compared in lower case; a query with non-ASCII characters is
 * treated as one that could touch (Unicode case folding maps a few of them onto ASCII letters);
 * so is one with control characters.
 *
 * @example couldTouchMarker("InstallRequirement", true) === false; couldTouchMarker("token", true) === true
 */
export function couldTouchMarker(query: string, caseSensitive: boolean): boolean {
  if (/[[\]\r\n]/.test(query)) return true;
  if (!caseSensitive && /[^ -~\t]/.test(query)) return true;
  const q = caseSensitive ? query : query.toLowerCase();
  const head = caseSensitive ? "REDACTED " : "redacted ";
  if (head.includes(q) || KIND_CHARS.test(q)) return true;
  for (let i = 0; i < head.length; i++) {
    const tail = head.slice(i);
    if (q.startsWith(tail) && KIND_CHARS.test(q.slice(tail.length))) return true;
  }
  return false;
}

/**
 * Texts of files searched, per version: one cache in the sandbox worker and one in the search
 * helper (each remembers its half of a large project), each half of the stated bound, so the
 * two together stay within TEXT_CACHE_MAX_CHARS and TEXT_CACHE_MAX_ENTRIES.
 */
const texts = new TextCache(TEXT_CACHE_MAX_CHARS / 2, TEXT_CACHE_MAX_ENTRIES / 2);

/** For tests: forget every remembered text (the helper's too: it is stopped). */
export function clearSearchCache(): void {
  texts.clear();
  closeSearchHelper();
}

/** For tests: how many file versions, and how many characters, the text cache holds. */
export function searchCacheStats(): { entries: number; chars: number } {
  return { entries: texts.size, chars: texts.chars };
}

type Loaded = CachedText | SkipReason | null;

/**
 * A walked file's text: the remembered one when its stamp has not changed (one lstat), else read
 * (open, fstat, read, close), decoded and remembered. Synchronous: a promise per file would cost
 * as much as the stat on a repeated search, and an asynchronous open twice the processor time of
 * a synchronous one on a first search (docs/search.md). Refuses what readWalkedFile refuses: not
 * a regular file, a hard link, over the size cap (on the open file, so a swap is seen).
 */
function load(f: WalkFile, maxFileBytes: number): Loaded {
  if (texts.has(f.abs)) {
    let info: Deno.FileInfo;
    try {
      info = Deno.lstatSync(f.abs);
    } catch {
      return null;
    }
    if (info.isFile && info.nlink !== null && info.nlink <= 1 && info.size <= maxFileBytes) {
      const hit = texts.get(f.abs, fileStamp(info));
      if (hit !== undefined) return hit;
    }
  }
  const startedAt = Date.now();
  const r = readWalkedFileInfoSync(f.abs, maxFileBytes);
  if (r === null || typeof r === "string") return r;
  const text = walkedText(r.bytes);
  const entry: CachedText = typeof text === "string"
    ? { stamp: fileStamp(r.info), bytes: r.bytes.length, text, redacted: false }
    : {
      stamp: fileStamp(r.info),
      bytes: r.bytes.length,
      text: "",
      redacted: false,
      skip: text.skip,
    };
  // A file changed within the clock's resolution could change again under the same stamp.
  if (!isRacy(r.info, startedAt)) texts.set(f.abs, entry);
  return entry;
}

/** How long a search runs without giving its worker's event loop a turn (to hear a cancellation). */
const YIELD_MS = 50;

/** Redacts an entry in place (once per file version) and returns it. */
function redacted(e: CachedText): CachedText {
  if (!e.redacted) {
    const seen = seenText(e.text);
    e.text = seen.text;
    e.redactionLines = seen.redactionLines;
    e.redacted = true;
  }
  return e;
}

/** The walk a search makes: the same options, so the same cached walk, for warmSearch and searchCode. */
function walkOptions(
  req: Pick<SearchRequest, "root" | "path" | "glob" | "allowSecretFiles">,
  caps: WalkCaps,
  signal?: AbortSignal,
): WalkOptions {
  return {
    root: req.root,
    target: req.path,
    ...(req.glob !== undefined ? { glob: req.glob } : {}),
    caps,
    statFiles: false,
    // Folders are skipped by the ignore files alone, as rg skips them (build/ is often code).
    skipVendoredDirs: false,
    allowSecretFiles: req.allowSecretFiles === true,
    ...(signal ? { signal } : {}),
  };
}

/** One file's outcome in a shard, in the shard's order. */
export type FileOutcome =
  /** Vanished or unreadable: not counted. */
  | null
  /** Searched, no match: its size in bytes. */
  | number
  /** Not read (a hard link, too large): counted as skipped, its bytes not counted. */
  | { refused: SkipReason }
  /** Read, then skipped (binary, not UTF-8, minified): its bytes counted. */
  | { bytes: number; skip: SkipReason }
  /** Searched, with its matching lines. */
  | { bytes: number; matches: SearchMatch[] };

/** A part of a search's files, searched on its own (in this worker or a helper). */
export interface ShardRequest {
  files: WalkFile[];
  query: string;
  regex: boolean;
  caseSensitive: boolean;
  contextLines: number;
  maxLineChars: number;
  /** Most matching lines, this part alone (the merge cuts the whole at the same number). */
  maxMatches: number;
  maxFileBytes: number;
  /** The search's total size cap: this part alone over it means the whole is over it. */
  maxTotalBytes: number;
  /** Time left of the search's budget. */
  budgetMs: number;
}

/** What a part found, file by file in its order, up to where it stopped. */
export interface ShardResult {
  outcomes: FileOutcome[];
  stopped?: "time" | "matches" | "bytes";
}

/** The matching lines of one file's text, at most `limit`. */
function matchText(
  f: WalkFile,
  entry: CachedText,
  find: Finder,
  req: ShardRequest,
  limit: number,
): SearchMatch[] {
  const text = entry.text;
  const redactionLines = entry.redactionLines ?? [];
  const shownRedactions = (from: number, to: number) =>
    redactionLines.reduce((n, l) => n + (l >= from && l <= to ? 1 : 0), 0);
  const out: SearchMatch[] = [];
  let lines: string[] | undefined;
  let lineNo = 1;
  let lineStart = 0;
  let scanned = 0;
  let lastLine = 0;
  for (const [s, e] of find(text)) {
    // Advance the line count to the match's start.
    for (let i = text.indexOf("\n", scanned); i !== -1 && i < s; i = text.indexOf("\n", i + 1)) {
      lineNo++;
      lineStart = i + 1;
    }
    scanned = s;
    if (lineNo === lastLine) continue; // one record per matching line
    lastLine = lineNo;
    const nl = text.indexOf("\n", lineStart);
    let lineText = text.slice(lineStart, nl === -1 ? text.length : nl);
    if (lineText.endsWith("\r")) lineText = lineText.slice(0, -1);
    const col = s - lineStart;
    const m: SearchMatch = {
      file: f.rel,
      line: lineNo,
      column: col + 1,
      // Cut after redaction: a window can neither split a secret past the rules nor show its inside.
      text: cutLine(lineText, col, Math.min(e - lineStart, lineText.length), req.maxLineChars),
    };
    let from = lineNo, to = lineNo;
    if (req.contextLines > 0) {
      lines ??= text.split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
      const idx = lineNo - 1;
      const first = Math.max(0, idx - req.contextLines);
      m.before = lines.slice(first, idx).map((l) => cutLine(l, 0, 0, req.maxLineChars));
      m.after = lines.slice(idx + 1, idx + 1 + req.contextLines).map((l) =>
        cutLine(l, 0, 0, req.maxLineChars)
      );
      if (
        m.after.length > 0 && m.after[m.after.length - 1] === "" &&
        idx + 1 + m.after.length === lines.length
      ) m.after.pop();
      from = first + 1;
      to = idx + 1 + m.after.length;
    }
    const n = redactionLines.length > 0 ? shownRedactions(from, to) : 0;
    if (n > 0) m.redactions = n;
    out.push(m);
    if (out.length >= limit) break;
  }
  return out;
}

/**
 * A test of a file's own text, false when the text shows that its redacted text holds no match
 * either; null when the query could match a redaction marker (then every file is redacted
 * before it is searched).
 */
function rawProbe(
  query: string,
  regex: boolean,
  caseSensitive: boolean,
): ((text: string) => boolean) | null {
  if (!regex) {
    if (couldTouchMarker(query, caseSensitive)) return null;
    if (caseSensitive) return (text) => text.includes(query);
    const probe = new RegExp(escapeRegExp(query), "iu");
    return (text) => probe.test(text);
  }
  const required = requiredLiteral(query, caseSensitive);
  if (required === null || couldTouchMarker(required.literal, required.caseSensitive)) return null;
  return required.test;
}

/**
 * Searches a part of a search's files, in their order: each file's text (remembered or read),
 * then the query on the text the model could see. Stops at the part's own match, size or time
 * cap; the merge (searchCode) applies the search's caps to the parts together, in path order.
 */
export async function searchShard(
  req: ShardRequest,
  signal?: AbortSignal,
): Promise<Outcome<ShardResult>> {
  const deadline = performance.now() + req.budgetMs;
  const finder = compileQuery(req.query, req.regex, req.caseSensitive);
  if (!finder.ok) return finder;
  const find = finder.value;
  // A literal that cannot touch a marker is looked for in the file's own text first: a file
  // without it is answered without redaction (most files, on a first search). A regular
  // expression's required literal (every match holds it) serves the same way.
  const inRaw = rawProbe(req.query, req.regex, req.caseSensitive);
  const outcomes: FileOutcome[] = [];
  let found = 0;
  let totalBytes = 0;
  let yielded = performance.now();
  for (let i = 0; i < req.files.length; i++) {
    const f = req.files[i]!;
    if ((i & 63) === 63 && performance.now() - yielded > YIELD_MS) {
      await new Promise((r) => setTimeout(r, 0));
      yielded = performance.now();
    }
    if (signal?.aborted) throw new DOMException("cancelled", "AbortError");
    if (performance.now() > deadline) return { ok: true, value: { outcomes, stopped: "time" } };
    const loaded = load(f, req.maxFileBytes);
    if (loaded === null || typeof loaded === "string") {
      outcomes.push(loaded === null ? null : { refused: loaded });
      continue;
    }
    totalBytes += loaded.bytes;
    if (loaded.skip !== undefined) {
      outcomes.push({ bytes: loaded.bytes, skip: loaded.skip });
    } else if (!loaded.redacted && inRaw !== null && !inRaw(loaded.text)) {
      outcomes.push(loaded.bytes);
    } else {
      const matches = matchText(f, redacted(loaded), find, req, req.maxMatches - found);
      found += matches.length;
      outcomes.push(matches.length > 0 ? { bytes: loaded.bytes, matches } : loaded.bytes);
    }
    if (totalBytes > req.maxTotalBytes) return { ok: true, value: { outcomes, stopped: "bytes" } };
    if (found >= req.maxMatches) return { ok: true, value: { outcomes, stopped: "matches" } };
  }
  return { ok: true, value: { outcomes } };
}

/**
 * A search with at least this many files is split in two halves searched at once, one in this
 * worker and one in a helper worker (both cores, as rg uses them); each half keeps its files'
 * texts. Fewer files are searched here alone (a helper's message costs more than it saves).
 */
let shardMinFiles = 500;

/** For tests: split searches of at least `n` files (Infinity: never). */
export function setShardMinFiles(n: number): void {
  shardMinFiles = n;
}

/** Which half a file belongs to: by its path, so a file stays with the half that remembers it. */
function half(rel: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < rel.length; i++) h = Math.imul(h ^ rel.charCodeAt(i), 0x01000193);
  return h & 1;
}

/**
 * The helper worker that searches the second half: another instance of the sandbox worker's own
 * module (so a compiled binary holds it already), with permission to read the project root and
 * its own modules, nothing else; the same path policy (hard links). Started on a project's first
 * large search (or while idle, by warmSearch), kept for the worker's life, replaced if it fails.
 */
class ShardHelper {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  #next = 1;
  failed = false;
  /** True once the helper has loaded its search code (it answered an empty half). */
  ready = false;
  /** Settles when the helper is ready, or has failed. */
  readonly started: Promise<void>;

  constructor(readonly root: string) {
    const src = new URL("../", import.meta.url);
    const moduleDirs = Deno.build.standalone === true || src.protocol !== "file:"
      ? []
      : [fileURLToPath(src)];
    this.#worker = new Worker(new URL("./worker.ts", import.meta.url), {
      type: "module",
      name: "search-helper",
      deno: {
        permissions: {
          read: [root, ...moduleDirs],
          write: false,
          net: false,
          run: false,
          env: false,
          ffi: false,
          sys: false,
          import: false,
        },
      },
    } as WorkerOptions);
    this.#worker.onmessage = (e: MessageEvent<WorkerResponse>) => {
      const p = this.#pending.get(e.data.id);
      if (p === undefined) return;
      this.#pending.delete(e.data.id);
      if (e.data.ok) p.resolve(e.data.value);
      else p.reject(new Error(e.data.error.message));
    };
    this.#worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.#fail(new Error(`search helper failed: ${e.message}`));
    };
    this.#worker.onmessageerror = () => this.#fail(new Error("search helper: unreadable message"));
    this.#worker.postMessage({ policy: pathPolicy() });
    // An empty half: the helper starts and loads its search code.
    const nothing = { query: "x", regex: false, caseSensitive: true, contextLines: 0 };
    this.started = this.search(
      shardRequest([], { ...nothing, maxLineChars: 1, maxMatches: 1 }, SEARCH_WALK_CAPS, 1_000),
    ).then(() => void (this.ready = true), () => {});
  }

  #fail(err: Error): void {
    this.failed = true;
    this.#worker.terminate();
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
  }

  /** Searches a half in the helper; rejects when the helper fails (the caller searches it here). */
  search(req: ShardRequest, signal?: AbortSignal): Promise<Outcome<ShardResult>> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      if (this.failed) {
        reject(new Error("search helper failed"));
        return;
      }
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      signal?.addEventListener("abort", () => {
        if (!this.failed) this.#worker.postMessage({ cancel: id });
      }, { once: true });
      this.#worker.postMessage({ id, op: "searchShard", args: req });
    });
  }

  close(): void {
    this.#fail(new Error("search helper closed"));
  }
}

let helper: ShardHelper | undefined;
/** Halves the helper answered (for tests). */
let helperAnswers = 0;

/** For tests: how many halves the helper worker has answered so far. */
export function searchHelperAnswers(): number {
  return helperAnswers;
}

/** Helpers that failed; after MAX_HELPER_FAILURES no more are started (searches run whole). */
let helperFailures = 0;
const MAX_HELPER_FAILURES = 3;

/** The helper for this root, started if need be (its start takes a while: see `ready`). */
function helperFor(root: string): ShardHelper | undefined {
  if (helper !== undefined && (helper.failed || helper.root !== root)) {
    if (helper.failed) helperFailures++;
    helper.close();
    helper = undefined;
  }
  if (helper === undefined && helperFailures >= MAX_HELPER_FAILURES) return undefined;
  try {
    helper ??= new ShardHelper(root);
  } catch {
    helperFailures = MAX_HELPER_FAILURES; // no worker here (a permission missing): never again
    return undefined;
  }
  return helper;
}

/** For tests: starts the helper for this root and waits until it is ready; false if it failed. */
export async function searchHelperReady(root: string): Promise<boolean> {
  const h = helperFor(root);
  if (h === undefined) return false;
  await h.started;
  return h.ready;
}

/** For tests: the helper fails now (terminated as by a crash), as if it had died mid-search. */
export function failSearchHelper(): void {
  helper?.close();
}

/** For tests: stop the helper worker (a test must not leave a worker running). */
export function closeSearchHelper(): void {
  helper?.close();
  helper = undefined;
  helperFailures = 0;
}

/**
 * Prepares a first search while the worker is idle: this module is loaded by then (the caller
 * imported it), the whole project's walk is made and remembered, and for a project large enough
 * to be split the helper worker is started and loads its search code, so a first search of the
 * project pays none of it (a walk holds one small record per file; see the walk cache's bound).
 */
export function warmSearch(root: string, allowSecretFiles = false): void {
  const w = walkFilesCached(walkOptions({ root, path: ".", allowSecretFiles }, SEARCH_WALK_CAPS));
  if (w.ok && w.value.files.length >= shardMinFiles) helperFor(root);
}

function shardRequest(
  files: WalkFile[],
  req: Pick<
    SearchRequest,
    "query" | "regex" | "caseSensitive" | "contextLines" | "maxLineChars" | "maxMatches"
  >,
  caps: WalkCaps,
  budgetMs: number,
): ShardRequest {
  return {
    files,
    query: req.query,
    regex: req.regex,
    caseSensitive: req.caseSensitive,
    contextLines: req.contextLines,
    maxLineChars: req.maxLineChars,
    maxMatches: req.maxMatches,
    maxFileBytes: caps.maxFileBytes,
    maxTotalBytes: caps.maxTotalBytes,
    budgetMs,
  };
}

export async function searchCode(
  req: SearchRequest,
  signal?: AbortSignal,
): Promise<Outcome<SearchResult>> {
  const started = performance.now();
  const finder = compileQuery(req.query, req.regex, req.caseSensitive);
  if (!finder.ok) return finder;
  const caps = req.caps ?? SEARCH_WALK_CAPS;
  const walked = walkFilesCached(walkOptions(req, caps, signal));
  if (!walked.ok) return walked;
  const w = walked.value;
  const budget = () => req.timeBudgetMs - (performance.now() - started);
  // The halves: file i is searched by halves[i] (0 here, 1 in the helper). Without a helper
  // ready (started while idle, see warmSearch), the search runs whole and starts one after it
  // has answered: a helper starting now would compete with this search for the processor.
  const large = w.files.length >= shardMinFiles;
  const split = large && helper?.ready === true && !helper.failed && helper.root === req.root
    ? helper
    : undefined;
  if (large && split === undefined) setTimeout(() => helperFor(req.root), 0);
  const halves = split !== undefined ? w.files.map((f) => half(f.rel)) : undefined;
  const mine: WalkFile[] = [];
  const theirs: WalkFile[] = [];
  for (let i = 0; i < w.files.length; i++) {
    (halves?.[i] === 1 ? theirs : mine).push(w.files[i]!);
  }
  const remote = split !== undefined && theirs.length > 0
    ? split.search(shardRequest(theirs, req, caps, budget()), signal).catch(() => undefined)
    : undefined;
  const local = await searchShard(shardRequest(mine, req, caps, budget()), signal);
  if (!local.ok) return local;
  let other: ShardResult | undefined;
  if (remote !== undefined) {
    const r = await remote;
    if (signal?.aborted) throw new DOMException("cancelled", "AbortError");
    // A helper that failed: its half is searched here.
    if (r !== undefined) helperAnswers++;
    const got = r ?? await searchShard(shardRequest(theirs, req, caps, budget()), signal);
    if (!got.ok) return got;
    other = got.value;
  }
  return { ok: true, value: merge(w, halves, [local.value, other], req, caps, started) };
}

/**
 * The halves' outcomes put back in path order, with the search's caps applied as one search
 * over all files would: the total size, the matching lines, and a half stopped by time ends the
 * answer at its first file not searched.
 */
function merge(
  w: WalkResult,
  halves: number[] | undefined,
  parts: [ShardResult, ShardResult | undefined],
  req: SearchRequest,
  caps: WalkCaps,
  started: number,
): SearchResult {
  const skipped: SkipCounts = { ...w.skipped };
  const bump = (k: keyof SkipCounts) => (skipped[k] = (skipped[k] ?? 0) + 1);
  const matches: SearchMatch[] = [];
  let filesSearched = 0;
  let filesWithMatches = 0;
  let stopped: SearchResult["stopped"] = w.capped;
  let totalBytes = 0;
  const next = [0, 0];
  outer: for (let i = 0; i < w.files.length; i++) {
    const h = halves?.[i] ?? 0;
    const part = parts[h]!;
    if (next[h]! >= part.outcomes.length) {
      // This half stopped before this file: the whole answer stops here.
      stopped = part.stopped ?? "time";
      break;
    }
    const o = part.outcomes[next[h]!++]!;
    if (o === null) continue;
    if (typeof o === "object" && "refused" in o) {
      bump(o.refused);
      continue;
    }
    totalBytes += typeof o === "number" ? o : o.bytes;
    if (totalBytes > caps.maxTotalBytes) {
      stopped = "bytes";
      break;
    }
    if (typeof o === "object" && "skip" in o) {
      bump(o.skip);
      continue;
    }
    filesSearched++;
    if (typeof o === "number") continue;
    filesWithMatches++;
    for (const m of o.matches) {
      matches.push(m);
      if (matches.length >= req.maxMatches) {
        stopped = "matches";
        break outer;
      }
    }
  }
  return {
    target: w.target,
    matches,
    filesSearched,
    filesWithMatches,
    skipped,
    ...(stopped !== undefined ? { stopped } : {}),
    durationMs: performance.now() - started,
  };
}
