/**
 * The file system isomorphic-git sees: read-only (every write is dropped, so statusMatrix-style
 * index refreshes never reach the disk), confined to the repository root, and bounded: each call
 * checks the operation's cancellation signal, deadline and call count, loose objects are
 * inflated under a size cap before the library sees them, and pack files over a size cap are
 * refused rather than read into memory.
 */
import * as nodeFs from "node:fs";
import * as path from "node:path";
import { inflateSync } from "node:zlib";
import { isInside } from "../policy/paths.ts";
import { GitLimitError } from "./errors.ts";
import { MAX_DEFLATE_RATIO, scanPack } from "./pack_guard.ts";

/** Bounds on one git operation: a thrown GitLimitError ends it with a clear reason. */
export interface GitBudget {
  signal: AbortSignal;
  /** performance.now() after which every call fails. */
  deadline: number;
  /** Most file system calls in one operation. */
  maxCalls: number;
  /** Largest inflated object (bytes). */
  maxObjectBytes: number;
  /** Largest pack file read into memory (bytes). */
  maxPackBytes: number;
  calls: number;
  /** Blobs found over maxObjectBytes in the packs (shown as too large, never inflated). */
  oversized: Set<string>;
  /** Packs read and scanned by preloadPacks, handed to the library when it asks for them. */
  packs: Map<string, Uint8Array>;
}

export { GitLimitError };

export function makeBudget(
  signal: AbortSignal,
  o: Partial<Omit<GitBudget, "signal" | "calls" | "oversized" | "packs">> = {},
): GitBudget {
  return {
    signal,
    deadline: o.deadline ?? performance.now() + 60_000,
    maxCalls: o.maxCalls ?? 2_000_000,
    maxObjectBytes: o.maxObjectBytes ?? 32 * 1024 * 1024,
    maxPackBytes: o.maxPackBytes ?? 1024 * 1024 * 1024,
    calls: 0,
    oversized: new Set(),
    packs: new Map(),
  };
}

/** Throws when the operation was cancelled, ran out of time or made too many calls. */
export function checkBudget(b: GitBudget): void {
  if (b.signal.aborted) throw new DOMException("cancelled", "AbortError");
  if (++b.calls > b.maxCalls) {
    throw new GitLimitError(`the repository walk stopped after ${b.maxCalls} file system calls`);
  }
  if ((b.calls & 63) === 0 && performance.now() > b.deadline) {
    throw new GitLimitError("the repository walk ran out of time");
  }
}

const LOOSE_OBJECT = /[/\\]objects[/\\][0-9a-f]{2}[/\\][0-9a-f]{38}$/;
const PACK_FILE = /[/\\]objects[/\\]pack[/\\][^/\\]+\.pack$/;

function outside(p: string): Error {
  return Object.assign(new Error(`EACCES: outside the repository, '${p}'`), { code: "EACCES" });
}

function enoent(p: string): Error {
  return Object.assign(new Error(`ENOENT: no such file or directory, '${p}'`), { code: "ENOENT" });
}

/**
 * Inflates a loose object's bytes with an output cap: an inflation bomb stops at the cap
 * instead of filling memory. Returns the inflated size.
 *
 * @example checkLooseObject(deflate(bigBlob), 1024) // throws GitLimitError
 */
export function checkLooseObject(deflated: Uint8Array, maxObjectBytes: number): number {
  try {
    return inflateSync(deflated, { maxOutputLength: maxObjectBytes + 64 }).length;
  } catch (err) {
    if (err instanceof RangeError || (err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
      throw new GitLimitError(
        `a git object inflates to more than ${maxObjectBytes} bytes; it was not read`,
      );
    }
    throw err;
  }
}

/** Packs already scanned (by path, size, mtime, inode), with their oversized blobs: a pack is scanned once per worker. */
const scannedPacks = new Map<string, { key: string; oversized: Set<string> }>();

function checkPack(abs: string, st: nodeFs.Stats, data: Uint8Array, budget: GitBudget): void {
  const key = `${st.size}:${st.mtimeMs}:${st.ino}:${budget.maxObjectBytes}`;
  let known = scannedPacks.get(abs);
  if (known?.key !== key) {
    // The index is read as the library reads files: a regular file, never a link (to /dev/zero, a FIFO, a file outside).
    const idxPath = abs.replace(/\.pack$/, ".idx");
    const idxInfo = nodeFs.lstatSync(idxPath);
    if (!idxInfo.isFile()) {
      throw new GitLimitError(
        `the pack index ${
          path.basename(idxPath)
        } is not a regular file (a link or a device); it was not read`,
      );
    }
    if (idxInfo.size > budget.maxPackBytes) {
      throw new GitLimitError(
        `a pack index is ${idxInfo.size} bytes, over the ${budget.maxPackBytes}-byte limit`,
      );
    }
    const idx = nodeFs.readFileSync(idxPath);
    known = { key, oversized: scanPack(data, idx, budget.maxObjectBytes) };
    if (scannedPacks.size > 64) scannedPacks.clear();
    scannedPacks.set(abs, known);
  }
  for (const oid of known.oversized) budget.oversized.add(oid);
}

/**
 * Reads and scans every pack of the repository before the library touches an object, so an
 * oversized blob is known before anything asks for it (the library then gets the same bytes).
 */
export async function preloadPacks(gitdir: string, budget: GitBudget): Promise<void> {
  const dir = path.join(gitdir, "objects", "pack");
  let names: string[];
  try {
    // A pack folder (or objects folder) that is a symlink leads out of the repository: never read through it.
    if (nodeFs.realpathSync(dir) !== dir) throw outside(dir);
    names = await nodeFs.promises.readdir(dir);
  } catch (err) {
    if ((err as { code?: string }).code === "EACCES") throw err;
    return; // no packs
  }
  for (const name of names.filter((n) => n.endsWith(".pack"))) {
    checkBudget(budget);
    const abs = path.join(dir, name);
    const st = await nodeFs.promises.lstat(abs);
    if (!st.isFile()) continue;
    if (st.size > budget.maxPackBytes) {
      throw new GitLimitError(
        `a pack file is ${st.size} bytes, over the ${budget.maxPackBytes}-byte limit`,
      );
    }
    const data = await nodeFs.promises.readFile(abs);
    checkPack(abs, st, data, budget);
    budget.packs.set(abs, data);
  }
}

/** An `fs` for isomorphic-git over `root`, read-only and bounded by `budget`. */
export function readOnlyFs(root: string, budget: GitBudget) {
  // Deno and node check a path where it stands: a folder inside .git that is a symlink (objects,
  // refs, objects/pack -> another repository of the user) would lead the library out of the root.
  // Every folder read through is resolved (once per operation) and must stay inside.
  const realDirs = new Map<string, boolean>();
  const realInside = (dir: string): boolean => {
    let ok = realDirs.get(dir);
    if (ok === undefined) {
      try {
        ok = isInside(root, nodeFs.realpathSync(dir));
      } catch {
        ok = true; // missing: nothing can be read through it
      }
      realDirs.set(dir, ok);
    }
    return ok;
  };
  /** `abs` when it is inside the root and so is the real folder holding it (and `abs` itself, for a folder read). */
  const inside = (p: string, followed = false): string => {
    const abs = path.resolve(p);
    if (!isInside(root, abs) || !realInside(path.dirname(abs)) || (followed && !realInside(abs))) {
      throw outside(p);
    }
    return abs;
  };
  const dropped = () => Promise.resolve();
  return {
    promises: {
      async readFile(p: string, opts?: { encoding?: string } | string) {
        checkBudget(budget);
        const abs = inside(p);
        const preloaded = budget.packs.get(abs);
        if (preloaded) {
          budget.packs.delete(abs); // the library keeps it for the rest of the operation
          return preloaded;
        }
        const st = await nodeFs.promises.lstat(abs);
        // Never follow a link inside .git (a ref or object pointing out of the root); the work tree is read elsewhere.
        if (!st.isFile()) throw enoent(p);
        if (PACK_FILE.test(abs) && st.size > budget.maxPackBytes) {
          throw new GitLimitError(
            `a pack file is ${st.size} bytes, over the ${budget.maxPackBytes}-byte limit`,
          );
        }
        const data = await nodeFs.promises.readFile(abs);
        if (PACK_FILE.test(abs)) checkPack(abs, st, data, budget);
        // Deflate expands at most 1032-fold: only a file that could pass the cap is inflated to check.
        if (LOOSE_OBJECT.test(abs) && data.length * MAX_DEFLATE_RATIO > budget.maxObjectBytes) {
          checkLooseObject(data, budget.maxObjectBytes);
        }
        const encoding = typeof opts === "string" ? opts : opts?.encoding;
        return encoding ? data.toString(encoding as BufferEncoding) : data;
      },
      async readdir(p: string) {
        checkBudget(budget);
        return await nodeFs.promises.readdir(inside(p, true));
      },
      async stat(p: string) {
        checkBudget(budget);
        // lstat: a symlink is reported as itself, never followed.
        return await nodeFs.promises.lstat(inside(p));
      },
      async lstat(p: string) {
        checkBudget(budget);
        return await nodeFs.promises.lstat(inside(p));
      },
      async readlink(p: string) {
        checkBudget(budget);
        return await nodeFs.promises.readlink(inside(p));
      },
      writeFile: dropped,
      mkdir: dropped,
      rmdir: dropped,
      rm: dropped,
      unlink: dropped,
      symlink: dropped,
      chmod: dropped,
    },
  };
}
