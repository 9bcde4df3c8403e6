/**
 * The project walk, inside the worker: the files a project-wide operation visits, in a stable
 * order (names sorted in every folder), chosen by the pure rules of src/policy/walk.ts. It reads
 * .gitignore files and .git/info/exclude on the way down and never leaves the root.
 */
import * as path from "node:path";
import {
  hardLinkRefusal,
  isInside,
  kindOf,
  relativeToRoot,
  resolveInsideRoot,
} from "../policy/paths.ts";
import {
  globMatcher,
  IgnoreRules,
  isBinaryName,
  isGlob,
  isMinifiedName,
  isSkippedDir,
  isVcsDir,
  type SkipReason,
  symlinkDecision,
  type WalkCaps,
} from "../policy/walk.ts";
import { secretFileReason, secretFileRule } from "../policy/secrets.ts";
import type { Outcome } from "./files.ts";
import { type IgnoreFileObserver, readSmallText, rulesFor } from "../git/ignore_files.ts";

export interface WalkFile {
  /** Real absolute path: the one to open. */
  abs: string;
  /** Path relative to the root, "/" separators. */
  rel: string;
  size: number;
}

export interface WalkOptions {
  root: string;
  /** A file, a folder or a glob, relative to the root or absolute inside it; "." is the whole project. */
  target: string;
  /** Only files whose path matches this glob as well (search_code's `glob`). */
  glob?: string;
  caps: WalkCaps;
  /** Only files this accepts are counted and returned (e.g. those some linter handles). */
  accept?: (rel: string) => boolean;
  /**
   * False: regular files are listed without an lstat each (size -1); the caller opens each one
   * with readWalkedFile, which makes the same checks on the open file. Saves a system call per file.
   */
  statFiles?: boolean;
  /** The operator's --allow-secret-files: credential files are visited too. */
  allowSecretFiles?: boolean;
  /** False: .gitignore and .git/info/exclude are not applied (ruff's respect-gitignore = false). */
  respectIgnoreFiles?: boolean;
  /** A folder skipped by name (build, __pycache__ ...) is visited when this says so (ruff lints some). */
  visitSkippedDir?: (rel: string) => boolean;
  /**
   * False: no folder is skipped by its name but version control folders (.git, .hg, .svn), which
   * are left out silently; the ignore files decide the rest, as rg does (search_code). True (the
   * default): vendored, build and cache folders are skipped too (ruff's default excludes).
   */
  skipVendoredDirs?: boolean;
  signal?: AbortSignal;
}

export type SkipCounts = Partial<Record<SkipReason, number>>;

export interface WalkResult {
  /** The target as resolved: a folder or file relative to the root, or the glob. */
  target: string;
  files: WalkFile[];
  totalBytes: number;
  skipped: SkipCounts;
  /** The first cap reached, if any: the walk stopped there. */
  capped?: "files" | "bytes" | "entries";
  /** Some of the skipped files, for the answer's notes (at most a few per reason). */
  examples: Partial<Record<SkipReason, string[]>>;
}

const MAX_EXAMPLES = 3;

/**
 * What a walk read that can go stale, so that a cached walk is revalidated with one stat per
 * folder and per ignore file instead of a new walk: a folder's modification time changes when
 * an entry is added, removed or renamed; an ignore file's own stamp changes when it is edited.
 */
export interface WalkTrace {
  /** Folder (the path listed) -> its stamp (fileStamp). */
  dirs: Map<string, string>;
  /** Ignore file -> its stamp (fileStamp), or "absent". */
  files: Map<string, string>;
  /** The real path the walk started from. */
  start?: string;
  /**
   * True when something read was modified too recently to trust its time stamp (the file system
   * clock is coarse: a second change in the same tick keeps the same time). Git calls such
   * entries racy; a racy walk is not reused.
   */
  racy: boolean;
  startedAt: number;
}

/** How recent (ms before the walk or read started) a modification time is too recent to trust. */
export const RACY_MS = 100;

/**
 * True when a stamp taken now could stay the same through a further change, so what was read
 * under it must not be remembered. Deno reports the change time (ctime) in whole seconds, and
 * some file systems keep whole (or even two) seconds of modification time: a time that falls on
 * a whole second is trusted only once two seconds have passed. The change time is what makes a
 * stamp safe against a writer that puts the old modification time back (touch -d, rsync, tar):
 * any later write or time change moves it to a later second than the one remembered.
 */
export function isRacy(info: Deno.FileInfo, startedAt: number): boolean {
  for (const t of [info.mtime?.getTime(), info.ctime?.getTime()]) {
    if (t === undefined) return true;
    if (t >= startedAt - RACY_MS - (t % 1000 === 0 ? 2000 : 0)) return true;
  }
  return false;
}

/** The stamp a cached read is keyed by: what changes when the file's content may have. */
export function fileStamp(info: Deno.FileInfo): string {
  return `${info.size}:${info.mtime?.getTime() ?? "?"}:${info.ctime?.getTime() ?? "?"}:${
    info.ino ?? "?"
  }`;
}

/** The observer that records the ignore files a walk read into its trace. */
function observe(trace: WalkTrace | undefined): IgnoreFileObserver | undefined {
  if (trace === undefined) return undefined;
  return (abs, info) => {
    if (info === null) {
      trace.files.set(abs, "absent");
      return;
    }
    trace.files.set(abs, fileStamp(info));
    if (isRacy(info, trace.startedAt)) trace.racy = true;
  };
}

/** The fixed folder a glob starts from: "src/**\/*.py" -> "src"; "*.py" -> "". */
function globBase(glob: string): string {
  const parts = glob.replace(/^\.\//, "").split("/");
  const fixed: string[] = [];
  for (const p of parts.slice(0, -1)) {
    if (isGlob(p)) break;
    fixed.push(p);
  }
  return fixed.join("/");
}

/**
 * The files under a target, in path order, with what was skipped and why. A file named
 * directly is visited whatever the ignore rules say (the model asked for it).
 */
export function walkFiles(opts: WalkOptions, trace?: WalkTrace): Outcome<WalkResult> {
  const { root, caps } = opts;
  const result: WalkResult = { target: ".", files: [], totalBytes: 0, skipped: {}, examples: {} };
  const skip = (reason: SkipReason, rel: string) => {
    result.skipped[reason] = (result.skipped[reason] ?? 0) + 1;
    const ex = result.examples[reason] ??= [];
    if (ex.length < MAX_EXAMPLES) ex.push(rel);
  };
  let pathFilter: ((rel: string) => boolean) | undefined;
  let startRequested = opts.target;
  const targetIsGlob = isGlob(opts.target) && !resolveInsideRoot(root, opts.target).ok;
  if (targetIsGlob) {
    const glob = opts.target.replace(/^\.\//, "");
    if (path.isAbsolute(glob)) {
      return { ok: false, reason: "a glob must be relative to the project root" };
    }
    pathFilter = globMatcher(glob);
    startRequested = globBase(glob) || ".";
  }
  const extra = opts.glob ? globMatcher(opts.glob) : undefined;
  const start = resolveInsideRoot(root, startRequested);
  if (!start.ok) {
    if (targetIsGlob && start.reason === "no such file or directory") {
      return { ok: true, value: { ...result, target: opts.target } };
    }
    return start;
  }
  result.target = targetIsGlob ? opts.target : start.value.rel;
  // The .git folder's internals are read through the git tools only, whatever the walk starts at.
  if (secretFileRule(start.value.rel, { allowSecretFiles: true }) !== undefined) {
    return { ok: false, reason: secretFileReason("git-internals") };
  }
  if (start.value.kind === "file") {
    const rel = start.value.rel;
    // A credential file named directly is left out as it would be in a walk (policy/secrets.ts).
    if (secretFileRule(rel, { allowSecretFiles: opts.allowSecretFiles === true }) !== undefined) {
      skip("secret", rel);
      return { ok: true, value: result };
    }
    if (opts.accept && !opts.accept(rel)) return { ok: true, value: result };
    if (start.value.info.size > caps.maxFileBytes) skip("too-large", rel);
    else {
      result.files.push({ abs: start.value.real, rel, size: start.value.info.size });
      result.totalBytes = start.value.info.size;
    }
    return { ok: true, value: result };
  }

  let entriesSeen = 0;
  const startRel = start.value.rel === "." ? "" : start.value.rel;
  const visitDir = (abs: string, rel: string, parentRules: IgnoreRules): boolean => {
    if (opts.signal?.aborted) return false;
    const base = rel === "" ? "" : rel + "/";
    let names: Deno.DirEntry[];
    try {
      if (trace) traceDir(trace, abs);
      names = [...Deno.readDirSync(abs)];
    } catch {
      return true;
    }
    // Only a folder that holds a .gitignore pays for reading one.
    const hasIgnoreFile = rel !== startRel && names.some((e) => e.name === ".gitignore");
    const gi = hasIgnoreFile && opts.respectIgnoreFiles !== false
      ? readSmallText(path.join(abs, ".gitignore"), observe(trace))
      : "";
    const rules = gi !== "" ? parentRules.with(base, gi) : parentRules;
    // The secret-file rules look at a path's last two components at most (.aws/credentials), and
    // .git folders are never entered, so the folder's own name plus the entry's name decides.
    const dirName = rel === "" ? "" : rel.slice(rel.lastIndexOf("/") + 1) + "/";
    names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of names) {
      if (++entriesSeen > caps.maxEntries) {
        result.capped = "entries";
        return false;
      }
      const childRel = base + e.name;
      const childAbs = abs + (abs.endsWith(path.sep) ? "" : path.sep) + e.name;
      let isDir = e.isDirectory;
      let real = childAbs;
      if (e.isSymlink) {
        let inside = false;
        try {
          real = Deno.realPathSync(childAbs);
          inside = isInside(root, real);
          if (inside) isDir = Deno.statSync(real).isDirectory;
        } catch {
          continue; // a dangling link: nothing to visit
        }
        const d = symlinkDecision(inside, isDir);
        if (d !== "visit") {
          skip(d, childRel);
          continue;
        }
        // A link is judged by what it leads to as well: `notes.txt -> .env` or `-> .git/config` is refused as read_file refuses it.
        if (
          secretFileRule(relativeToRoot(root, real), {
            allowSecretFiles: opts.allowSecretFiles === true,
          }) !== undefined
        ) {
          skip("secret", childRel);
          continue;
        }
      } else if (!e.isFile && !e.isDirectory) {
        continue; // FIFOs, sockets, devices: never opened
      }
      if (isDir) {
        if (opts.skipVendoredDirs === false) {
          if (isVcsDir(e.name)) continue;
        } else if (isSkippedDir(e.name) && !opts.visitSkippedDir?.(childRel)) {
          skip("vendored", childRel + "/");
          continue;
        }
        if (rules.ignores(childRel, true)) {
          skip("ignored", childRel + "/");
          continue;
        }
        if (!visitDir(childAbs, childRel, rules)) return false;
        continue;
      }
      if (pathFilter && !pathFilter(childRel)) continue;
      if (extra && !extra(childRel)) continue;
      if (opts.accept && !opts.accept(childRel)) continue;
      if (rules.ignores(childRel, false)) {
        skip("ignored", childRel);
        continue;
      }
      if (
        secretFileRule(dirName + e.name, { allowSecretFiles: opts.allowSecretFiles === true }) !==
          undefined
      ) {
        skip("secret", childRel);
        continue;
      }
      if (isBinaryName(e.name)) {
        skip("binary", childRel);
        continue;
      }
      if (isMinifiedName(e.name)) {
        skip("minified", childRel);
        continue;
      }
      if (opts.statFiles === false && e.isFile) {
        if (result.files.length >= caps.maxFiles) {
          result.capped = "files";
          return false;
        }
        result.files.push({ abs: real, rel: childRel, size: -1 });
        continue;
      }
      let size: number;
      try {
        const info = Deno.lstatSync(real);
        if (kindOf(info) !== "file") continue;
        if (hardLinkRefusal(info) !== undefined) {
          skip("hard-link", childRel);
          continue;
        }
        size = info.size;
      } catch {
        continue;
      }
      if (size > caps.maxFileBytes) {
        skip("too-large", childRel);
        continue;
      }
      if (result.files.length >= caps.maxFiles) {
        result.capped = "files";
        return false;
      }
      if (result.totalBytes + size > caps.maxTotalBytes) {
        result.capped = "bytes";
        return false;
      }
      result.files.push({ abs: real, rel: childRel, size });
      result.totalBytes += size;
    }
    return true;
  };
  if (trace) trace.start = start.value.real;
  const startRules = opts.respectIgnoreFiles === false
    ? IgnoreRules.empty()
    : rulesFor(root, startRel, observe(trace));
  visitDir(start.value.real, startRel, startRules);
  return { ok: true, value: result };
}

/**
 * Records a folder's stamp before it is listed (a change after the stat shows next time): its
 * modification time moves when an entry is added, removed or renamed, its change time too (and
 * with every later change, even one that puts the modification time back).
 */
function traceDir(trace: WalkTrace, abs: string): void {
  const info = Deno.statSync(abs);
  if (isRacy(info, trace.startedAt)) trace.racy = true;
  trace.dirs.set(abs, fileStamp(info));
}

/** True when nothing the trace recorded has changed since. */
function traceHolds(trace: WalkTrace): boolean {
  try {
    for (const [dir, stamp] of trace.dirs) {
      if (fileStamp(Deno.statSync(dir)) !== stamp) return false;
    }
  } catch {
    return false;
  }
  for (const [file, stamp] of trace.files) {
    let now: string;
    try {
      now = fileStamp(Deno.lstatSync(file));
    } catch {
      now = "absent";
    }
    if (now !== stamp) return false;
  }
  return true;
}

interface CachedWalk {
  trace: WalkTrace;
  result: WalkResult;
}

/** Walks kept per root and request (target, glob, caps, secret-file switch), most recent last. */
const walkCache = new Map<string, CachedWalk>();
let walkCacheHits = 0;
/** Bound of walkCache: a walk result holds one small record per file (about 200 bytes). */
export const WALK_CACHE_ENTRIES = 8;

/** For tests: forget every remembered walk. */
export function clearWalkCache(): void {
  walkCache.clear();
}

/** For tests: how many walks are remembered, and how many calls were answered from memory. */
export function walkCacheStats(): { entries: number; hits: number } {
  return { entries: walkCache.size, hits: walkCacheHits };
}

/**
 * walkFiles, remembered: a repeated walk with the same options is answered from memory when no
 * folder it listed and no ignore file it read has changed (one stat each), so a new, deleted or
 * renamed file, or an edited .gitignore, is seen by the next call. Options with a function
 * (`accept`, `visitSkippedDir`) or `statFiles` other than false are not cached. The result must not be modified.
 */
export function walkFilesCached(opts: WalkOptions): Outcome<WalkResult> {
  if (
    opts.accept !== undefined || opts.visitSkippedDir !== undefined || opts.statFiles !== false
  ) return walkFiles(opts);
  const key = JSON.stringify([
    opts.root,
    opts.target,
    opts.glob ?? null,
    opts.caps,
    opts.allowSecretFiles === true,
    opts.respectIgnoreFiles !== false,
    opts.skipVendoredDirs !== false,
  ]);
  const hit = walkCache.get(key);
  if (hit !== undefined) {
    walkCache.delete(key);
    // The target itself may now lead elsewhere (a link changed): resolved again, compared.
    const start = resolveInsideRoot(opts.root, opts.target);
    if (
      traceHolds(hit.trace) &&
      (isGlob(opts.target) || (start.ok && start.value.real === hit.trace.start))
    ) {
      walkCache.set(key, hit);
      walkCacheHits++;
      return { ok: true, value: hit.result };
    }
  }
  const trace: WalkTrace = {
    dirs: new Map(),
    files: new Map(),
    racy: false,
    startedAt: Date.now(),
  };
  const r = walkFiles(opts, trace);
  if (r.ok && !trace.racy && trace.dirs.size > 0 && !opts.signal?.aborted) {
    walkCache.set(key, { trace, result: r.value });
    while (walkCache.size > WALK_CACHE_ENTRIES) walkCache.delete(walkCache.keys().next().value!);
  }
  return r;
}

/**
 * Reads a file the walk listed without statting it: opens it, checks the open file (a regular
 * file, not a hard link, within the size cap) and reads it whole. A reason instead of bytes
 * when it must be skipped; null when it vanished or cannot be read.
 */
export async function readWalkedFile(
  abs: string,
  maxFileBytes: number,
): Promise<Uint8Array | SkipReason | null> {
  const r = await readWalkedFileInfo(abs, maxFileBytes);
  return r === null || typeof r === "string" ? r : r.bytes;
}

/** readWalkedFile, with the open file's stat (for a cache keyed by fileStamp). */
export async function readWalkedFileInfo(
  abs: string,
  maxFileBytes: number,
): Promise<{ bytes: Uint8Array; info: Deno.FileInfo } | SkipReason | null> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(abs, { read: true });
  } catch {
    return null;
  }
  return readOpened(file, maxFileBytes);
}

/**
 * readWalkedFileInfo, synchronous: for a loop over many files, where a promise per file costs
 * more than it saves (measured: an asynchronous open takes twice the processor time of a
 * synchronous one, and on two cores the overlap does not pay it back; docs/search.md).
 */
export function readWalkedFileInfoSync(
  abs: string,
  maxFileBytes: number,
): { bytes: Uint8Array; info: Deno.FileInfo } | SkipReason | null {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(abs, { read: true });
  } catch {
    return null;
  }
  return readOpened(file, maxFileBytes);
}

/** Checks an open file (a regular file, not a hard link, within the size cap), reads it whole and closes it. */
function readOpened(
  file: Deno.FsFile,
  maxFileBytes: number,
): { bytes: Uint8Array; info: Deno.FileInfo } | SkipReason | null {
  try {
    // The stat and the read of an open file are quick system calls, cheaper synchronous than
    // as promises; the checks are made on the open file, so a swap after the walk is seen.
    const info = file.statSync();
    if (!info.isFile) return null;
    if (hardLinkRefusal(info) !== undefined) return "hard-link";
    if (info.size > maxFileBytes) return "too-large";
    const buf = new Uint8Array(info.size);
    let filled = 0;
    while (filled < buf.length) {
      const n = file.readSync(buf.subarray(filled));
      if (n === null) break;
      filled += n;
    }
    return { bytes: filled === buf.length ? buf : buf.subarray(0, filled), info };
  } catch {
    return null;
  } finally {
    file.close();
  }
}

export interface TreeEntry {
  /** Path relative to the listed folder, "/" separators. */
  path: string;
  kind: ReturnType<typeof kindOf>;
  size?: number;
  /** Depth below the listed folder, 1 for its own entries. */
  depth: number;
  /** True when the ignore rules would hide it (shown only with includeIgnored). */
  ignored?: boolean;
}

export interface TreeResult {
  dir: string;
  entries: TreeEntry[];
  /** Entries hidden by the ignore rules (not counted with includeIgnored). */
  hidden: number;
  truncated: boolean;
}

/** A folder's tree down to `depth` levels, folders first in name order, capped at maxEntries. */
export function listTree(
  root: string,
  requested: string,
  depth: number,
  includeIgnored: boolean,
  maxEntries: number,
): Outcome<TreeResult> {
  const r = resolveInsideRoot(root, requested);
  if (!r.ok) return r;
  // The .git folder's internals are read through the git tools only (policy/secrets.ts).
  if (secretFileRule(r.value.rel, { allowSecretFiles: true }) !== undefined) {
    return { ok: false, reason: secretFileReason("git-internals") };
  }
  if (r.value.kind !== "directory") return { ok: false, reason: "is a file, not a directory" };
  const startRel = r.value.rel === "." ? "" : r.value.rel;
  const out: TreeResult = { dir: r.value.rel, entries: [], hidden: 0, truncated: false };
  const walk = (abs: string, rel: string, level: number, rules: IgnoreRules): boolean => {
    const base = rel === "" ? "" : rel + "/";
    const gi = level > 1 ? readSmallText(path.join(abs, ".gitignore")) : "";
    const here = gi !== "" ? rules.with(base, gi) : rules;
    let names: Deno.DirEntry[];
    try {
      names = [...Deno.readDirSync(abs)];
    } catch {
      return true;
    }
    names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of names) {
      const childRel = base + e.name;
      const shown = startRel === "" ? childRel : childRel.slice(startRel.length + 1);
      const hiddenByRules = (e.isDirectory && isSkippedDir(e.name)) ||
        here.ignores(childRel, e.isDirectory);
      if (hiddenByRules && !includeIgnored) {
        out.hidden++;
        continue;
      }
      if (out.entries.length >= maxEntries) {
        out.truncated = true;
        return false;
      }
      const childAbs = abs + (abs.endsWith(path.sep) ? "" : path.sep) + e.name;
      let entry: TreeEntry;
      if (e.isDirectory) entry = { path: shown, kind: "directory", depth: level };
      else if (e.isSymlink) entry = { path: shown, kind: "symlink", depth: level };
      else {
        try {
          const info = Deno.lstatSync(childAbs);
          const kind = kindOf(info);
          entry = kind === "file"
            ? { path: shown, kind, size: info.size, depth: level }
            : { path: shown, kind, depth: level };
        } catch {
          continue;
        }
      }
      if (hiddenByRules) entry.ignored = true;
      out.entries.push(entry);
      if (e.isDirectory && level < depth && e.name !== ".git") {
        if (!walk(childAbs, childRel, level + 1, here)) return false;
      }
    }
    return true;
  };
  walk(r.value.real, startRel, 1, rulesFor(root, startRel));
  return { ok: true, value: out };
}
