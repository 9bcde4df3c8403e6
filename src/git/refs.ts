/**
 * Refs as git stores them: HEAD, loose ref files under .git and the packed-refs file. Read with
 * the same care as any file inside .git: a ref name leading out of .git (`..`, an absolute
 * path) is refused, a folder on the way that resolves elsewhere (a symlink out) is never read
 * through, and a ref file that is a link or a device is never followed.
 */
import * as path from "node:path";
import { isInside } from "../policy/paths.ts";

export interface RefReader {
  /** The id a ref name leads to (git's lookup order for a short name), or null. */
  resolve(name: string): string | null;
  /** HEAD's branch (null when detached) and commit (null before the first commit). */
  head(): { branch: string | null; oid: string | null };
}

const OID = /^[0-9a-f]{40}$/;

function outside(p: string): Error {
  return Object.assign(new Error(`EACCES: outside the repository, '${p}'`), { code: "EACCES" });
}

/** Reads refs of the repository whose .git folder is `gitdir` (a real path inside `root`). */
export function refReader(root: string, gitdir: string, maxBytes = 64 * 1024 * 1024): RefReader {
  const realDirs = new Map<string, boolean>();
  const realDir = (dir: string): boolean => {
    let ok = realDirs.get(dir);
    if (ok === undefined) {
      try {
        const real = Deno.realPathSync(dir);
        if (!isInside(root, real)) throw outside(dir);
        ok = real === dir;
      } catch (err) {
        if ((err as { code?: string }).code === "EACCES") throw err;
        ok = false; // missing
      }
      if (ok === false && dir !== gitdir) {
        // A linked folder inside .git (refs -> another repository's) is never read through.
        try {
          if (Deno.lstatSync(dir).isSymlink) throw outside(dir);
        } catch (err) {
          if ((err as { code?: string }).code === "EACCES") throw err;
        }
      }
      realDirs.set(dir, ok);
    }
    return ok;
  };
  /** A file directly inside .git (by a relative name), as text; null when it is not a plain file there. */
  const readGitFile = (rel: string): string | null => {
    if (rel.includes("\0") || path.isAbsolute(rel)) throw outside(rel);
    const abs = path.resolve(gitdir, rel);
    if (!isInside(gitdir, abs) || abs === gitdir) throw outside(rel);
    for (let d = path.dirname(abs); d !== gitdir && isInside(gitdir, d); d = path.dirname(d)) {
      if (!realDir(d)) return null;
    }
    let st: Deno.FileInfo;
    try {
      st = Deno.lstatSync(abs);
    } catch {
      return null;
    }
    if (!st.isFile || st.size > maxBytes) return null;
    return Deno.readTextFileSync(abs);
  };
  let packed: Map<string, string> | undefined;
  const packedRefs = (): Map<string, string> => {
    if (packed) return packed;
    packed = new Map();
    const text = readGitFile("packed-refs") ?? "";
    for (const line of text.split("\n")) {
      if (line.startsWith("#") || line.startsWith("^")) continue;
      const sp = line.indexOf(" ");
      if (sp === 40 && OID.test(line.slice(0, 40))) {
        packed.set(line.slice(41).trim(), line.slice(0, 40));
      }
    }
    return packed;
  };
  /** One full ref name's value: a loose file wins over packed-refs. */
  const value = (full: string): string | null => {
    // A name with an empty, "." or ".." component would lead elsewhere: refused as outside.
    if (full.split("/").some((c) => c === "" || c === "." || c === "..")) throw outside(full);
    const loose = readGitFile(full);
    if (loose !== null) return loose.trim();
    return packedRefs().get(full) ?? null;
  };
  const follow = (full: string, depth: number): string | null => {
    const v = value(full);
    if (v === null) return null;
    // An id, alone or followed by more (FETCH_HEAD's "<id>\t\tbranch ...").
    if (OID.test(v.slice(0, 40)) && (v.length === 40 || /\s/.test(v[40]!))) return v.slice(0, 40);
    if (v.startsWith("ref: ") && depth < 5) return follow(v.slice(5).trim(), depth + 1);
    return null;
  };
  return {
    resolve(name: string): string | null {
      if (name === "HEAD") return follow("HEAD", 0);
      // git's order (gitrevisions): the name itself, then under refs/, tags, heads, remotes.
      for (
        const full of [
          name,
          `refs/${name}`,
          `refs/tags/${name}`,
          `refs/heads/${name}`,
          `refs/remotes/${name}`,
          `refs/remotes/${name}/HEAD`,
        ]
      ) {
        // Outside refs/, only HEAD-like names at the top of .git (ORIG_HEAD, FETCH_HEAD, MERGE_HEAD).
        if (!full.startsWith("refs/") && !/^[A-Z][A-Z_]*HEAD$/.test(full)) continue;
        const oid = follow(full, 0);
        if (oid !== null) return oid;
      }
      return null;
    },
    head() {
      const v = value("HEAD") ?? "";
      if (OID.test(v)) return { branch: null, oid: v };
      if (!v.startsWith("ref: ")) return { branch: null, oid: null };
      const target = v.slice(5).trim();
      const branch = target.startsWith("refs/heads/") ? target.slice(11) : null;
      return { branch, oid: follow(target, 1) };
    },
  };
}
