/**
 * A pack file is checked before the git library reads objects from it, because the library
 * inflates a packed object whole before it compares its size: a pack entry declaring (or
 * inflating to, or rebuilding by delta to) more than the cap would fill the worker's memory.
 * Each entry's header is read from the offsets in the pack's .idx; a delta's target size comes
 * from the first bytes of its inflated data; an entry whose compressed span could inflate past
 * the cap is inflated once under the cap to prove it does not. Oversized blobs are recorded
 * (the file is then shown as too large); an oversized commit, tree or tag refuses the pack.
 */
import { constants, inflateSync } from "node:zlib";
import { GitLimitError } from "./errors.ts";

/** deflate expands at most about 1032:1 (RFC 1951); with margin. */
export const MAX_DEFLATE_RATIO = 1100;

interface Entry {
  oid: string;
  offset: number;
  /** 1 commit, 2 tree, 3 blob, 4 tag, 6 ofs_delta, 7 ref_delta. */
  type: number;
  /** Base of a delta: an offset (ofs_delta) or an object id (ref_delta). */
  baseOffset?: number;
  baseOid?: string;
  tooLarge: boolean;
}

/** Object ids and offsets from a version 2 pack index. */
export function readIdx(idx: Uint8Array): Array<{ oid: string; offset: number }> {
  const view = new DataView(idx.buffer, idx.byteOffset, idx.byteLength);
  if (idx.length < 8 + 1024 || view.getUint32(0) !== 0xff744f63 || view.getUint32(4) !== 2) {
    throw new GitLimitError("a pack index is not in the version 2 format; it was not read");
  }
  const n = view.getUint32(8 + 255 * 4);
  const shaAt = 8 + 1024;
  const offAt = shaAt + n * 20 + n * 4;
  const largeAt = offAt + n * 4;
  if (idx.length < largeAt + 40) {
    throw new GitLimitError("a pack index is truncated; it was not read");
  }
  const out: Array<{ oid: string; offset: number }> = [];
  for (let i = 0; i < n; i++) {
    let oid = "";
    for (let b = 0; b < 20; b++) oid += idx[shaAt + i * 20 + b]!.toString(16).padStart(2, "0");
    let offset = view.getUint32(offAt + i * 4);
    if (offset & 0x80000000) {
      const k = offset & 0x7fffffff;
      offset = view.getUint32(largeAt + k * 8) * 2 ** 32 + view.getUint32(largeAt + k * 8 + 4);
    }
    out.push({ oid, offset });
  }
  return out;
}

function varint(buf: Uint8Array, p: number): [number, number] {
  let n = 0;
  let shift = 0;
  let c: number;
  do {
    c = buf[p++] ?? 0;
    n += (c & 0x7f) * 2 ** shift;
    shift += 7;
  } while (c & 0x80 && shift < 64);
  return [n, p];
}

/** The first bytes of an entry's inflated data (at least `want`, when the data has them). */
function inflateStart(data: Uint8Array, want: number): Uint8Array {
  for (let take = 256;; take *= 4) {
    const slice = data.subarray(0, Math.min(take, data.length));
    let out: Uint8Array;
    try {
      out = inflateSync(slice, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: 1 << 20 });
    } catch {
      out = new Uint8Array(0);
    }
    if (out.length >= want || slice.length === data.length) return out;
  }
}

/**
 * Scans a pack: returns the ids of blobs over `maxObjectBytes` (or built from one), and throws
 * GitLimitError when a commit, tree or tag is over it or the pack does not match its index.
 */
export function scanPack(pack: Uint8Array, idx: Uint8Array, maxObjectBytes: number): Set<string> {
  const listed = readIdx(idx).sort((a, b) => a.offset - b.offset);
  const end = pack.length - 20;
  const byOffset = new Map<number, Entry>();
  const byOid = new Map<string, Entry>();
  for (let i = 0; i < listed.length; i++) {
    const { oid, offset } = listed[i]!;
    const next = i + 1 < listed.length ? listed[i + 1]!.offset : end;
    if (offset < 12 || next > end || next <= offset) {
      throw new GitLimitError("a pack file does not match its index; it was not read");
    }
    let p = offset;
    let c = pack[p++]!;
    const type = (c >> 4) & 7;
    let size = c & 15;
    let shift = 4;
    while (c & 0x80) {
      c = pack[p++]!;
      size += (c & 0x7f) * 2 ** shift;
      shift += 7;
    }
    const e: Entry = { oid, offset, type, tooLarge: size > maxObjectBytes };
    if (type === 6) {
      c = pack[p++]!;
      let rel = c & 0x7f;
      while (c & 0x80) {
        c = pack[p++]!;
        rel = (rel + 1) * 128 + (c & 0x7f);
      }
      e.baseOffset = offset - rel;
    } else if (type === 7) {
      let b = "";
      for (let k = 0; k < 20; k++) b += pack[p + k]!.toString(16).padStart(2, "0");
      e.baseOid = b;
      p += 20;
    }
    const data = pack.subarray(p, next);
    if (!e.tooLarge && (type === 6 || type === 7)) {
      // A small delta can rebuild a huge object: its header names the target size.
      const head = inflateStart(data, 20);
      const [, afterBase] = varint(head, 0);
      const [target] = varint(head, afterBase);
      if (target > maxObjectBytes) e.tooLarge = true;
    }
    if (!e.tooLarge && data.length * MAX_DEFLATE_RATIO > maxObjectBytes) {
      try {
        inflateSync(data, { maxOutputLength: maxObjectBytes + 1 });
      } catch (err) {
        if (
          err instanceof RangeError || (err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE"
        ) e.tooLarge = true;
      }
    }
    byOffset.set(offset, e);
    byOid.set(oid, e);
  }
  // A delta's kind and size come from its base chain.
  const resolved = new Map<Entry, { type: number; tooLarge: boolean }>();
  const resolve = (e: Entry, depth: number): { type: number; tooLarge: boolean } => {
    const known = resolved.get(e);
    if (known) return known;
    let r = { type: e.type, tooLarge: e.tooLarge };
    if (e.type === 6 || e.type === 7) {
      const base = e.type === 6 ? byOffset.get(e.baseOffset!) : byOid.get(e.baseOid!);
      // A base in another pack or loose is checked when that one is read; 50 is git's own depth limit.
      const b = base && depth < 60 ? resolve(base, depth + 1) : { type: 3, tooLarge: depth >= 60 };
      r = { type: b.type, tooLarge: e.tooLarge || b.tooLarge };
    }
    resolved.set(e, r);
    return r;
  };
  const bad = new Set<string>();
  for (const e of byOffset.values()) {
    const r = resolve(e, 0);
    if (!r.tooLarge) continue;
    if (r.type !== 3) {
      throw new GitLimitError(
        `a packed git object (${
          e.oid.slice(0, 7)
        }, not a file) inflates to more than ${maxObjectBytes} bytes; the repository was not read`,
      );
    }
    bad.add(e.oid);
  }
  return bad;
}
