/**
 * Git reading inside the sandbox worker: the repository must be the root itself; the library
 * sees a read-only, bounded view of it (src/git/fs_view.ts). Limits reached and hostile
 * content come back as reasons for the model; anything else is an internal error.
 */
import process from "node:process";
import { openRepo } from "../git/repo.ts";
import { GitLimitError, makeBudget, preloadPacks, readOnlyFs } from "../git/fs_view.ts";
import type { ReviewOptions, ReviewOutcome } from "../git/review.ts";

/**
 * The worker has no environment access, and the library's `ignore` dependency reads
 * process.env.IGNORE_TEST_WIN32 when it loads: a denied variable reads as unset here instead
 * of throwing. The library is loaded on the first git call only.
 */
let loaded: Promise<typeof import("../git/review.ts")> | undefined;
function loadReview() {
  if (!loaded) {
    const real = process.env;
    process.env = new Proxy({} as NodeJS.ProcessEnv, {
      get: (_t, k) => {
        try {
          return typeof k === "string" ? real[k] : undefined;
        } catch {
          return undefined;
        }
      },
    });
    loaded = import("../git/review.ts");
  }
  return loaded;
}

export interface GitReviewRequest extends ReviewOptions {
  root: string;
  /** Bound on the whole operation (ms). */
  timeoutMs: number;
  /** Largest git object inflated (bytes). */
  maxObjectBytes: number;
}

export async function gitReview(
  req: GitReviewRequest,
  signal: AbortSignal,
): Promise<ReviewOutcome> {
  const repo = openRepo(req.root);
  if (!repo.ok) return repo;
  const budget = makeBudget(signal, {
    deadline: performance.now() + req.timeoutMs,
    maxObjectBytes: req.maxObjectBytes,
  });
  const r = {
    fs: readOnlyFs(req.root, budget),
    dir: repo.dir,
    gitdir: repo.gitdir,
    cache: {},
    budget,
  };
  try {
    const { review } = await loadReview();
    await preloadPacks(repo.gitdir, budget);
    return await review(r, req);
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

export type GitBaseTexts =
  | { ok: true; texts: Record<string, import("../git/base_text.ts").BaseText> }
  | { ok: false; reason: string };

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
  const budget = makeBudget(signal, {
    deadline: performance.now() + req.timeoutMs,
    maxObjectBytes: req.maxObjectBytes,
  });
  const r = {
    fs: readOnlyFs(req.root, budget),
    dir: repo.dir,
    gitdir: repo.gitdir,
    cache: {},
    budget,
  };
  try {
    await loadReview();
    const { reviewBaseCommit, readBaseText } = await import("../git/base_text.ts");
    await preloadPacks(repo.gitdir, budget);
    const commit = await reviewBaseCommit(r, req.base);
    if (commit === null) return { ok: false, reason: "no base commit" };
    const texts: Record<string, import("../git/base_text.ts").BaseText> = {};
    for (const p of req.paths) {
      try {
        texts[p] = await readBaseText(r, commit, p, req.maxFileBytes);
      } catch (err) {
        if (!(err instanceof GitLimitError) || !err.message.includes("inflates")) throw err;
        texts[p] = { ok: false, reason: "too-large" };
      }
    }
    return { ok: true, texts };
  } catch (err) {
    if ((err as Error).name === "AbortError") throw err;
    return {
      ok: false,
      reason: `${(err as Error).name}: ${(err as Error).message.split("\n")[0]}`,
    };
  }
}
