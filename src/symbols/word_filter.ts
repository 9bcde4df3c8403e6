/**
 * A 4,096-bit Bloom filter of the words of a file, kept in the symbol index (512 bytes a file),
 * so find_references reads only the files that may contain the name: "no" is certain, "maybe" is
 * checked against the text. With a few hundred distinct words a file, about 5% false "maybe".
 */

const BITS = 4096;
const WORD = /[\p{L}\p{N}_$]+/gu;

function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function positions(word: string): [number, number] {
  const h = hash(word);
  return [h & (BITS - 1), (h >>> 12) & (BITS - 1)];
}

/** The filter of every identifier-like word of a text. */
export function wordFilter(text: string): Uint32Array {
  const bits = new Uint32Array(BITS / 32);
  const seen = new Set<string>();
  for (const m of text.matchAll(WORD)) {
    const w = m[0];
    if (seen.has(w)) continue;
    seen.add(w);
    for (const p of positions(w)) bits[p >>> 5]! |= 1 << (p & 31);
  }
  return bits;
}

/** False when the text the filter was made from certainly does not contain the word. */
export function mayContain(bits: Uint32Array, word: string): boolean {
  return positions(word).every((p) => (bits[p >>> 5]! & (1 << (p & 31))) !== 0);
}
