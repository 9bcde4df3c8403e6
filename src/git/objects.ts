/**
 * The object store: reads git objects (loose and packed) by id, without ever holding a pack
 * whole. A pack's index is kept parsed (its raw bytes plus the sorted entry offsets), and an
 * entry is read where it sits (positioned reads of its own compressed span), so a call's cost
 * follows the objects it touches, not the history's size. Every object is inflated under the
 * size cap: a declared size, a delta's target size or an inflation past the cap stops before
 * memory fills. One store per repository lives across calls (see `storeFor`), bounded:
 * OBJECT_CACHE_BYTES of recently used objects, MAX_INDEX_BYTES of pack indexes, STORES stores.
 */
import * as path from "node:path";
import { inflateSync } from "node:zlib";
import { LRUCache } from "lru-cache";
import { isInside } from "../policy/paths.ts";
import { GitLimitError } from "./errors.ts";
import { readWholeFile } from "./fs_view.ts";

export type ObjectType = "commit" | "tree" | "blob" | "tag";

export interface GitObject {
  type: ObjectType;
  data: Uint8Array;
}

/** What a read needs from its operation: cancellation, time and call bounds, the inflation cap. */
export interface ReadBudget {
  signal: AbortSignal;
  maxObjectBytes: number;
}

/** Recently used objects kept per repository (bytes of content). */
export const OBJECT_CACHE_BYTES = 48 * 1024 * 1024;
/** Objects larger than this are never kept (a large blob would push out every tree). */
const OBJECT_CACHE_MAX_ENTRY = 4 * 1024 * 1024;
/** Pack indexes (raw .idx bytes plus 8 bytes of sorted offset per object) held per repository. */
export const MAX_INDEX_BYTES = 256 * 1024 * 1024;
/** Repositories whose stores are kept (one server has one root; tests open many). */
const STORES = 4;
/** git's own delta depth limit is 50; with margin. */
const MAX_DELTA_DEPTH = 60;

const TYPES: Record<number, ObjectType> = { 1: "commit", 2: "tree", 3: "blob", 4: "tag" };

function outside(p: string): Error {
  return Object.assign(new Error(`EACCES: outside the repository, '${p}'`), { code: "EACCES" });
}

/** Hex id -> 20 bytes. */
function oidBytes(oid: string): Uint8Array {
  const b = new Uint8Array(20);
  for (let i = 0; i < 20; i++) b[i] = parseInt(oid.slice(i * 2, i * 2 + 2), 16);
  return b;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** 20 bytes at `at` -> hex id. */
export function hexAt(buf: Uint8Array, at: number): string {
  let s = "";
  for (let i = 0; i < 20; i++) s += HEX[buf[at + i]!];
  return s;
}

function tooLargeError(oid: string, type: ObjectType | undefined, cap: number): GitLimitError {
  if (type === undefined || type === "blob") {
    return new GitLimitError(
      `the packed object ${oid.slice(0, 7)} inflates to more than ${cap} bytes; it was not read`,
    );
  }
  return new GitLimitError(
    `a packed git object (${
      oid.slice(0, 7)
    }, not a file) inflates to more than ${cap} bytes; the repository was not read`,
  );
}

/** Inflates with an output cap; null when the data would pass it. */
function inflateCapped(data: Uint8Array, cap: number): Uint8Array | null {
  try {
    return inflateSync(data, { maxOutputLength: Math.max(1, cap) });
  } catch (err) {
    if (err instanceof RangeError || (err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
      return null;
    }
    throw new GitLimitError(`a git object is damaged (${(err as Error).message}); it was not read`);
  }
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

/** A delta's declared target size, from its first bytes. */
export function deltaTargetSize(delta: Uint8Array): number {
  const [, p] = varint(delta, 0);
  return varint(delta, p)[0];
}

/**
 * Rebuilds an object from its base and a git delta (copy and insert instructions), refusing a
 * delta that names another base size, copies outside the base or writes past its target.
 */
export function applyDelta(base: Uint8Array, delta: Uint8Array): Uint8Array {
  const [baseSize, p0] = varint(delta, 0);
  const [targetSize, p1] = varint(delta, p0);
  const bad = () => new GitLimitError("a git delta is damaged; the object was not read");
  if (baseSize !== base.length) throw bad();
  const out = new Uint8Array(targetSize);
  let o = 0;
  let p = p1;
  while (p < delta.length) {
    const op = delta[p++]!;
    if (op & 0x80) {
      let off = 0;
      let len = 0;
      for (let i = 0; i < 4; i++) if (op & (1 << i)) off += delta[p++]! * 2 ** (8 * i);
      for (let i = 0; i < 3; i++) if (op & (0x10 << i)) len += delta[p++]! * 2 ** (8 * i);
      if (len === 0) len = 0x10000;
      if (off + len > base.length || o + len > targetSize) throw bad();
      out.set(base.subarray(off, off + len), o);
      o += len;
    } else if (op > 0) {
      if (p + op > delta.length || o + op > targetSize) throw bad();
      out.set(delta.subarray(p, p + op), o);
      o += op;
      p += op;
    } else throw bad();
  }
  if (o !== targetSize) throw bad();
  return out;
}

interface PackHeader {
  /** 1-4 an object, 6 ofs_delta, 7 ref_delta. */
  type: number;
  size: number;
  dataStart: number;
  dataEnd: number;
  baseOffset?: number;
  baseOid?: string;
}

/**
 * One pack: its index held parsed, its data read where each entry sits. Immutable under its
 * name; known by name, size, modification time and inode, so a rewritten one is read afresh.
 */
class Pack {
  readonly key: string;
  readonly #idx: Uint8Array;
  readonly #view: DataView;
  readonly #n: number;
  /** Entry offsets, ascending, then the end of the last entry: each entry's span ends at the next. */
  readonly #sorted: Uint32Array | Float64Array;
  /** Open during an operation only (closed by ObjectStore.release()). */
  #file: Deno.FsFile | null = null;
  readonly #size: number;
  readonly #ino: number | null;

  constructor(readonly packPath: string, idxPath: string, st: Deno.FileInfo, maxIdx: number) {
    this.key = packKey(st);
    const idxInfo = Deno.lstatSync(idxPath);
    // The index is read as any file inside .git: a regular file, never a link (to /dev/zero, a FIFO, a file outside).
    if (!idxInfo.isFile) {
      throw new GitLimitError(
        `the pack index ${
          path.basename(idxPath)
        } is not a regular file (a link or a device); it was not read`,
      );
    }
    if (idxInfo.size > maxIdx) {
      throw new GitLimitError(
        `the pack indexes are over the ${MAX_INDEX_BYTES}-byte bound for one repository; it was not read`,
      );
    }
    const idx = readWholeFile(idxPath, idxInfo.ino);
    if (idx === null || idx.length > maxIdx) {
      throw new GitLimitError(
        `the pack index ${path.basename(idxPath)} changed while it was read; ask again`,
      );
    }
    const view = new DataView(idx.buffer, idx.byteOffset, idx.byteLength);
    if (idx.length < 8 + 1024 || view.getUint32(0) !== 0xff744f63 || view.getUint32(4) !== 2) {
      throw new GitLimitError("a pack index is not in the version 2 format; it was not read");
    }
    const n = view.getUint32(8 + 255 * 4);
    if (idx.length < 8 + 1024 + n * 28 + 40) {
      throw new GitLimitError("a pack index is truncated; it was not read");
    }
    this.#idx = idx;
    this.#view = view;
    this.#n = n;
    this.#size = st.size;
    this.#ino = st.ino;
    const head = this.#read(0, 12);
    if (
      head.length < 12 || head[0] !== 0x50 || head[1] !== 0x41 || head[2] !== 0x43 ||
      head[3] !== 0x4b
    ) {
      this.close();
      throw new GitLimitError("a pack file has no pack header; it was not read");
    }
    // Offsets fit 32 bits in a pack under 4 GiB, and a Uint32Array sorts some 4 times faster.
    const sorted = st.size < 2 ** 32 ? new Uint32Array(n + 1) : new Float64Array(n + 1);
    for (let i = 0; i < n; i++) sorted[i] = this.#offsetAt(i);
    sorted[n] = st.size - 20;
    sorted.sort();
    if (n > 0 && (sorted[0]! < 12 || sorted[n - 1]! >= st.size - 20)) {
      this.close();
      throw new GitLimitError("a pack file does not match its index; it was not read");
    }
    this.#sorted = sorted;
  }

  get heldBytes(): number {
    return this.#idx.length + this.#sorted.byteLength;
  }

  close(): void {
    try {
      this.#file?.close();
    } catch { /* already closed */ }
    this.#file = null;
  }

  /** The pack opened (once per operation), checked to be the file its index was read for. */
  #open(): Deno.FsFile {
    if (this.#file) return this.#file;
    const file = Deno.openSync(this.packPath, { read: true });
    const after = file.statSync();
    if (!after.isFile || after.ino !== this.#ino || after.size !== this.#size) {
      file.close();
      throw new GitLimitError("a pack file changed while it was read; ask again");
    }
    this.#file = file;
    return file;
  }

  #offsetAt(i: number): number {
    const offAt = 8 + 1024 + this.#n * 24;
    let off = this.#view.getUint32(offAt + i * 4);
    if (off & 0x80000000) {
      const large = offAt + this.#n * 4 + (off & 0x7fffffff) * 8;
      off = this.#view.getUint32(large) * 2 ** 32 + this.#view.getUint32(large + 4);
    }
    return off;
  }

  /** The entry index of `oid` (20 bytes), or -1. */
  #find(b: Uint8Array): number {
    const fan = (k: number) => (k < 0 ? 0 : this.#view.getUint32(8 + k * 4));
    let lo = fan(b[0]! - 1);
    let hi = fan(b[0]!) - 1;
    const at = 8 + 1024;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const p = at + mid * 20;
      let cmp = 0;
      for (let k = 0; k < 20 && cmp === 0; k++) cmp = this.#idx[p + k]! - b[k]!;
      if (cmp === 0) return mid;
      if (cmp < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  offsetOf(oid: string): number {
    const i = this.#find(oidBytes(oid));
    return i < 0 ? -1 : this.#offsetAt(i);
  }

  /** Ids in this pack starting with `prefix` (hex), at most `max`. */
  withPrefix(prefix: string, max: number): string[] {
    const lo = oidBytes(prefix.padEnd(40, "0"));
    const first = parseInt(prefix.slice(0, 2), 16);
    const fan = (k: number) => (k < 0 ? 0 : this.#view.getUint32(8 + k * 4));
    const out: string[] = [];
    let a = fan(first - 1);
    let b = fan(first);
    // Lower bound of `lo` in [a, b).
    while (a < b) {
      const mid = (a + b) >>> 1;
      const p = 8 + 1024 + mid * 20;
      let cmp = 0;
      for (let k = 0; k < 20 && cmp === 0; k++) cmp = this.#idx[p + k]! - lo[k]!;
      if (cmp < 0) a = mid + 1;
      else b = mid;
    }
    for (let i = a; i < this.#n && out.length < max; i++) {
      const oid = hexAt(this.#idx, 8 + 1024 + i * 20);
      if (!oid.startsWith(prefix)) break;
      out.push(oid);
    }
    return out;
  }

  #read(at: number, len: number): Uint8Array {
    const buf = new Uint8Array(len);
    const file = this.#open();
    file.seekSync(at, Deno.SeekMode.Start);
    let filled = 0;
    while (filled < len) {
      const n = file.readSync(buf.subarray(filled));
      if (n === null) break;
      filled += n;
    }
    return filled === len ? buf : buf.subarray(0, filled);
  }

  /** The entry's header: its kind, declared size, the span of its compressed data, its delta base. */
  header(offset: number): PackHeader {
    const h = this.#read(offset, 32);
    let p = 0;
    let c = h[p++] ?? 0;
    const type = (c >> 4) & 7;
    let size = c & 15;
    let shift = 4;
    while (c & 0x80 && p < h.length) {
      c = h[p++]!;
      size += (c & 0x7f) * 2 ** shift;
      shift += 7;
    }
    const out: PackHeader = { type, size, dataStart: 0, dataEnd: 0 };
    if (type === 6) {
      c = h[p++] ?? 0;
      let rel = c & 0x7f;
      while (c & 0x80 && p < h.length) {
        c = h[p++]!;
        rel = (rel + 1) * 128 + (c & 0x7f);
      }
      out.baseOffset = offset - rel;
    } else if (type === 7) {
      out.baseOid = hexAt(h, p);
      p += 20;
    }
    if (![1, 2, 3, 4, 6, 7].includes(type) || (type === 6 && out.baseOffset! < 12)) {
      throw new GitLimitError("a pack entry is damaged; the repository was not read");
    }
    out.dataStart = offset + p;
    // The entry ends where the next one (by offset) starts.
    let lo = 0;
    let hi = this.#n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#sorted[mid]! <= offset) lo = mid + 1;
      else hi = mid;
    }
    out.dataEnd = this.#sorted[lo] ?? this.#size - 20;
    if (out.dataEnd <= out.dataStart || out.dataEnd > this.#size - 20) {
      throw new GitLimitError("a pack file does not match its index; it was not read");
    }
    return out;
  }

  /** The entry's compressed data inflated under `cap` (null past it). */
  inflate(h: PackHeader, cap: number): Uint8Array | null {
    return inflateCapped(this.#read(h.dataStart, h.dataEnd - h.dataStart), cap);
  }
}

function packKey(st: Deno.FileInfo): string {
  return `${st.size}:${st.mtime?.getTime() ?? 0}:${st.ino ?? 0}`;
}

/**
 * Objects of one repository by id. `refresh()` (once per operation) lists the pack folder and
 * drops packs whose name, size, modification time or inode changed (a `git gc`, a fetch).
 * Objects are content-addressed, so cached ones never go stale.
 */
export class ObjectStore {
  #packs = new Map<string, Pack>();
  #objects = new LRUCache<string, GitObject>({
    maxSize: OBJECT_CACHE_BYTES,
    sizeCalculation: (o) => o.data.length + 64,
  });
  #packDir: string;
  #objectsDir: string;

  constructor(readonly root: string, readonly gitdir: string) {
    this.#objectsDir = path.join(gitdir, "objects");
    this.#packDir = path.join(this.#objectsDir, "pack");
  }

  /** Counts for tests and the bench: packs open, objects cached. */
  get stats(): { packs: number; objects: number; objectBytes: number; indexBytes: number } {
    let indexBytes = 0;
    for (const p of this.#packs.values()) indexBytes += p.heldBytes;
    return {
      packs: this.#packs.size,
      objects: this.#objects.size,
      objectBytes: this.#objects.calculatedSize,
      indexBytes,
    };
  }

  close(): void {
    for (const p of this.#packs.values()) p.close();
    this.#packs.clear();
    this.#objects.clear();
  }

  /** Closes the pack files opened by an operation (its parsed indexes and objects stay). */
  release(): void {
    for (const p of this.#packs.values()) p.close();
  }

  /** A folder inside .git that resolves elsewhere (a symlink out) is never read through. */
  #realFolder(dir: string): boolean {
    try {
      const real = Deno.realPathSync(dir);
      if (real !== dir) throw outside(dir);
      return isInside(this.root, real);
    } catch (err) {
      if ((err as { code?: string }).code === "EACCES") throw err;
      return false; // missing
    }
  }

  /** Brings the list of packs up to date with the pack folder (names, sizes, times, inodes). */
  refresh(): void {
    if (!this.#realFolder(this.#objectsDir) || !this.#realFolder(this.#packDir)) {
      this.close();
      return;
    }
    const seen = new Set<string>();
    for (const e of Deno.readDirSync(this.#packDir)) {
      if (!e.name.endsWith(".pack")) continue;
      const abs = path.join(this.#packDir, e.name);
      let st: Deno.FileInfo;
      try {
        st = Deno.lstatSync(abs);
      } catch {
        continue;
      }
      if (!st.isFile) continue;
      const idxPath = abs.slice(0, -5) + ".idx";
      seen.add(abs);
      const known = this.#packs.get(abs);
      if (known && known.key === packKey(st)) continue;
      known?.close();
      this.#packs.delete(abs);
      let held = 0;
      for (const p of this.#packs.values()) held += p.heldBytes;
      try {
        this.#packs.set(abs, new Pack(abs, idxPath, st, MAX_INDEX_BYTES - held));
      } catch (err) {
        // A pack being written (no index yet) is skipped, as git skips it.
        if ((err as Error).name === "NotFound") continue;
        throw err;
      }
    }
    for (const [abs, p] of this.#packs) {
      if (!seen.has(abs)) {
        p.close();
        this.#packs.delete(abs);
      }
    }
  }

  #cache(oid: string, o: GitObject): void {
    if (o.data.length <= OBJECT_CACHE_MAX_ENTRY) this.#objects.set(oid, o);
  }

  /** Reads an object; null when the repository does not have it. */
  read(oid: string, b: ReadBudget): GitObject | null {
    if (b.signal.aborted) throw new DOMException("cancelled", "AbortError");
    const hit = this.#objects.get(oid);
    if (hit) {
      if (hit.data.length > b.maxObjectBytes) throw tooLargeError(oid, hit.type, b.maxObjectBytes);
      return hit;
    }
    const loose = this.#readLoose(oid, b);
    if (loose) {
      this.#cache(oid, loose);
      return loose;
    }
    for (const p of this.#packs.values()) {
      const off = p.offsetOf(oid);
      if (off >= 0) {
        const o = this.#readPacked(p, off, oid, b, 0);
        this.#cache(oid, o);
        return o;
      }
    }
    return null;
  }

  #readLoose(oid: string, b: ReadBudget): GitObject | null {
    const dir = path.join(this.#objectsDir, oid.slice(0, 2));
    const abs = path.join(dir, oid.slice(2));
    let st: Deno.FileInfo;
    try {
      st = Deno.lstatSync(abs);
    } catch {
      return null;
    }
    // Never through a linked folder, never a link or a device itself.
    if (!this.#realFolder(this.#objectsDir) || !this.#realFolder(dir) || !st.isFile) return null;
    const raw = inflateCapped(Deno.readFileSync(abs), b.maxObjectBytes + 64);
    if (raw === null) {
      throw new GitLimitError(
        `a git object inflates to more than ${b.maxObjectBytes} bytes; it was not read`,
      );
    }
    const nul = raw.indexOf(0);
    const head = new TextDecoder().decode(raw.subarray(0, Math.max(0, nul)));
    const m = /^(commit|tree|blob|tag) (\d+)$/.exec(head);
    if (nul < 0 || m === null || Number(m[2]) !== raw.length - nul - 1) {
      throw new GitLimitError(`the loose object ${oid.slice(0, 7)} is damaged; it was not read`);
    }
    if (Number(m[2]) > b.maxObjectBytes) {
      throw tooLargeError(oid, m[1] as ObjectType, b.maxObjectBytes);
    }
    return { type: m[1] as ObjectType, data: raw.subarray(nul + 1) };
  }

  /** The kind an entry finally has, following delta bases by their headers only. */
  #typeOf(p: Pack, h: PackHeader, depth: number): ObjectType | undefined {
    if (TYPES[h.type]) return TYPES[h.type];
    if (depth > MAX_DELTA_DEPTH) return undefined;
    if (h.type === 6) return this.#typeOf(p, p.header(h.baseOffset!), depth + 1);
    const cached = this.#objects.get(h.baseOid!);
    if (cached) return cached.type;
    for (const q of this.#packs.values()) {
      const off = q.offsetOf(h.baseOid!);
      if (off >= 0) return this.#typeOf(q, q.header(off), depth + 1);
    }
    return undefined;
  }

  #readPacked(p: Pack, offset: number, oid: string, b: ReadBudget, depth: number): GitObject {
    if (depth > MAX_DELTA_DEPTH) {
      throw new GitLimitError("a packed object's delta chain is too deep; it was not read");
    }
    // Delta bases are shared along chains (trees and files version after version): kept by position.
    const at = `${p.packPath}:${p.key}#${offset}`;
    const known = this.#objects.get(at);
    if (known) {
      if (known.data.length > b.maxObjectBytes) {
        throw tooLargeError(oid, known.type, b.maxObjectBytes);
      }
      return known;
    }
    const o = this.#readPackedEntry(p, offset, oid, b, depth);
    this.#cache(at, o);
    return o;
  }

  #readPackedEntry(
    p: Pack,
    offset: number,
    oid: string,
    b: ReadBudget,
    depth: number,
  ): GitObject {
    const h = p.header(offset);
    const cap = b.maxObjectBytes;
    const type = TYPES[h.type];
    if (type) {
      if (h.size > cap) throw tooLargeError(oid, type, cap);
      const data = p.inflate(h, cap);
      if (data === null) throw tooLargeError(oid, type, cap);
      if (data.length !== h.size) {
        throw new GitLimitError("a pack entry is damaged; the repository was not read");
      }
      return { type, data };
    }
    // A small delta can rebuild a huge object: its target size is checked before it is applied.
    const delta = p.inflate(h, cap + 64);
    if (delta === null || deltaTargetSize(delta) > cap) {
      throw tooLargeError(oid, this.#typeOf(p, h, depth), cap);
    }
    let base: GitObject | null;
    if (h.type === 6) {
      base = this.#readPacked(p, h.baseOffset!, `${oid.slice(0, 7)} (base)`, b, depth + 1);
    } else {
      base = this.#objects.get(h.baseOid!) ?? null;
      if (!base) {
        for (const q of this.#packs.values()) {
          const off = q.offsetOf(h.baseOid!);
          if (off >= 0) {
            base = this.#readPacked(q, off, h.baseOid!, b, depth + 1);
            break;
          }
        }
        base ??= this.#readLoose(h.baseOid!, b);
      }
      if (!base) {
        throw new GitLimitError(
          `a packed object's delta base ${h.baseOid!.slice(0, 7)} is missing; it was not read`,
        );
      }
      this.#cache(h.baseOid!, base);
    }
    return { type: base.type, data: applyDelta(base.data, delta) };
  }

  /** Every id starting with `prefix` (lowercase hex, 4+ digits), up to `max`. */
  expand(prefix: string, max = 2): string[] {
    const out = new Set<string>();
    const dir = path.join(this.#objectsDir, prefix.slice(0, 2));
    try {
      if (this.#realFolder(this.#objectsDir) && this.#realFolder(dir)) {
        for (const e of Deno.readDirSync(dir)) {
          const oid = prefix.slice(0, 2) + e.name;
          if (e.isFile && /^[0-9a-f]{40}$/.test(oid) && oid.startsWith(prefix)) out.add(oid);
        }
      }
    } catch (err) {
      if ((err as { code?: string }).code === "EACCES") throw err;
    }
    for (const p of this.#packs.values()) {
      for (const oid of p.withPrefix(prefix, max)) out.add(oid);
    }
    return [...out].slice(0, max);
  }
}

const stores = new Map<string, ObjectStore>();

/** The store of the repository at `gitdir`, kept across calls (the last STORES repositories). */
export function storeFor(root: string, gitdir: string): ObjectStore {
  const key = `${root}\0${gitdir}`;
  let s = stores.get(key);
  if (s) {
    stores.delete(key);
  } else {
    s = new ObjectStore(root, gitdir);
    if (stores.size >= STORES) {
      const [oldKey, old] = stores.entries().next().value!;
      old.close();
      stores.delete(oldKey);
    }
  }
  stores.set(key, s); // most recently used last
  return s;
}

// ---- parsed objects ----

export interface TreeEntry {
  mode: string;
  path: string;
  oid: string;
  type: "tree" | "blob" | "commit";
}

/** Parses a tree object's entries (names unchecked: callers check them before use). */
export function parseTree(data: Uint8Array): TreeEntry[] {
  const out: TreeEntry[] = [];
  const dec = new TextDecoder();
  let p = 0;
  while (p < data.length) {
    const sp = data.indexOf(0x20, p);
    const nul = data.indexOf(0, sp + 1);
    if (sp < 0 || nul < 0 || nul + 21 > data.length) {
      throw new GitLimitError("a tree object is damaged; it was not read");
    }
    let mode = dec.decode(data.subarray(p, sp));
    if (mode === "40000") mode = "040000";
    const type = mode === "040000" ? "tree" : mode === "160000" ? "commit" : "blob";
    out.push({
      mode,
      path: dec.decode(data.subarray(sp + 1, nul)),
      oid: hexAt(data, nul + 1),
      type,
    });
    p = nul + 21;
  }
  return out;
}

export interface CommitData {
  tree: string;
  parents: string[];
  /** Committer time, seconds since the epoch. */
  time: number;
  message: string;
}

export function parseCommit(data: Uint8Array): CommitData {
  const text = new TextDecoder().decode(data);
  const end = text.indexOf("\n\n");
  const head = end < 0 ? text : text.slice(0, end);
  let tree = "";
  const parents: string[] = [];
  let time = 0;
  for (const line of head.split("\n")) {
    if (line.startsWith("tree ")) tree = line.slice(5, 45);
    else if (line.startsWith("parent ")) parents.push(line.slice(7, 47));
    else if (line.startsWith("committer ")) {
      const m = /> (-?\d+) [+-]\d{4}$/.exec(line);
      if (m) time = Number(m[1]);
    }
  }
  if (!/^[0-9a-f]{40}$/.test(tree)) {
    throw new GitLimitError("a commit object is damaged; it was not read");
  }
  return { tree, parents, time, message: end < 0 ? "" : text.slice(end + 2) };
}

/** The object a tag names. */
export function parseTagTarget(data: Uint8Array): string | null {
  const m = /^object ([0-9a-f]{40})$/m.exec(new TextDecoder().decode(data.subarray(0, 200)));
  return m ? m[1]! : null;
}
