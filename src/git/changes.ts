/**
 * Which files changed: a base tree (HEAD's, or the merge base's) against the working tree,
 * through the index. The index's stat data decides which files are unchanged, so those are
 * neither read nor hashed; only files whose stat differs are hashed, as git itself does.
 * Tree entry names are checked before they become paths; symlinks are read as links.
 */
import { createHash } from "node:crypto";
import { type IndexFile, parseIndexFile } from "./index_file.ts";
import * as path from "node:path";
import { breathe, checkBudget, GitLimitError, readFileTail, readWholeFile } from "./fs_view.ts";
import { componentRefusal, hardLinkRefusal } from "../policy/paths.ts";
import { readTree, type RepoCtx } from "./log.ts";
import { hexAt } from "./objects.ts";
import { readSmallText, rulesFor } from "./ignore_files.ts";
import { globMatcher, type IgnoreRules, isGlob } from "../policy/walk.ts";

/** Notes a tree entry skipped for its name (the first 20 such, names cut short). */
function warnUnsafeEntry(warnings: string[], name: string, prefix: string): void {
  if (warnings.length >= 20) return;
  warnings.push(
    `skipped a tree entry with an unsafe name ${JSON.stringify(name.slice(0, 100))} (in ${
      prefix.slice(0, 200) || "the top folder"
    })`,
  );
}

export const MODE_FILE = 0o100644;
export const MODE_EXEC = 0o100755;
export const MODE_LINK = 0o120000;
export const MODE_GITLINK = 0o160000;

export interface Side {
  oid: string | null;
  mode: number;
  /** Where the content is read from: a blob, or the working tree file. */
  source: "blob" | "worktree";
  size?: number;
}

export type ChangeStatus = "added" | "modified" | "deleted" | "renamed" | "type-changed";

export interface Change {
  path: string;
  oldPath?: string;
  status: ChangeStatus;
  old?: Side;
  new?: Side;
  untracked?: boolean;
}

/**
 * A tree entry name may become a path only when it is one plain component: not empty, `.`, `..`,
 * `.git` (any case), and without a slash, backslash or NUL.
 *
 * @example safeEntryName("../outside") === false; safeEntryName("src") === true
 */
export function safeEntryName(name: string): boolean {
  if (name === "" || name === "." || name === "..") return false;
  if (/[/\\\0]/.test(name)) return false;
  if (name.toLowerCase() === ".git") return false;
  if (componentRefusal(name) !== undefined) return false; // the OS's own rules (policy/paths.ts)
  return true;
}

/** Compiled glob filters, by pattern (the same few patterns come back call after call). */
const globs = new Map<string, { match: (rel: string) => boolean; prefix: string }>();

function globOf(f: string): { match: (rel: string) => boolean; prefix: string } {
  let g = globs.get(f);
  if (!g) {
    // The folders before the first glob character: a walk never needs to leave them.
    const lead = f.slice(0, f.search(/[*?[\]{}]/));
    g = { match: globMatcher(f), prefix: lead.slice(0, lead.lastIndexOf("/") + 1) };
    if (globs.size > 256) globs.clear();
    globs.set(f, g);
  }
  return g;
}

/**
 * Does `p` fall under one of the filters: a file or a folder ("/"-separated, relative, whole
 * components), or a glob as run_linter and search_code take it ("*.py" at any depth,
 * "src/**\/*.py" from the root)?
 */
export function matchesFilters(p: string, filters: readonly string[] | undefined): boolean {
  if (!filters || filters.length === 0) return true;
  return filters.some((f) =>
    f === "" || f === "." || p === f || p.startsWith(f + "/") || (isGlob(f) && globOf(f).match(p))
  );
}

function mayContain(dir: string, filters: readonly string[] | undefined): boolean {
  if (!filters || filters.length === 0) return true;
  return filters.some((f) => {
    if (isGlob(f)) {
      const { prefix } = globOf(f);
      return prefix === "" || prefix.startsWith(dir + "/") || (dir + "/").startsWith(prefix);
    }
    return f === "" || f === "." || f === dir || f.startsWith(dir + "/") || dir.startsWith(f + "/");
  });
}

export interface Limits {
  /** Most entries taken from trees, the index or the working tree in one operation. */
  maxEntries: number;
  /** Most untracked files listed. */
  maxUntracked: number;
  /** Largest working tree file hashed to compare it (bytes). */
  maxHashBytes: number;
}

export interface ChangeSet {
  changes: Change[];
  warnings: string[];
  /** Index entries, and working tree files read and hashed because their stat data differed. */
  stats: { indexed: number; hashed: number };
}

/**
 * One tree's entries under `prefix`: files matching the filters into `out`, folders that may hold
 * a match onto `next`, unsafe names reported and skipped. Returns the entries seen so far; past
 * the limit, the call fails.
 */
function addTreeEntries(
  entries: ReturnType<typeof readTree>,
  prefix: string,
  seen: number,
  filters: readonly string[] | undefined,
  limits: Limits,
  warnings: string[],
  out: Map<string, Side>,
  next: Array<[string, string]>,
): number {
  for (const e of entries) {
    if (++seen > limits.maxEntries) {
      throw new GitLimitError(`the tree has more than ${limits.maxEntries} entries`);
    }
    if (!safeEntryName(e.path)) {
      warnUnsafeEntry(warnings, e.path, prefix);
      continue;
    }
    const p = prefix + e.path;
    if (e.type === "tree") {
      if (mayContain(p, filters)) next.push([e.oid, p + "/"]);
    } else if (matchesFilters(p, filters)) {
      out.set(p, { oid: e.oid, mode: parseInt(e.mode, 8), source: "blob" });
    }
  }
  return seen;
}

/** Flattens a tree into path -> side, skipping unsafe names (reported) and pruning by filters. */
export async function flattenTree(
  r: RepoCtx,
  treeOid: string,
  filters: readonly string[] | undefined,
  limits: Limits,
  warnings: string[],
): Promise<Map<string, Side>> {
  const out = new Map<string, Side>();
  let level: Array<[string, string]> = [[treeOid, ""]];
  let seen = 0;
  while (level.length > 0) {
    await breathe(r.budget);
    const trees = level.map(([oid]) => readTree(r, oid));
    const nextLevel: Array<[string, string]> = [];
    for (let t = 0; t < trees.length; t++) {
      seen = addTreeEntries(
        trees[t]!,
        level[t]![1],
        seen,
        filters,
        limits,
        warnings,
        out,
        nextLevel,
      );
    }
    level = nextLevel;
  }
  return out;
}

/**
 * Trees are immutable by id, so a flattened tree is kept for the next call (a review is often
 * asked for again, page after page): the last few, when not too large.
 */
const flatCache = new Map<string, { map: Map<string, Side>; warnings: string[] }>();
const FLAT_CACHE_ENTRIES = 4;
const FLAT_CACHE_MAX_PATHS = 50_000;

async function flattenTreeCached(
  r: RepoCtx,
  treeOid: string,
  filters: readonly string[] | undefined,
  limits: Limits,
  warnings: string[],
  near?: string,
  index?: IndexFile,
): Promise<Map<string, Side>> {
  const key = `${r.gitdir}\0${treeOid}\0${JSON.stringify(filters ?? [])}`;
  const hit = flatCache.get(key);
  if (hit) {
    flatCache.delete(key);
    flatCache.set(key, hit); // most recently used last
    warnings.push(...hit.warnings);
    return hit.map;
  }
  const own: string[] = [];
  let map: Map<string, Side> | null = null;
  if (near !== undefined && near !== treeOid) {
    map = await flattenAgainst(r, treeOid, near, filters, limits, own, index);
  } else {
    if (index) map = await flattenThroughIndex(r, treeOid, index, filters, limits, own);
    if (map === null) {
      own.length = 0; // the warnings come again from the whole read
      map = await flattenTree(r, treeOid, filters, limits, own);
    }
  }
  warnings.push(...own);
  if (map.size <= FLAT_CACHE_MAX_PATHS) {
    flatCache.set(key, { map, warnings: own });
    if (flatCache.size > FLAT_CACHE_ENTRIES) flatCache.delete(flatCache.keys().next().value!);
  }
  return map;
}

/**
 * Flattens a tree as flattenTree does, but a folder the index's cached-tree extension names with
 * the same tree id is taken from the index's own entries instead of reading its tree objects
 * (git status does the same): after a checkout, a commit or a reset the whole tree is, so
 * a review of uncommitted changes reads no tree at all. Null when the index's entries under
 * such a folder do not match its cached count or are not plain committed entries (a conflict,
 * an intent-to-add, an unsafe name): the caller then reads the trees.
 */
export async function flattenThroughIndex(
  r: RepoCtx,
  treeOid: string,
  index: IndexFile,
  filters: readonly string[] | undefined,
  limits: Limits,
  warnings: string[],
): Promise<Map<string, Side> | null> {
  const cached = index.cachedTrees;
  if (cached === null || cached.get("")?.oid === undefined) return null;
  const out = new Map<string, Side>();
  /** Folders ("" or "a/b/") taken from the index, with the entry count the extension gives. */
  const fromIndex = new Map<string, number>();
  let level: Array<[string, string]> = [[treeOid, ""]];
  let seen = 0;
  while (level.length > 0) {
    await breathe(r.budget);
    const next: Array<[string, string]> = [];
    for (const [oid, prefix] of level) {
      const c = cached.get(prefix);
      if (c !== undefined && c.oid === oid) {
        fromIndex.set(prefix, c.count);
        continue;
      }
      seen = addTreeEntries(readTree(r, oid), prefix, seen, filters, limits, warnings, out, next);
    }
    level = next;
  }
  if (fromIndex.size === 0) return out;
  const counts = new Map<string, number>();
  const whole = fromIndex.has("");
  for (const e of index.entries) {
    let folder: string | undefined = whole ? "" : undefined;
    for (
      let i = e.path.indexOf("/");
      folder === undefined && i !== -1;
      i = e.path.indexOf("/", i + 1)
    ) {
      if (fromIndex.has(e.path.slice(0, i + 1))) folder = e.path.slice(0, i + 1);
    }
    if (folder === undefined) continue;
    counts.set(folder, (counts.get(folder) ?? 0) + 1);
    if (
      e.stage !== 0 || e.intentToAdd || e.mode === 0o40000 ||
      !e.path.split("/").every(safeEntryName)
    ) {
      return null;
    }
    if (matchesFilters(e.path, filters)) {
      out.set(e.path, { oid: e.oid, mode: e.mode, source: "blob" });
    }
  }
  for (const [folder, n] of fromIndex) if ((counts.get(folder) ?? 0) !== n) return null;
  return out;
}

/**
 * Flattens `treeOid` from the flattened `nearOid` (HEAD's tree, usually cached already): both
 * trees are compared by object id and only the subtrees whose ids differ are read, so the cost
 * follows the difference between the two commits, not the size of the tree.
 */
export async function flattenAgainst(
  r: RepoCtx,
  treeOid: string,
  nearOid: string,
  filters: readonly string[] | undefined,
  limits: Limits,
  warnings: string[],
  index?: IndexFile,
): Promise<Map<string, Side>> {
  const out = new Map(
    await flattenTreeCached(r, nearOid, filters, limits, warnings, undefined, index),
  );
  const dropUnder = (prefix: string) => {
    for (const k of out.keys()) if (k.startsWith(prefix)) out.delete(k);
  };
  let level: Array<[string, string | null, string]> = [[treeOid, nearOid, ""]];
  let seen = 0;
  while (level.length > 0) {
    await breathe(r.budget);
    const next: Array<[string, string | null, string]> = [];
    for (const [a, b, prefix] of level) {
      const mine = readTree(r, a);
      const theirs = new Map((b === null ? [] : readTree(r, b)).map((e) => [e.path, e]));
      const names = new Set<string>();
      for (const e of mine) {
        if (++seen > limits.maxEntries) {
          throw new GitLimitError(`the tree has more than ${limits.maxEntries} entries`);
        }
        names.add(e.path);
        if (!safeEntryName(e.path)) {
          warnUnsafeEntry(warnings, e.path, prefix);
          continue;
        }
        const p = prefix + e.path;
        const f = theirs.get(e.path);
        if (f && f.oid === e.oid && f.mode === e.mode) continue; // the same: already in `out`
        if (f && f.type === "tree" && e.type !== "tree") dropUnder(p + "/");
        if (f && f.type !== "tree" && e.type === "tree") out.delete(p);
        if (e.type === "tree") {
          if (mayContain(p, filters)) {
            next.push([e.oid, f?.type === "tree" ? f.oid : null, p + "/"]);
          }
        } else if (matchesFilters(p, filters)) {
          out.set(p, { oid: e.oid, mode: parseInt(e.mode, 8), source: "blob" });
        }
      }
      for (const [name, f] of theirs) {
        if (names.has(name)) continue;
        if (f.type === "tree") dropUnder(prefix + name + "/");
        else out.delete(prefix + name);
      }
    }
    level = next;
  }
  return out;
}

interface IndexEntry {
  oid: string;
  mode: number;
  mtimeMs: number;
  size: number;
  ino: number;
}

/**
 * The index's entries with their stat data (src/git/index_file.ts). An unmerged path keeps its
 * first stage; a missing index (no commits, nothing staged) is empty. `file` is the parsed index
 * itself, cached trees included.
 */
export function readIndex(
  r: RepoCtx,
  limits: Limits,
): { entries: Map<string, IndexEntry>; file: IndexFile } {
  const out = new Map<string, IndexEntry>();
  const none = { entries: out, file: { entries: [], cachedTrees: null } };
  checkBudget(r.budget);
  const file = path.join(r.gitdir, "index");
  let st: Deno.FileInfo;
  try {
    st = Deno.lstatSync(file);
  } catch {
    return none;
  }
  // Never a link or a device; about 70 bytes an entry at most for paths of ordinary length.
  if (!st.isFile) return none;
  if (st.size > limits.maxEntries * 4096) {
    throw new GitLimitError(`the index is larger than ${limits.maxEntries * 4096} bytes`);
  }
  // The same index as last time (same size, same trailing checksum): its parse is reused.
  const known = lastIndex.get(r.gitdir);
  if (known && known.size === st.size && known.maxEntries === limits.maxEntries) {
    const tail = readFileTail(file, 20, st.ino);
    if (tail !== null && hexAt(tail, 0) === known.checksum) return known.value;
  }
  const bytes = readWholeFile(file, st.ino);
  if (bytes === null) return none;
  const parsed = parseIndexFile(bytes, limits.maxEntries);
  for (const e of parsed.entries) {
    if (out.has(e.path) || !e.path.split("/").every(safeEntryName)) continue;
    out.set(e.path, {
      oid: e.oid,
      mode: e.mode,
      mtimeMs: e.mtimeSeconds * 1000 + Math.floor(e.mtimeNanoseconds / 1e6),
      size: e.size,
      ino: e.ino,
    });
  }
  const value = { entries: out, file: parsed };
  const checksum = hexAt(bytes, bytes.length - 20);
  // An index written without its checksum (index.skipHash) is never reused; nor a very large one.
  if (checksum !== "0".repeat(40) && parsed.entries.length <= FLAT_CACHE_MAX_PATHS) {
    lastIndex.delete(r.gitdir);
    lastIndex.set(r.gitdir, { size: bytes.length, checksum, maxEntries: limits.maxEntries, value });
    if (lastIndex.size > 4) lastIndex.delete(lastIndex.keys().next().value!);
  }
  return value;
}

/**
 * The last index parsed, per repository (the last 4, of at most 50,000 entries each), known by its
 * size and trailing SHA-1 (git rewrites the whole file, checksum included, at every change).
 * Read-only for its users.
 */
const lastIndex = new Map<
  string,
  {
    size: number;
    checksum: string;
    maxEntries: number;
    value: { entries: Map<string, IndexEntry>; file: IndexFile };
  }
>();

/**
 * True when the folders leading to `rel` are real folders, no symlink among them: each folder
 * is lstat'ed once per call, its parent first (the root itself is a real path), which costs one
 * call a folder where a realpath costs one per component of the whole path.
 */
function parentIsReal(root: string, rel: string, cache: Map<string, boolean>): boolean {
  const slash = rel.lastIndexOf("/");
  if (slash === -1) return true;
  const dir = rel.slice(0, slash);
  let ok = cache.get(dir);
  if (ok === undefined) {
    ok = parentIsReal(root, dir, cache);
    if (ok) {
      try {
        const st = Deno.lstatSync(path.join(root, dir));
        ok = st.isDirectory && !st.isSymlink;
      } catch {
        ok = false;
      }
    }
    cache.set(dir, ok);
  }
  return ok;
}

function modeOf(info: Deno.FileInfo): number {
  if (info.isSymlink) return MODE_LINK;
  return ((info.mode ?? 0) & 0o111) !== 0 ? MODE_EXEC : MODE_FILE;
}

/** Reads a working tree entry as git stores it: a file's bytes, a symlink's target (never followed). */
export function readWorktree(
  root: string,
  rel: string,
  maxBytes: number,
): { bytes: Uint8Array; mode: number } | { tooLarge: number; hardLink?: string } | null {
  const abs = path.join(root, rel);
  let info: Deno.FileInfo;
  try {
    // A path beyond a symlinked folder is not in the work tree (git says the same): never read through one.
    const dir = path.dirname(abs);
    if (dir !== root && Deno.realPathSync(dir) !== dir) return null;
    info = Deno.lstatSync(abs);
  } catch {
    return null;
  }
  if (info.isSymlink) {
    return { bytes: new TextEncoder().encode(Deno.readLinkSync(abs)), mode: MODE_LINK };
  }
  if (!info.isFile) return null;
  // A second name for a file that may live outside the root: never read, as read_file refuses it.
  const linked = hardLinkRefusal(info);
  if (linked !== undefined) return { tooLarge: info.size, hardLink: linked };
  if (info.size > maxBytes) return { tooLarge: info.size };
  const file = Deno.openSync(abs, { read: true });
  try {
    const after = file.statSync();
    if (!after.isFile || after.ino !== info.ino) return null;
    if (hardLinkRefusal(after) !== undefined) {
      return { tooLarge: after.size, hardLink: hardLinkRefusal(after)! };
    }
    const buf = new Uint8Array(Math.min(after.size, maxBytes) + 1);
    let filled = 0;
    while (filled < buf.length) {
      const n = file.readSync(buf.subarray(filled));
      if (n === null) break;
      filled += n;
    }
    if (filled > maxBytes) return { tooLarge: filled };
    return { bytes: buf.subarray(0, filled), mode: modeOf(info) };
  } finally {
    file.close();
  }
}

/** The id git gives these bytes as a blob: sha1 of "blob <size>\0" and the bytes. */
export function hashBlob(bytes: Uint8Array): string {
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

function hashWorktree(root: string, rel: string, limits: Limits): Side | null {
  const w = readWorktree(root, rel, limits.maxHashBytes);
  if (w === null) return null;
  if ("tooLarge" in w) return { oid: null, mode: MODE_FILE, source: "worktree", size: w.tooLarge };
  const oid = hashBlob(w.bytes);
  return { oid, mode: w.mode, source: "worktree", size: w.bytes.length };
}

/**
 * The working tree's side for every indexed path: stat data equal to the index's (and the file
 * older than the index itself, against the "racy git" case) means unchanged, without reading it.
 */
async function worktreeSides(
  r: RepoCtx,
  index: Map<string, IndexEntry>,
  filters: readonly string[] | undefined,
  limits: Limits,
  stats: ChangeSet["stats"],
): Promise<Map<string, Side>> {
  let indexMtime = Infinity;
  try {
    indexMtime = Deno.lstatSync(path.join(r.gitdir, "index")).mtime?.getTime() ?? Infinity;
  } catch { /* no index yet */ }
  const out = new Map<string, Side>();
  const realDirs = new Map<string, boolean>();
  for (const [p, e] of index) {
    if (!matchesFilters(p, filters)) continue;
    checkBudget(r.budget);
    await breathe(r.budget);
    if (e.mode === MODE_GITLINK) {
      out.set(p, { oid: e.oid, mode: e.mode, source: "blob" });
      continue;
    }
    let info: Deno.FileInfo;
    try {
      if (!parentIsReal(r.dir, p, realDirs)) continue; // beyond a symlinked folder: not in the work tree
      info = Deno.lstatSync(path.join(r.dir, p));
    } catch {
      continue; // deleted in the working tree
    }
    if (!info.isFile && !info.isSymlink) continue; // a folder or something else now: the file is gone
    const mtime = info.mtime?.getTime() ?? -1;
    const same = info.size === e.size && mtime === e.mtimeMs &&
      (e.ino === 0 || e.ino === (info.ino ?? 0) % 2 ** 32) &&
      modeOf(info) === e.mode && mtime < indexMtime;
    if (same) {
      out.set(p, { oid: e.oid, mode: e.mode, source: "blob", size: e.size });
      continue;
    }
    stats.hashed++;
    const side = hashWorktree(r.dir, p, limits);
    if (side) out.set(p, side);
  }
  return out;
}

/**
 * Untracked, not ignored files (and symlinks) under the root, in path order, bounded. Ignore
 * rules are the project walk's (.git/info/exclude, then each .gitignore on the way down, read
 * once per folder), so an ignored folder is never entered unless it holds tracked files.
 */
function untracked(
  r: RepoCtx,
  index: Map<string, IndexEntry>,
  filters: readonly string[] | undefined,
  limits: Limits,
  warnings: string[],
): string[] {
  const trackedDirs = new Set<string>();
  for (const p of index.keys()) {
    for (let i = p.indexOf("/"); i !== -1; i = p.indexOf("/", i + 1)) {
      trackedDirs.add(p.slice(0, i));
    }
  }
  const out: string[] = [];
  const walk = (relDir: string, parentRules: IgnoreRules): boolean => {
    checkBudget(r.budget);
    const abs = relDir === "" ? r.dir : path.join(r.dir, relDir);
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(abs)];
    } catch {
      return true;
    }
    const rules = relDir !== "" && entries.some((e) => e.name === ".gitignore" && e.isFile)
      ? parentRules.with(relDir + "/", readSmallText(path.join(abs, ".gitignore")))
      : parentRules;
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name === ".git") continue;
      const rel = relDir === "" ? e.name : `${relDir}/${e.name}`;
      if (e.isDirectory) {
        if (!mayContain(rel, filters)) continue;
        if (!trackedDirs.has(rel) && rules.ignores(rel, true)) continue;
        if (!walk(rel, rules)) return false;
      } else if (e.isFile || e.isSymlink) {
        if (index.has(rel) || !matchesFilters(rel, filters)) continue;
        if (rules.ignores(rel, false)) continue;
        if (out.length >= limits.maxUntracked) {
          warnings.push(
            `untracked files listed up to ${limits.maxUntracked}; narrow with "paths" or set include_untracked to false`,
          );
          return false;
        }
        out.push(rel);
      }
    }
    return true;
  };
  walk("", rulesFor(r.dir, ""));
  return out;
}

function kindOfMode(mode: number): "file" | "link" | "gitlink" {
  if (mode === MODE_LINK) return "link";
  if (mode === MODE_GITLINK) return "gitlink";
  return "file";
}

/**
 * The changes from `baseTree` (null: an empty base, as for a repository without commits) to the
 * working tree, untracked files included when asked, exact renames paired.
 */
export async function changesSince(
  r: RepoCtx,
  baseTree: string | null,
  opts: {
    filters?: readonly string[] | undefined;
    includeUntracked: boolean;
    limits: Limits;
    /** A tree like the base (HEAD's): the base is read from it where their ids differ only. */
    nearTree?: string | undefined;
  },
): Promise<ChangeSet> {
  const warnings: string[] = [];
  // The index first: its cached trees spare reading the base's trees where they are HEAD's.
  const { entries: index, file: indexFile } = readIndex(r, opts.limits);
  const oldSide = baseTree
    ? await flattenTreeCached(
      r,
      baseTree,
      opts.filters,
      opts.limits,
      warnings,
      opts.nearTree,
      indexFile,
    )
    : new Map<string, Side>();
  const stats = { indexed: index.size, hashed: 0 };
  const newSide = await worktreeSides(r, index, opts.filters, opts.limits, stats);
  const extra = opts.includeUntracked
    ? untracked(r, index, opts.filters, opts.limits, warnings)
    : [];
  const untrackedSet = new Set(extra);
  for (const p of extra) {
    const side = hashWorktree(r.dir, p, opts.limits);
    if (side) newSide.set(p, side);
  }
  const paths = new Set([...oldSide.keys(), ...newSide.keys()]);
  const changes: Change[] = [];
  for (const p of [...paths].sort()) {
    const o = oldSide.get(p);
    const n = newSide.get(p);
    if (o && n) {
      if (o.oid === n.oid && o.mode === n.mode) continue;
      const status: ChangeStatus = kindOfMode(o.mode) !== kindOfMode(n.mode)
        ? "type-changed"
        : "modified";
      changes.push({ path: p, status, old: o, new: n });
    } else if (o) {
      changes.push({ path: p, status: "deleted", old: o });
    } else if (n) {
      changes.push({
        path: p,
        status: "added",
        new: n,
        ...(untrackedSet.has(p) ? { untracked: true } : {}),
      });
    }
  }
  return { changes: pairRenames(changes), warnings, stats };
}

/** Pairs a deleted and an added file with identical content into one rename. */
export function pairRenames(changes: Change[]): Change[] {
  const deletedByOid = new Map<string, Change[]>();
  for (const c of changes) {
    if (c.status === "deleted" && c.old?.oid) {
      const list = deletedByOid.get(c.old.oid) ?? [];
      list.push(c);
      deletedByOid.set(c.old.oid, list);
    }
  }
  if (deletedByOid.size === 0) return changes;
  const consumed = new Set<Change>();
  const out: Change[] = [];
  for (const c of changes) {
    if (c.status === "added" && c.new?.oid) {
      const d = deletedByOid.get(c.new.oid)?.find((x) => !consumed.has(x));
      if (d) {
        consumed.add(d);
        out.push({ path: c.path, oldPath: d.path, status: "renamed", old: d.old!, new: c.new });
        continue;
      }
    }
    out.push(c);
  }
  return out.filter((c) => !consumed.has(c));
}
