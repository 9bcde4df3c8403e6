/**
 * The index (.git/index, versions 2, 3 and 4) parsed to entries with their stat data, as git
 * writes it (Documentation/gitformat-index). The stat data lets unchanged files be recognised
 * without reading them; extensions are skipped.
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
}

/**
 * Parses an index file's bytes; unmerged paths appear once per stage, in file order.
 *
 * @example parseIndex(Deno.readFileSync(".git/index"))[0] // { path: ".gitignore", oid: "…", mode: 0o100644, … }
 */
export function parseIndex(buf: Uint8Array, maxEntries: number): RawIndexEntry[] {
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
    if (flags & 0x4000) {
      if (version < 3) throw bad("extended flags in a version 2 index");
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
    });
  }
  return out;
}
