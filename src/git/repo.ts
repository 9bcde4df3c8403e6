/**
 * Which repository the server reads: only the one whose `.git` folder sits directly in the
 * project root. A `.git` symlink, a `.git` file (worktrees, submodules: `gitdir:` elsewhere)
 * or a root below a repository's top folder are refused with what to do instead.
 */
import * as path from "node:path";
import { isInside } from "../policy/paths.ts";
import type { ResultWith } from "../result.ts";

export type RepoOutcome = ResultWith<{ dir: string; gitdir: string }, { notRepo?: boolean }>;

export interface RepoFs {
  lstat(p: string): Deno.FileInfo;
  readTextFile(p: string): string;
  realPath(p: string): string;
}

const denoRepoFs: RepoFs = {
  lstat: (p) => Deno.lstatSync(p),
  readTextFile: (p) => Deno.readTextFileSync(p),
  realPath: (p) => Deno.realPathSync(p),
};

function lstatOrNull(fs: RepoFs, p: string): Deno.FileInfo | null {
  try {
    return fs.lstat(p);
  } catch {
    return null; // missing, or outside what the sandbox may read
  }
}

/**
 * Decides whether `root` (a real path) is a repository's top folder.
 *
 * @example openRepo("/proj") // { ok: false, reason: "\".git\" is a symbolic link ..." } when /proj/.git -> /elsewhere
 */
export function openRepo(root: string, fs: RepoFs = denoRepoFs): RepoOutcome {
  const dotGit = path.join(root, ".git");
  const st = lstatOrNull(fs, dotGit);
  const restart = "review it by starting the server with --root at a repository's own top folder";
  if (st?.isSymlink) {
    let target = "";
    try {
      target = fs.realPath(dotGit);
    } catch { /* a link the sandbox cannot follow leads outside the root */ }
    const where = target !== "" && isInside(root, target)
      ? "elsewhere in the project"
      : "outside the project root";
    return {
      ok: false,
      reason:
        `".git" is a symbolic link leading ${where}; the repository must be the root itself: ${restart}`,
    };
  }
  if (st?.isFile) {
    let line = "";
    try {
      line = fs.readTextFile(dotGit).split("\n")[0]?.trim() ?? "";
    } catch { /* unreadable */ }
    const gitdir = line.startsWith("gitdir:") ? line.slice(7).trim() : "";
    const abs = gitdir === "" ? "" : path.resolve(root, gitdir);
    const where = abs !== "" && !isInside(root, abs)
      ? `outside the project root (${gitdir})`
      : `"${gitdir}"`;
    return {
      ok: false,
      reason: `".git" is a file whose gitdir points ${where} (a linked worktree or submodule); ` +
        `only a repository whose .git folder is inside the root can be read: ${restart}`,
    };
  }
  if (st?.isDirectory) {
    if (lstatOrNull(fs, path.join(dotGit, "HEAD")) === null) {
      return {
        ok: false,
        reason: '".git" has no HEAD file: it is not a readable git repository',
        notRepo: true,
      };
    }
    return { ok: true, value: { dir: root, gitdir: dotGit } };
  }
  // No .git here: is the root a subfolder of a repository? Only visible when the sandbox may look up.
  for (let dir = path.dirname(root);; dir = path.dirname(dir)) {
    const up = lstatOrNull(fs, path.join(dir, ".git"));
    if (up !== null) {
      return {
        ok: false,
        reason:
          `the project root is a subfolder of the repository at ${dir}; start the server with --root ${dir} to review its changes`,
      };
    }
    if (dir === path.dirname(dir)) break;
  }
  return {
    ok: false,
    reason:
      "not a git repository (no .git folder in the project root; if the root is a subfolder of a repository, " +
      "start the server with --root at the repository's top folder)",
    notRepo: true,
  };
}
