/**
 * The file system isomorphic-git sees: read-only (every write is dropped, so statusMatrix-style
 * index refreshes never reach the disk), confined to the repository root, and bounded: each call
 * checks the operation's cancellation signal, deadline and call count. The library reads refs
 * and the index only: objects (loose or packed) are read by src/git/objects.ts under the
 * inflation cap, so a read of one through this view is refused.
 */
import * as nodeFs from "node:fs";
import * as path from "node:path";
import { isInside } from "../policy/paths.ts";
import { GitLimitError } from "./errors.ts";

/** Bounds on one git operation: a thrown GitLimitError ends it with a clear reason. */
export interface GitBudget {
  signal: AbortSignal;
  /** performance.now() after which every call fails. */
  deadline: number;
  /** Most file system calls and object reads in one operation. */
  maxCalls: number;
  /** Largest inflated object (bytes). */
  maxObjectBytes: number;
  calls: number;
}

export { GitLimitError };

export function makeBudget(
  signal: AbortSignal,
  o: Partial<Omit<GitBudget, "signal" | "calls">> = {},
): GitBudget {
  return {
    signal,
    deadline: o.deadline ?? performance.now() + 60_000,
    maxCalls: o.maxCalls ?? 2_000_000,
    maxObjectBytes: o.maxObjectBytes ?? 32 * 1024 * 1024,
    calls: 0,
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

const OBJECT_FILE = /[/\\]objects[/\\]([0-9a-f]{2}[/\\][0-9a-f]{38}|pack[/\\][^/\\]+)$/;

function outside(p: string): Error {
  return Object.assign(new Error(`EACCES: outside the repository, '${p}'`), { code: "EACCES" });
}

function enoent(p: string): Error {
  return Object.assign(new Error(`ENOENT: no such file or directory, '${p}'`), { code: "ENOENT" });
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
        // Objects are the object store's (inflation caps, packs never held whole): never the library's.
        if (OBJECT_FILE.test(abs)) {
          throw new GitLimitError("internal: a git object was read outside the object store");
        }
        const st = await nodeFs.promises.lstat(abs);
        // Never follow a link inside .git (a ref or object pointing out of the root); the work tree is read elsewhere.
        if (!st.isFile()) throw enoent(p);
        const data = await nodeFs.promises.readFile(abs);
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
