/**
 * History reading for a review's scope: HEAD (branch or detached), the base a user names
 * (branch, tag or commit), their merge base, and the commits in between. Every commit walk
 * is bounded in count; time and cancellation are bounded by the file system view's budget.
 */
import { breathe, checkBudget, type GitBudget, GitLimitError } from "./fs_view.ts";
import type { RefReader } from "./refs.ts";
import {
  type CommitData,
  type GitObject,
  type ObjectStore,
  parseCommit,
  parseTagTarget,
  parseTree,
  type TreeEntry,
} from "./objects.ts";

export interface RepoCtx {
  dir: string;
  gitdir: string;
  budget: GitBudget;
  /** The repository's objects, kept across calls (src/git/objects.ts). */
  store: ObjectStore;
  /** Its refs, read afresh by every operation (src/git/refs.ts). */
  refs: RefReader;
}

/** Reads an object of the expected kind, or fails as the library did (NotFoundError, ObjectTypeError). */
export function readObject(r: RepoCtx, oid: string, want?: GitObject["type"]): GitObject {
  checkBudget(r.budget);
  const o = r.store.read(oid, r.budget);
  if (o === null) {
    throw Object.assign(new Error(`Could not find ${oid}.`), { name: "NotFoundError" });
  }
  if (want !== undefined && o.type !== want) {
    throw Object.assign(new Error(`Object ${oid.slice(0, 7)} is a ${o.type}, not a ${want}.`), {
      name: "ObjectTypeError",
    });
  }
  return o;
}

export function readCommit(r: RepoCtx, oid: string): CommitData {
  return parseCommit(readObject(r, oid, "commit").data);
}

export function readTree(r: RepoCtx, oid: string): TreeEntry[] {
  return parseTree(readObject(r, oid, "tree").data);
}

export interface HeadInfo {
  /** null when the repository has no commits yet. */
  oid: string | null;
  /** Branch name, or null when HEAD is detached. */
  branch: string | null;
}

export function readHead(r: RepoCtx): Promise<HeadInfo> {
  checkBudget(r.budget);
  return Promise.resolve(r.refs.head());
}

/** Follows annotated tags down to the commit they name. */
function peelToCommit(r: RepoCtx, oid: string): string | null {
  for (let i = 0; i < 10; i++) {
    const o = readObject(r, oid);
    if (o.type === "commit") return oid;
    if (o.type !== "tag") return null;
    const next = parseTagTarget(o.data);
    if (next === null) return null;
    oid = next;
  }
  return null;
}

/** Most ancestry steps one name may take ("HEAD~100000" is not a walk we do). */
const MAX_ANCESTRY_STEPS = 10_000;

/**
 * Resolves a branch, tag, remote branch or (abbreviated) commit id, optionally followed by git's
 * ancestry suffixes (`~N` first parents, `^` or `^N` the Nth parent), to a commit id, or null.
 *
 * @example resolveCommitish(r, "HEAD~3"), resolveCommitish(r, "main^2"), resolveCommitish(r, "v1.0~1^")
 */
export async function resolveCommitish(r: RepoCtx, name: string): Promise<string | null> {
  const m = /^(.*?)((?:[~^][0-9]*)+)$/.exec(name);
  if (m === null || m[1] === "") return await resolvePlain(r, name);
  let oid = await resolvePlain(r, m[1]!);
  const steps = [...m[2]!.matchAll(/([~^])([0-9]*)/g)];
  let walked = 0;
  for (const [, op, digits] of steps) {
    if (oid === null) return null;
    const n = digits === "" ? 1 : Number(digits);
    if (!Number.isSafeInteger(n) || (walked += op === "~" ? n : 1) > MAX_ANCESTRY_STEPS) {
      return null;
    }
    if (op === "^") {
      if (n === 0) continue;
      oid = await parentOf(r, oid, n - 1);
    } else {
      for (let i = 0; i < n && oid !== null; i++) oid = await parentOf(r, oid, 0);
    }
  }
  return oid;
}

/** The commit's parent at `index` (0 = first parent), or null when it has none there. */
function parentOf(r: RepoCtx, oid: string, index: number): string | null {
  return readCommit(r, oid).parents[index] ?? null;
}

function resolvePlain(r: RepoCtx, name: string): string | null {
  checkBudget(r.budget);
  const oid = r.refs.resolve(name);
  if (oid !== null) {
    try {
      return peelToCommit(r, oid);
    } catch { /* a ref to a missing object */ }
  }
  if (/^[0-9a-f]{4,40}$/i.test(name)) {
    const found = r.store.expand(name.toLowerCase());
    if (found.length === 1) {
      try {
        return peelToCommit(r, found[0]!);
      } catch { /* not readable */ }
    }
  }
  return null;
}

/**
 * The merge base of `a` and `b` (git's `merge-base`, one answer): both sides are painted down
 * in commit-date order, newest first, and the walk stops once no commit that could still lead
 * to a better base is queued. When `b` is an ancestor of `a` (HEAD~5) only the commits between
 * are read. At most `maxWalk` commits are read; past it the base is refused with a reason.
 */
export async function mergeBase(
  r: RepoCtx,
  a: string,
  b: string,
  maxWalk = 100_000,
): Promise<string | null> {
  if (a === b) return a;
  const A = 1, B = 2, STALE = 4;
  const flags = new Map<string, number>();
  const time = new Map<string, number>();
  const parents = new Map<string, string[]>();
  const queue: string[] = []; // kept sorted by time, newest last (popped first)
  const add = (oid: string, f: number) => {
    const old = flags.get(oid) ?? 0;
    if ((old | f) === old) return;
    flags.set(oid, old | f);
    if (!time.has(oid)) {
      const c = readCommit(r, oid);
      time.set(oid, c.time);
      parents.set(oid, c.parents);
      if (time.size > maxWalk) {
        throw new GitLimitError(
          `the merge base was not found within ${maxWalk} commits; name a nearer base`,
        );
      }
    }
    const t = time.get(oid)!;
    let lo = 0;
    let hi = queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (time.get(queue[mid]!)! <= t) lo = mid + 1;
      else hi = mid;
    }
    queue.splice(lo, 0, oid);
  };
  add(a, A);
  add(b, B);
  const found: string[] = [];
  while (queue.some((o) => (flags.get(o)! & STALE) === 0)) {
    await breathe(r.budget);
    const oid = queue.pop()!;
    let f = flags.get(oid)! & (A | B | STALE);
    if ((f & (A | B)) === (A | B) && (f & STALE) === 0) {
      found.push(oid);
      f |= STALE;
      flags.set(oid, flags.get(oid)! | STALE);
    }
    for (const p of parents.get(oid)!) add(p, f);
  }
  // Of several candidates (criss-cross merges), the newest; git would list them all.
  found.sort((x, y) => time.get(y)! - time.get(x)!);
  return found[0] ?? null;
}

export interface CommitLine {
  id: string;
  subject: string;
}

export interface Range {
  commits: CommitLine[];
  /** Commits in the range, counted up to the walk limit. */
  total: number;
  /** True when the walk stopped at its limit, so total is a lower bound. */
  capped: boolean;
}

interface CommitInfo {
  parents: string[];
  time: number;
  subject: string;
}

function readCommitInfo(r: RepoCtx, oid: string): CommitInfo {
  const c = readCommit(r, oid);
  const first = c.message.split("\n")[0] ?? "";
  // A subject is a line: a hostile one cannot take the answer's budget.
  const subject = first.length > 200 ? first.slice(0, 200) + "…" : first;
  return { parents: c.parents, time: c.time, subject };
}

/**
 * Commits reachable from `head` but not from `base` (git's `base..head`), newest first, by a
 * walk painted from both ends in commit-date order. At most `maxWalk` commits are read.
 */
export async function commitsBetween(
  r: RepoCtx,
  head: string,
  base: string,
  maxShown: number,
  maxWalk = 20_000,
): Promise<Range> {
  const info = new Map<string, CommitInfo>();
  const flags = new Map<string, number>(); // 1 = from head, 2 = from base (uninteresting)
  const queue: string[] = [];
  const get = async (oid: string) => {
    let i = info.get(oid);
    if (!i) {
      i = await readCommitInfo(r, oid);
      info.set(oid, i);
    }
    return i;
  };
  // The oldest commit ever painted interesting only: the walk may not stop while an
  // uninteresting commit as new as it is still queued, since painting it could reach it
  // (commits made in the same second, or clocks that disagree).
  let oldestInteresting = Infinity;
  const push = async (oid: string, flag: number) => {
    const old = flags.get(oid) ?? 0;
    if ((old | flag) === old) return;
    flags.set(oid, old | flag);
    const i = await get(oid);
    if ((old | flag) === 1) oldestInteresting = Math.min(oldestInteresting, i.time);
    queue.push(oid);
  };
  await push(head, 1);
  await push(base, 2);
  const picked: string[] = [];
  let capped = false;
  while (queue.length > 0) {
    // Stop once every queued commit is uninteresting and older than any interesting one.
    if (queue.every((o) => (flags.get(o)! & 2) !== 0 && info.get(o)!.time < oldestInteresting)) {
      break;
    }
    if (info.size >= maxWalk) {
      capped = true;
      break;
    }
    queue.sort((a, b) => info.get(b)!.time - info.get(a)!.time);
    const oid = queue.shift()!;
    await breathe(r.budget);
    const f = flags.get(oid)!;
    // A commit reachable from base passes "uninteresting" on to its parents.
    for (const p of info.get(oid)!.parents) await push(p, f & 2 ? 2 : 1);
  }
  for (const [oid, f] of flags) if (f === 1) picked.push(oid);
  picked.sort((a, b) => info.get(b)!.time - info.get(a)!.time);
  return {
    commits: picked.slice(0, maxShown).map((id) => ({
      id: id.slice(0, 7),
      subject: info.get(id)!.subject,
    })),
    total: picked.length,
    capped,
  };
}

/** Commits reachable from head when there is no base (a new branch's own history), bounded. */
export async function recentCommits(
  r: RepoCtx,
  head: string,
  maxShown: number,
): Promise<CommitLine[]> {
  const out: CommitLine[] = [];
  let oid: string | undefined = head;
  while (oid && out.length < maxShown) {
    const i = await readCommitInfo(r, oid);
    out.push({ id: oid.slice(0, 7), subject: i.subject });
    oid = i.parents[0];
  }
  return out;
}

export { GitLimitError };
