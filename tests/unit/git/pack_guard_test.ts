import { assertEquals, assertMatch } from "../../assert.ts";
import { deflateSync } from "node:zlib";
import { readIdx, scanPack } from "../../../src/git/pack_guard.ts";

/** A pack entry header: type in bits 6-4 of the first byte, size as git's little-endian varint. */
function entryHeader(type: number, size: number): number[] {
  const out: number[] = [];
  let c = (type << 4) | (size & 15);
  size = Math.floor(size / 16);
  while (size > 0) {
    out.push(c | 0x80);
    c = size & 0x7f;
    size = Math.floor(size / 128);
  }
  out.push(c);
  return out;
}

function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let c = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) c |= 0x80;
    out.push(c);
  } while (n > 0);
  return out;
}

interface Raw {
  oid: string;
  bytes: number[];
}

/** A pack and its version 2 index from raw entries (ids given, not computed: the guard never hashes). */
function build(entries: Raw[]): { pack: Uint8Array; idx: Uint8Array; offsets: number[] } {
  const pack: number[] = [0x50, 0x41, 0x43, 0x4b, 0, 0, 0, 2, 0, 0, 0, entries.length];
  const offsets: number[] = [];
  for (const e of entries) {
    offsets.push(pack.length);
    pack.push(...e.bytes);
  }
  pack.push(...new Array(20).fill(0));
  const sorted = entries.map((e, i) => ({ oid: e.oid, offset: offsets[i]! })).sort((
    a,
    b,
  ) => (a.oid < b.oid ? -1 : 1));
  const idx: number[] = [0xff, 0x74, 0x4f, 0x63, 0, 0, 0, 2];
  for (let b = 0; b < 256; b++) {
    const n = sorted.filter((e) => parseInt(e.oid.slice(0, 2), 16) <= b).length;
    idx.push((n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
  }
  for (const e of sorted) idx.push(...e.oid.match(/../g)!.map((h) => parseInt(h, 16)));
  for (const _ of sorted) idx.push(0, 0, 0, 0);
  for (const e of sorted) {
    idx.push(
      (e.offset >>> 24) & 255,
      (e.offset >>> 16) & 255,
      (e.offset >>> 8) & 255,
      e.offset & 255,
    );
  }
  idx.push(...new Array(40).fill(0));
  return { pack: Uint8Array.from(pack), idx: Uint8Array.from(idx), offsets };
}

const oid = (c: string) => c.repeat(40);
const z = (data: number[]) => [...deflateSync(Uint8Array.from(data))];
const CAP = 1024 * 1024;

Deno.test("readIdx() reads ids and offsets of a version 2 pack index", () => {
  const { idx, offsets } = build([{ oid: oid("b"), bytes: [...entryHeader(3, 1), ...z([65])] }, {
    oid: oid("a"),
    bytes: [...entryHeader(3, 1), ...z([66])],
  }]);
  assertEquals(readIdx(idx), [{ oid: oid("a"), offset: offsets[1] }, {
    oid: oid("b"),
    offset: offsets[0],
  }]);
});

Deno.test("scanPack() finds oversized blobs by header, by delta target and through a delta's base", () => {
  const small = { oid: oid("1"), bytes: [...entryHeader(3, 3), ...z([1, 2, 3])] };
  const declaredHuge = { oid: oid("2"), bytes: [...entryHeader(3, 4 * 1024 ** 3), ...z([0])] };
  // An ofs_delta whose own data is tiny but whose header rebuilds 3 GB from a small base.
  const deltaData = [...varint(3), ...varint(3 * 1024 ** 3), 0x90, 0x03];
  const table: Array<[string, Raw[], (offsets: number[]) => Raw[], string[]]> = [
    ["small blob", [small], () => [], []],
    ["declared 4 GiB blob", [small, declaredHuge], () => [], [oid("2")]],
  ];
  for (const [name, entries, _more, bad] of table) {
    const { pack, idx } = build(entries);
    assertEquals([...scanPack(pack, idx, CAP)], bad, name);
  }
  // The delta is built after its base so that its offset is known.
  const base = build([small]);
  const rel = 12 + small.bytes.length - base.offsets[0]!; // delta offset - base offset
  const delta = {
    oid: oid("3"),
    bytes: [...entryHeader(6, deltaData.length), ...varint(rel).reverse(), ...z(deltaData)],
  };
  const overDelta = {
    oid: oid("4"),
    bytes: [
      ...entryHeader(7, 3),
      ...oid("2").match(/../g)!.map((h) => parseInt(h, 16)),
      ...z([3, 3, 0x90]),
    ],
  };
  const { pack, idx } = build([small, delta, declaredHuge, overDelta]);
  assertEquals([...scanPack(pack, idx, CAP)].sort(), [oid("2"), oid("3"), oid("4")]);
});

Deno.test("scanPack() refuses a pack whose oversized object is a commit, tree or tag", () => {
  for (const type of [1, 2, 4]) {
    const { pack, idx } = build([{
      oid: oid("5"),
      bytes: [...entryHeader(type, 2 * CAP), ...z([0])],
    }]);
    let message = "";
    try {
      scanPack(pack, idx, CAP);
    } catch (err) {
      message = (err as Error).message;
    }
    assertMatch(
      message,
      /not a file\) inflates to more than 1048576 bytes; the repository was not read/,
      String(type),
    );
  }
});

Deno.test("scanPack() catches an entry that inflates past the cap whatever its header says", () => {
  const bomb = [...deflateSync(new Uint8Array(4 * CAP))];
  const { pack, idx } = build([{ oid: oid("6"), bytes: [...entryHeader(3, 10), ...bomb] }]);
  assertEquals([...scanPack(pack, idx, CAP)], [oid("6")]);
});
