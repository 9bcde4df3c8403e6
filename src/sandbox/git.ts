/**
 * Git reading inside the sandbox worker (this module is loaded on the first git call): the
 * repository must be the root itself; refs, the index and objects are read by src/git/ under
 * the operation's budget (src/git/fs_view.ts). Limits reached and hostile content come back as
 * reasons for the model; anything else is an internal error.
 */
import { openRepo } from "../git/repo.ts";
import { GitLimitError, makeBudget } from "../git/fs_view.ts";
import { storeFor } from "../git/objects.ts";
import { refReader } from "../git/refs.ts";
import { createHash } from "node:crypto";
import { type FileRecord, review, type ReviewOptions, type ReviewOutcome } from "../git/review.ts";
import type { RepoCtx } from "../git/log.ts";
import type { Result } from "../result.ts";

export interface GitReviewRequest extends ReviewOptions {
  root: string;
  /** Bound on the whole operation (ms). */
  timeoutMs: number;
  /** Largest git object inflated (bytes). */
  maxObjectBytes: number;
  /** Summary mode: list each text file's changed functions and classes (src/symbols/changed.ts). */
  symbols?: boolean;
}

/**
 * One operation's view of the repository at the root: its budget (deadline, inflation cap), the
 * object store kept across calls (parsed pack indexes and recent objects, bounds in
 * src/git/objects.ts; the caller refreshes it inside its error handling) and refs read afresh.
 */
function repoContext(
  req: { root: string; timeoutMs: number; maxObjectBytes: number },
  repo: { dir: string; gitdir: string },
  signal: AbortSignal,
): RepoCtx {
  const budget = makeBudget(signal, {
    deadline: performance.now() + req.timeoutMs,
    maxObjectBytes: req.maxObjectBytes,
  });
  const store = storeFor(req.root, repo.gitdir);
  return {
    dir: repo.dir,
    gitdir: repo.gitdir,
    budget,
    store,
    refs: refReader(req.root, repo.gitdir),
  };
}

/**
 * The changed symbols of one file's two versions, remembered by path and both texts' hashes:
 * parsing both versions with tree-sitter is most of a review's time (some 65 µs a line a side), and
 * the same review is asked for again and again (page after page, after each edit of one file).
 * A pure function of its inputs, so never stale; the most recent pairs are kept, within
 * SYMBOL_CACHE_BYTES (estimated from the records' names).
 */
async function changedSymbolsOnce(
  path: string,
  oldText: string,
  newText: string,
): Promise<FileRecord["symbols"]> {
  const key = `${path}\0${textHash(oldText)}\0${textHash(newText)}`;
  const hit = symbolPairs.get(key);
  if (hit !== undefined) {
    symbolPairs.delete(key);
    symbolPairs.set(key, hit); // most recently used last
    return hit;
  }
  let out: FileRecord["symbols"];
  try {
    out = await (await import("../symbols/changed.ts")).changedSymbols(path, oldText, newText);
  } catch {
    // A file whose symbols cannot be worked out is listed without them: never the review's failure.
    return undefined;
  }
  // Not remembered when there is no answer (a language not parsed, or a parse past its time limit).
  if (out === undefined) return undefined;
  const size = symbolsSize(key, out);
  // Another review may have remembered the same pair meanwhile (calls interleave at awaits).
  if (size > SYMBOL_CACHE_BYTES / 4 || symbolPairs.has(key)) return out;
  symbolPairs.set(key, out);
  symbolBytes += size;
  for (const [k, v] of symbolPairs) {
    if (symbolBytes <= SYMBOL_CACHE_BYTES) break;
    symbolPairs.delete(k); // least recently used first
    symbolBytes -= symbolsSize(k, v);
  }
  return out;
}

/** Bound of the remembered changed symbols (UTF-16 names and keys, plus a fixed cost a record). */
const SYMBOL_CACHE_BYTES = 4 * 1024 * 1024;
const symbolPairs = new Map<string, NonNullable<FileRecord["symbols"]>>();
let symbolBytes = 0;

function symbolsSize(key: string, v: NonNullable<FileRecord["symbols"]>): number {
  let n = 64 + key.length * 2;
  for (const s of v.symbols) n += 96 + s.name.length * 2;
  return n;
}

function textHash(text: string): string {
  return createHash("sha1").update(text).digest("hex");
}

export async function gitReview(
  req: GitReviewRequest,
  signal: AbortSignal,
): Promise<ReviewOutcome> {
  const repo = openRepo(req.root);
  if (!repo.ok) return repo;
  const r = repoContext(req, repo.value, signal);
  try {
    r.store.refresh();
    const onTextPair = req.symbols ? changedSymbolsOnce : undefined;
    return await review(r, onTextPair ? { ...req, onTextPair } : req);
  } catch (err) {
    if (err instanceof GitLimitError) return { ok: false, reason: err.message };
    const name = (err as Error).name;
    if ((err as { code?: string }).code === "EACCES") {
      return {
        ok: false,
        reason:
          "the repository refers to a path outside the project root (a ref or object path); it was not read",
      };
    }
    if (name === "UnsafeFilepathError") {
      return {
        ok: false,
        reason: `the repository holds a tree entry with an unsafe name (${
          (err as Error).message
        }); it was not read`,
      };
    }
    // The library's own refusals of damaged or unexpected data: say so rather than fail internally.
    if (
      [
        "NotFoundError",
        "ObjectTypeError",
        "InternalError",
        "ParseError",
        "DecompressionError",
        "InvalidOidError",
      ].includes(name)
    ) {
      return {
        ok: false,
        reason: `the repository could not be read (${name}: ${
          (err as Error).message.split("\n")[0]
        })`,
      };
    }
    throw err;
  } finally {
    r.store.release();
  }
}

export interface GitBaseTextsRequest {
  root: string;
  /** The review's base, as the model gave it; absent: HEAD. */
  base?: string;
  /** Paths in the base tree ("/"-separated, relative), already checked to be inside the root. */
  paths: string[];
  timeoutMs: number;
  maxObjectBytes: number;
  /** Largest base version read (bytes). */
  maxFileBytes: number;
}

export type GitBaseTexts = Result<Record<string, import("../git/base_text.ts").BaseText>>;

/**
 * The base version of changed files as text (src/git/base_text.ts), read like gitReview reads,
 * for linting in memory. A failure is a reason: the caller then tags without a baseline.
 */
export async function gitBaseTexts(
  req: GitBaseTextsRequest,
  signal: AbortSignal,
): Promise<GitBaseTexts> {
  const repo = openRepo(req.root);
  if (!repo.ok) return repo;
  const r = repoContext(req, repo.value, signal);
  try {
    r.store.refresh();
    const { reviewBaseCommit, readBaseText } = await import("../git/base_text.ts");
    const commit = await reviewBaseCommit(r, req.base);
    if (commit === null) return { ok: false, reason: "no base commit" };
    const texts: Record<string, import("../git/base_text.ts").BaseText> = {};
    for (const p of req.paths) {
      try {
        texts[p] = readBaseText(r, commit, p, req.maxFileBytes);
      } catch (err) {
        if (!(err instanceof GitLimitError) || !err.message.includes("inflates")) throw err;
        texts[p] = { ok: false, reason: "too-large" };
      }
    }
    return { ok: true, value: texts };
  } catch (err) {
    if ((err as Error).name === "AbortError") throw err;
    return {
      ok: false,
      reason: `${(err as Error).name}: ${(err as Error).message.split("\n")[0]}`,
    };
  } finally {
    // The pack files this read opened are closed, as after a review (their indexes stay parsed).
    r.store.release();
  }
}
