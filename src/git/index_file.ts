/**
 * The index (.git/index, versions 2, 3 and 4) parsed to entries with their stat data, as git
 * writes it (Documentation/gitformat-index). The stat data lets unchanged files be recognised
 * without reading them; the cached-tree extension (TREE) lets a folder whose entries still hash
 * to a known tree be taken from the index without reading tree objects. Other extensions are skipped.
 */
import { GitLimitError } from "./errors.ts";
import { hexAt } from "./objects.ts";

export interface RawIndexEntry {
  path: string;
  oid: string;
  mode: number;
  mtimeSeconds: number;
  mtimeNanoseconds: number;
  size: number;
  ino: number;
  /** 0 for a merged path, 1-3 for the sides of a conflict. */
  stage: number;
  /** `git add -N`: the path is in the index but not in any tree written from it. */
  intentToAdd?: true;
}

/** One folder of the cached-tree extension: its entries in the index, and its tree's id when valid. */
export interface CachedTree {
  /** Index entries under the folder (-1: invalidated since the tree was last written). */
  count: number;
  /** The tree those entries hash to; null when invalidated. */
  oid: string | null;
}

export interface IndexFile {
  entries: RawIndexEntry[];
  /**
   * The cached-tree extension by folder ("" for the top, "src/" for a folder), or null when the
   * index has none or it cannot be used (damaged, a split index, a sparse index).
   */
  cachedTrees: Map<string, CachedTree> | null;
}

/**
 * Parses an index file's bytes; unmerged paths appear once per stage, in file order.
 *
 * @example parseIndex(Deno.readFileSync(".git/index"))[0] // { path: ".gitignore", oid: "…", mode: 0o100644, … }
 */
export function parseIndex(buf: Uint8Array, maxEntries: number): RawIndexEntry[] {
  return parseIndexFile(buf, maxEntries).entries;
}

/** Parses an index file's entries and its cached-tree extension (see IndexFile). */
export function parseIndexFile(buf: Uint8Array, maxEntries: number): IndexFile {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const bad = (why: string) => new GitLimitError(`the index is damaged (${why}); it was not read`);
  if (buf.length < 12 + 20 || view.getUint32(0) !== 0x44495243) throw bad("no DIRC header");
  const version = view.getUint32(4);
  if (version < 2 || version > 4) throw bad(`version ${version}`);
  const n = view.getUint32(8);
  if (n > maxEntries) throw new GitLimitError(`the index has more than ${maxEntries} entries`);
  const dec = new TextDecoder();
  const out: RawIndexEntry[] = [];
  const end = buf.length - 20;
  let p = 12;
  let prev: Uint8Array = new Uint8Array(0);
  for (let i = 0; i < n; i++) {
    if (p + 62 > end) throw bad("truncated");
    const start = p;
    const mtimeSeconds = view.getUint32(p + 8);
    const mtimeNanoseconds = view.getUint32(p + 12);
    const ino = view.getUint32(p + 20);
    const mode = view.getUint32(p + 24);
    const size = view.getUint32(p + 36);
    const oid = hexAt(buf, p + 40);
    const flags = view.getUint16(p + 60);
    p += 62;
    let extended = 0;
    if (flags & 0x4000) {
      if (version < 3) throw bad("extended flags in a version 2 index");
      extended = view.getUint16(p);
      p += 2;
    }
    let name: Uint8Array;
    if (version === 4) {
      // The previous path minus N bytes, then this entry's own NUL-terminated rest.
      let c = buf[p++] ?? 0;
      let strip = c & 0x7f;
      while (c & 0x80) {
        c = buf[p++] ?? 0;
        strip = ((strip + 1) * 128) + (c & 0x7f);
      }
      const nul = buf.indexOf(0, p);
      if (nul < 0 || nul > end || strip > prev.length) throw bad("a path");
      const rest = buf.subarray(p, nul);
      name = new Uint8Array(prev.length - strip + rest.length);
      name.set(prev.subarray(0, prev.length - strip));
      name.set(rest, prev.length - strip);
      p = nul + 1;
    } else {
      const nul = buf.indexOf(0, p);
      if (nul < 0 || nul > end) throw bad("a path");
      name = buf.subarray(p, nul);
      // Entries are padded with 1-8 NULs to a multiple of 8 bytes.
      p = start + Math.ceil((nul - start + 1) / 8) * 8;
    }
    prev = name;
    out.push({
      path: dec.decode(name),
      oid,
      mode,
      mtimeSeconds,
      mtimeNanoseconds,
      size,
      ino,
      stage: (flags >> 12) & 3,
      ...(extended & 0x2000 ? { intentToAdd: true as const } : {}),
    });
  }
  return { entries: out, cachedTrees: readExtensions(buf, p, end) };
}

/**
 * The extensions between the last entry and the checksum: the cached trees, unless the index is
 * split (its entries live partly in another file) or sparse (folders stand for their files).
 */
function readExtensions(
  buf: Uint8Array,
  from: number,
  end: number,
): Map<string, CachedTree> | null {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let trees: Map<string, CachedTree> | null = null;
  let p = from;
  while (p + 8 <= end) {
    const sig = String.fromCharCode(buf[p]!, buf[p + 1]!, buf[p + 2]!, buf[p + 3]!);
    const size = view.getUint32(p + 4);
    if (p + 8 + size > end) return null;
    if (sig === "link" || sig === "sdir") return null;
    if (sig === "TREE") trees = parseCachedTrees(buf.subarray(p + 8, p + 8 + size));
    p += 8 + size;
  }
  return trees;
}

/**
 * The TREE extension: folders in pre-order, each "<name>\0<entries> <subtrees>\n" and, when
 * valid, its tree's 20-byte id. Null for anything malformed (the caller then reads trees).
 *
 * @example parseCachedTrees(ext).get("src/") // { count: 12, oid: "4b825dc…" }
 */
export function parseCachedTrees(data: Uint8Array): Map<string, CachedTree> | null {
  const out = new Map<string, CachedTree>();
  const dec = new TextDecoder();
  const open: Array<{ prefix: string; left: number }> = [];
  let p = 0;
  do {
    const nul = data.indexOf(0, p);
    if (nul < 0) return null;
    const name = dec.decode(data.subarray(p, nul));
    const nl = data.indexOf(0x0a, nul + 1);
    if (nl < 0) return null;
    const m = /^(-?\d{1,9}) (\d{1,9})$/.exec(dec.decode(data.subarray(nul + 1, nl)));
    if (!m) return null;
    const count = Number(m[1]);
    const subtrees = Number(m[2]);
    p = nl + 1;
    let oid: string | null = null;
    if (count >= 0) {
      if (p + 20 > data.length) return null;
      oid = hexAt(data, p);
      p += 20;
    }
    const parent = open.at(-1);
    if (parent !== undefined && (name === "" || name.includes("/"))) return null;
    const prefix = parent === undefined ? "" : `${parent.prefix}${name}/`;
    if (parent !== undefined) parent.left--;
    if (out.has(prefix)) return null;
    out.set(prefix, { count, oid });
    if (subtrees > 0) open.push({ prefix, left: subtrees });
    while (open.length > 0 && open.at(-1)!.left === 0) open.pop();
  } while (open.length > 0 && p < data.length);
  // One top folder, all the subtrees it announced, and nothing after them.
  return open.length === 0 && p === data.length ? out : null;
}
