/**
 * Hostile packs, built byte by byte, read through the object store: every size a pack declares,
 * every delta target and every inflation is held to the cap before memory is spent on it.
 */
import { assert, assertEquals, assertMatch } from "../../assert.ts";
import * as path from "node:path";
import { deflateSync } from "node:zlib";
import { ObjectStore } from "../../../src/git/objects.ts";
import { makeBudget } from "../../../src/git/fs_view.ts";

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

/** A pack and its version 2 index from raw entries (ids given, not computed: the store never hashes). */
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

/** Writes the pack into a fresh .git/objects/pack and opens a store on it. */
async function storeOf(
  built: { pack: Uint8Array; idx: Uint8Array },
): Promise<{ store: ObjectStore; cleanup(): Promise<void> }> {
  const root = Deno.realPathSync(await Deno.makeTempDir({ prefix: "crm-pack-" }));
  const dir = path.join(root, ".git", "objects", "pack");
  Deno.mkdirSync(dir, { recursive: true });
  Deno.writeFileSync(path.join(dir, "pack-test.pack"), built.pack);
  Deno.writeFileSync(path.join(dir, "pack-test.idx"), built.idx);
  const store = new ObjectStore(root, path.join(root, ".git"));
  store.refresh();
  return {
    store,
    cleanup: async () => {
      store.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

function readError(store: ObjectStore, id: string): string {
  try {
    store.read(id, makeBudget(new AbortController().signal, { maxObjectBytes: CAP }));
  } catch (err) {
    return (err as Error).message;
  } finally {
    store.release();
  }
  return "";
}

Deno.test("ObjectStore finds packed objects through a version 2 index, by full and abbreviated id", async () => {
  const s = await storeOf(build([{ oid: oid("b"), bytes: [...entryHeader(3, 1), ...z([65])] }, {
    oid: oid("a"),
    bytes: [...entryHeader(3, 1), ...z([66])],
  }]));
  try {
    const b = makeBudget(new AbortController().signal);
    const a = s.store.read(oid("a"), b)!;
    assertEquals([a.type, new Uint8Array(a.data)], ["blob", Uint8Array.of(66)]);
    assertEquals(new Uint8Array(s.store.read(oid("b"), b)!.data), Uint8Array.of(65));
    assertEquals(s.store.read(oid("c"), b), null);
    assertEquals(s.store.expand("aaaa"), [oid("a")]);
  } finally {
    await s.cleanup();
  }
});

Deno.test("ObjectStore refuses oversized blobs by header, by delta target and through a delta's base, without inflating them", async () => {
  const small = { oid: oid("1"), bytes: [...entryHeader(3, 3), ...z([1, 2, 3])] };
  const declaredHuge = { oid: oid("2"), bytes: [...entryHeader(3, 4 * 1024 ** 3), ...z([0])] };
  // An ofs_delta whose own data is tiny but whose header rebuilds 3 GB from a small base.
  const deltaData = [...varint(3), ...varint(3 * 1024 ** 3), 0x90, 0x03];
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
  const s = await storeOf(build([small, delta, declaredHuge, overDelta]));
  try {
    assertEquals(readError(s.store, oid("1")), "");
    for (const [id, names] of [["2", "2222222"], ["3", "3333333"], ["4", "2222222"]]) {
      const message = readError(s.store, oid(id!));
      assertMatch(message, /^the packed object \w{7} inflates to more than 1048576 bytes/, id);
      assert(message.includes(names!), message);
    }
  } finally {
    await s.cleanup();
  }
});

Deno.test("ObjectStore refuses the repository when an oversized packed object is a commit, tree or tag", async () => {
  for (const type of [1, 2, 4]) {
    const s = await storeOf(build([{
      oid: oid("5"),
      bytes: [...entryHeader(type, 2 * CAP), ...z([0])],
    }]));
    try {
      assertMatch(
        readError(s.store, oid("5")),
        /not a file\) inflates to more than 1048576 bytes; the repository was not read/,
        String(type),
      );
    } finally {
      await s.cleanup();
    }
  }
});

Deno.test("ObjectStore stops an entry that inflates past the cap whatever its header says", async () => {
  const bomb = [...deflateSync(new Uint8Array(4 * CAP))];
  const s = await storeOf(build([{ oid: oid("6"), bytes: [...entryHeader(3, 10), ...bomb] }]));
  try {
    assertMatch(readError(s.store, oid("6")), /inflates to more than 1048576 bytes/);
  } finally {
    await s.cleanup();
  }
});
