/**
 * Git reading inside the sandbox worker: the repository must be the root itself; the library
 * sees a read-only, bounded view of it (src/git/fs_view.ts). Limits reached and hostile
 * content come back as reasons for the model; anything else is an internal error.
 */
import process from "node:process";
import { openRepo } from "../git/repo.ts";
import { GitLimitError, makeBudget, readOnlyFs } from "../git/fs_view.ts";
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
  const { review, storeFor } = await loadReview();
  // Kept across calls: parsed pack indexes and recent objects (bounds in src/git/objects.ts).
  const store = storeFor(req.root, repo.gitdir);
  const r = {
    fs: readOnlyFs(req.root, budget),
    dir: repo.dir,
    gitdir: repo.gitdir,
    cache: {},
    budget,
    store,
  };
  try {
    store.refresh();
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
  } finally {
    store.release();
  }
}
