/**
 * File text kept between searches, per file version: keyed by the file's real path and its
 * stamp (size, modification and change times, inode), so an edit is seen by the next read, and
 * bounded in memory (TEXT_CACHE_MAX_CHARS characters, TEXT_CACHE_MAX_ENTRIES files; least
 * recently used first out). A file's text is redacted once per version (the secret rules are the
 * costly part) and kept redacted: search then matches what the model could see, never a secret.
 */
import { redactSecrets } from "../output/redact.ts";
import { PRIVATE_KEY_LINE, privateKeyLines } from "../output/key_blocks.ts";

/** One file version: its text, or why it is skipped (binary, minified, not UTF-8). */
export interface CachedText {
  stamp: string;
  /** The file's size in bytes (what the search's total-size cap counts, redacted or not). */
  bytes: number;
  /** The text the model may see when `redacted`, else the file's own text (never shown). */
  text: string;
  redacted: boolean;
  /** Line (1-based) of each redaction, once redacted. */
  redactionLines?: number[];
  skip?: "binary" | "not-text" | "minified";
}

/** About 64 MiB at most: V8 keeps ASCII text one byte a character, other text two. */
export const TEXT_CACHE_MAX_CHARS = 32 * 1024 * 1024;
export const TEXT_CACHE_MAX_ENTRIES = 100_000;

/** A least-recently-used map from a real path to its latest text, bounded by characters and entries. */
export class TextCache {
  readonly #map = new Map<string, CachedText>();
  #chars = 0;

  constructor(
    readonly maxChars = TEXT_CACHE_MAX_CHARS,
    readonly maxEntries = TEXT_CACHE_MAX_ENTRIES,
  ) {}

  /** True when some version of the file is remembered (a stat then tells whether it is this one). */
  has(abs: string): boolean {
    return this.#map.has(abs);
  }

  /** The entry for this version of the file, or undefined (absent, or the file has changed). */
  get(abs: string, stamp: string): CachedText | undefined {
    const e = this.#map.get(abs);
    if (e === undefined) return undefined;
    this.#map.delete(abs);
    if (e.stamp !== stamp) {
      this.#chars -= e.text.length;
      return undefined;
    }
    this.#map.set(abs, e);
    return e;
  }

  /** Keeps an entry (replacing the path's older one); a text over a quarter of the bound is not kept. */
  set(abs: string, entry: CachedText): void {
    const old = this.#map.get(abs);
    if (old !== undefined) {
      this.#chars -= old.text.length;
      this.#map.delete(abs);
    }
    if (entry.text.length > this.maxChars / 4) return;
    this.#map.set(abs, entry);
    this.#chars += entry.text.length;
    while (this.#chars > this.maxChars || this.#map.size > this.maxEntries) {
      const [k, v] = this.#map.entries().next().value!;
      this.#map.delete(k);
      this.#chars -= v.text.length;
    }
  }

  get size(): number {
    return this.#map.size;
  }

  get chars(): number {
    return this.#chars;
  }

  clear(): void {
    this.#map.clear();
    this.#chars = 0;
  }
}

/**
 * The text a model could see of a file: every credential-shaped string replaced by its marker
 * (redactSecrets, on the whole file, so a rule that needs a key's name sees it), and every line
 * of a private key block replaced whole. Lines keep their numbers.
 *
 * @example seenText('t = "ghp_…36 chars…"\n').text === 't = "[REDACTED github-token]"\n'
 */
export function seenText(raw: string): { text: string; redactionLines: number[] } {
  const r = redactSecrets(raw);
  let text = r.text;
  const keyLines = privateKeyLines(raw);
  if (keyLines.size > 0) {
    const lines = text.split("\n");
    for (const n of keyLines) if (n <= lines.length) lines[n - 1] = PRIVATE_KEY_LINE;
    text = lines.join("\n");
  }
  return { text, redactionLines: r.redactions.map((x) => x.line) };
}
