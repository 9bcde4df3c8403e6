/**
 * File effects, run inside the sandbox worker: every path goes through
 * resolveInsideRoot first, the real path is the one opened, and the opened file is
 * checked again (fstat) so a swap between the check and the open, or a hard link made
 * meanwhile, is noticed.
 */
import * as path from "node:path";
import {
  describeKind,
  type EntryKind,
  formatBytes,
  hardLinkRefusal,
  kindOf,
  lexicalCandidate,
  relativeToRoot,
  resolveInsideRoot,
} from "../policy/paths.ts";
import { secretFileReason, secretFileRule } from "../policy/secrets.ts";
import { looksBinary } from "../policy/content.ts";
import { LIMITS } from "../limits.ts";
import { keyBlockOpenAfter } from "../output/key_blocks.ts";
import { concatBytes } from "../bytes.ts";
import type { Result } from "../result.ts";

/**
 * The refusal for a credential file (policy/secrets.ts), judged on the path as asked and on
 * the real path it resolves to, so neither a symlink to `.env` nor `.git/../.env` gets by.
 */
export function secretFileRefusal(
  root: string,
  requested: string,
  realRel: string,
  allowSecretFiles: boolean,
): string | undefined {
  const lexical = lexicalCandidate(root, requested);
  const asked = lexical.ok ? relativeToRoot(root, lexical.value) : requested;
  const rule = secretFileRule(realRel, { allowSecretFiles }) ??
    secretFileRule(asked, { allowSecretFiles });
  return rule === undefined ? undefined : secretFileReason(rule);
}

/** A sandbox answer: the one Result shape (src/result.ts); the name stays for its importers. */
export type Outcome<T> = Result<T>;

export interface DirEntry {
  name: string;
  kind: EntryKind;
  /** Bytes, for regular files. */
  size?: number;
}

export interface ListDirectoryResult {
  /** The folder, relative to the root ("." for the root). */
  dir: string;
  entries: DirEntry[];
  /** Entries in the folder (counted up to the scan limit). */
  total: number;
  truncated: boolean;
}

/** Most entries read from one folder before giving up on sorting them all. */
const MAX_SCAN_ENTRIES = 100_000;

/** Lists a folder inside the root, sorted by name: maxEntries entries from `offset` on. */
export function listDirectory(
  root: string,
  requested: string,
  maxEntries: number,
  offset = 0,
): Outcome<ListDirectoryResult> {
  const r = resolveInsideRoot(root, requested);
  if (!r.ok) return r;
  if (r.value.kind !== "directory") return { ok: false, reason: "is a file, not a directory" };
  // Listing credential files' names is fine; the .git folder's internals are not listed.
  const refused = secretFileRefusal(root, requested, r.value.rel, true);
  if (refused !== undefined) return { ok: false, reason: refused };
  const raw: Deno.DirEntry[] = [];
  let scanCapped = false;
  try {
    for (const e of Deno.readDirSync(r.value.real)) {
      if (raw.length >= MAX_SCAN_ENTRIES) {
        scanCapped = true;
        break;
      }
      raw.push(e);
    }
  } catch (err) {
    return { ok: false, reason: `cannot list the directory (${(err as Error).name})` };
  }
  raw.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const from = Math.max(0, Math.min(offset, raw.length));
  const shown = raw.slice(from, from + maxEntries);
  const dirPrefix = r.value.real.endsWith(path.sep) ? r.value.real : r.value.real + path.sep;
  const entries: DirEntry[] = shown.map((e) => {
    // The entry's own type answers for folders and symlinks, which show no size: no lstat.
    if (e.isDirectory) return { name: e.name, kind: "directory" };
    if (e.isSymlink) return { name: e.name, kind: "symlink" };
    // A name from readDir has no separator: concatenation is path.join without its normalising.
    const full = dirPrefix + e.name;
    try {
      const info = Deno.lstatSync(full);
      const kind = kindOf(info);
      return kind === "file" ? { name: e.name, kind, size: info.size } : { name: e.name, kind };
    } catch {
      return {
        name: e.name,
        kind: e.isDirectory ? "directory" : e.isSymlink ? "symlink" : e.isFile ? "file" : "other",
      };
    }
  });
  return {
    ok: true,
    value: {
      dir: r.value.rel,
      entries,
      total: raw.length,
      truncated: scanCapped || raw.length > from + maxEntries,
    },
  };
}

/**
 * A listing as it crosses from the worker to the main thread: one array per field instead of
 * an object per entry, which structured cloning copies about four times faster.
 */
export interface PackedListing {
  dir: string;
  names: string[];
  kinds: EntryKind[];
  /** Bytes for regular files, -1 for the rest. */
  sizes: number[];
  total: number;
  truncated: boolean;
}

export function packListing(r: Outcome<ListDirectoryResult>): Outcome<PackedListing> {
  if (!r.ok) return r;
  const { dir, entries, total, truncated } = r.value;
  return {
    ok: true,
    value: {
      dir,
      names: entries.map((e) => e.name),
      kinds: entries.map((e) => e.kind),
      sizes: entries.map((e) => e.size ?? -1),
      total,
      truncated,
    },
  };
}

export function unpackListing(r: Outcome<PackedListing>): Outcome<ListDirectoryResult> {
  if (!r.ok) return r;
  const { dir, names, kinds, sizes, total, truncated } = r.value;
  const entries = names.map((
    name,
    i,
  ): DirEntry => (sizes[i]! >= 0
    ? { name, kind: kinds[i]!, size: sizes[i]! }
    : { name, kind: kinds[i]! })
  );
  return { ok: true, value: { dir, entries, total, truncated } };
}

export interface ReadFileRequest {
  root: string;
  path: string;
  /** Whole-file reads refuse files larger than this. */
  maxBytes: number;
  /** Cap on returned text for a line range. */
  maxOutputBytes: number;
  startLine?: number;
  endLine?: number;
  /** For a line range: scan on to the end of the file so that totalLines is always known. */
  countAllLines?: boolean;
  /** The operator's --allow-secret-files; otherwise credential files are refused (policy/secrets.ts). */
  allowSecretFiles?: boolean;
}

export interface ReadFileResult {
  rel: string;
  text: string;
  /** First and last line returned (1-based); 0 and 0 for an empty result. */
  startLine: number;
  endLine: number;
  /** Total lines, when the whole file was read. */
  totalLines?: number;
  size: number;
  /** True when a line range was cut short by the output cap. */
  truncated: boolean;
  /** True when the only line returned was longer than the cap and is cut to it. */
  lineCut?: boolean;
  /** True when the lines before the range leave a private key block open (see keyBlockOpenAfter). */
  startsInKeyBlock?: boolean;
}

const CHUNK = 64 * 1024;
/** Bytes as characters one for one: enough to find ASCII markers in any text. */
const LATIN1 = new TextDecoder("latin1");

/**
 * Reads a text file inside the root, whole (up to maxBytes) or as a line range
 * streamed in chunks (any size, never held whole in memory). Binary files are refused.
 */
export async function readFile(req: ReadFileRequest): Promise<Outcome<ReadFileResult>> {
  const r = resolveInsideRoot(req.root, req.path);
  if (!r.ok) return r;
  const refused = secretFileRefusal(req.root, req.path, r.value.rel, req.allowSecretFiles === true);
  if (refused !== undefined) return { ok: false, reason: refused };
  if (r.value.kind !== "file") return { ok: false, reason: "is a directory, not a file" };
  const ranged = req.startLine !== undefined || req.endLine !== undefined;
  if (!ranged && r.value.info.size > req.maxBytes) {
    return {
      ok: false,
      reason: `file is ${formatBytes(r.value.info.size)}, over the ${
        formatBytes(req.maxBytes)
      } limit: ask for a line range with start_line and end_line`,
    };
  }
  // A whole read (at most maxBytes) uses the sync calls: inside the worker each async call costs
  // a round through its event loop, and nothing else waits on that loop meanwhile. Ranged reads
  // stream any size, so they stay async and cancellable.
  let file: Deno.FsFile;
  try {
    file = ranged
      ? await Deno.open(r.value.real, { read: true })
      : Deno.openSync(r.value.real, { read: true });
  } catch (err) {
    return { ok: false, reason: `cannot open the file (${(err as Error).name})` };
  }
  try {
    const after = ranged ? await file.stat() : file.statSync();
    if (!after.isFile || after.ino !== r.value.info.ino || after.dev !== r.value.info.dev) {
      return { ok: false, reason: "the file changed while it was being opened; try again" };
    }
    // A link made between the check and the open is seen on the open file itself.
    const linked = hardLinkRefusal(after);
    if (linked !== undefined) return { ok: false, reason: linked };
    if (!ranged) return readWhole(file, r.value.rel, after.size, req.maxBytes);
    return await readRange(file, r.value.rel, after.size, req);
  } finally {
    file.close();
  }
}

function readWhole(
  file: Deno.FsFile,
  rel: string,
  size: number,
  maxBytes: number,
): Outcome<ReadFileResult> {
  const buf = new Uint8Array(Math.min(size, maxBytes) + 1);
  let filled = 0;
  while (filled < buf.length) {
    const n = file.readSync(buf.subarray(filled));
    if (n === null) break;
    filled += n;
  }
  if (filled > maxBytes) {
    return {
      ok: false,
      reason: `file grew over the ${
        formatBytes(maxBytes)
      } limit: ask for a line range with start_line and end_line`,
    };
  }
  const bytes = buf.subarray(0, filled);
  if (looksBinary(bytes)) return { ok: false, reason: "is a binary file" };
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return { ok: false, reason: "is not valid UTF-8 text (binary file?)" };
  }
  const totalLines = countLines(text);
  return {
    ok: true,
    value: {
      rel,
      text,
      startLine: totalLines === 0 ? 0 : 1,
      endLine: totalLines,
      totalLines,
      size,
      truncated: false,
    },
  };
}

/** Lines in a text: a final line without a newline counts; an empty text has none. */
export function countLines(text: string): number {
  if (text.length === 0) return 0;
  let n = 0;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) n++;
  return text.endsWith("\n") ? n : n + 1;
}

/** A byte that continues a UTF-8 sequence (10xxxxxx). */
const isContinuation = (b: number) => (b & 0xc0) === 0x80;

/** Drops an incomplete UTF-8 sequence at the end of `bytes` (left by a cut at a byte count). */
export function trimIncompleteUtf8(bytes: Uint8Array): Uint8Array {
  let i = bytes.length - 1;
  let back = 0;
  while (i >= 0 && back < 3 && isContinuation(bytes[i]!)) {
    i--;
    back++;
  }
  if (i < 0) return bytes;
  const lead = bytes[i]!;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return bytes.length - i < need ? bytes.subarray(0, i) : bytes;
}

/**
 * Streams the file in chunks, keeping the bytes of lines start..end up to maxOutputBytes and
 * counting newlines as bytes (nothing outside the range is decoded). A first line longer than
 * the cap is kept cut to the cap (lineCut). With countAllLines the scan goes on to the end of
 * the file (at most LIMITS.maxLineRangeScanBytes), so the total is known.
 */
async function readRange(
  file: Deno.FsFile,
  rel: string,
  size: number,
  req: ReadFileRequest,
): Promise<Outcome<ReadFileResult>> {
  const start = req.startLine ?? 1;
  const scanner = new LineScanner(file);
  const range = new RangeCollector(
    start,
    req.endLine ?? Number.MAX_SAFE_INTEGER,
    Math.max(1, req.maxOutputBytes),
  );
  const keys = new KeyBlockWatcher();
  for await (const segment of scanner.segments()) {
    if (segment.line < start) keys.watch(segment);
    range.add(segment);
    if (!range.collecting && req.countAllLines !== true) break;
  }
  if (scanner.binary) return { ok: false, reason: "is a binary file" };
  if (scanner.reachedEof) range.keepUnterminatedLastLine();
  let bytes = range.bytes();
  if (range.lineCut) bytes = trimIncompleteUtf8(bytes);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, reason: "is not valid UTF-8 text (binary file?)" };
  }
  const totalLines = scanner.totalLines();
  const empty = range.keptBytes === 0;
  return {
    ok: true,
    value: {
      rel,
      text,
      startLine: empty ? 0 : start,
      endLine: empty ? 0 : range.lastReturned,
      ...(totalLines !== undefined ? { totalLines } : {}),
      size,
      truncated: range.truncated,
      ...(range.lineCut ? { lineCut: true } : {}),
      ...(keys.open && start > 1 ? { startsInKeyBlock: true } : {}),
    },
  };
}

/** A piece of one line: all of it, or (complete false) what a chunk holds of it. */
interface LineSegment {
  /** The 1-based line it belongs to. */
  line: number;
  /** A view into the scanner's buffer: valid until the next segment. */
  bytes: Uint8Array;
  /** The segment ends with the line's newline. */
  complete: boolean;
}

/**
 * Reads a file in chunks and cuts them at newlines, numbering lines; nothing is decoded. Stops
 * at the end of the file, on a binary first chunk, or after LIMITS.maxLineRangeScanBytes.
 */
class LineScanner {
  binary = false;
  reachedEof = false;
  #scanned = 0;
  #lastByte = -1;
  /** The line the next byte belongs to. */
  #line = 1;
  readonly #file: Deno.FsFile;

  constructor(file: Deno.FsFile) {
    this.#file = file;
  }

  async *segments(): AsyncGenerator<LineSegment> {
    const buf = new Uint8Array(CHUNK);
    for (let first = true;; first = false) {
      const n = await this.#file.read(buf);
      if (n === null) {
        this.reachedEof = true;
        return;
      }
      const bytes = buf.subarray(0, n);
      if (first && looksBinary(bytes)) {
        this.binary = true;
        return;
      }
      this.#scanned += n;
      this.#lastByte = bytes[n - 1] ?? -1;
      for (let pos = 0; pos < n;) {
        const nl = bytes.indexOf(0x0a, pos);
        const complete = nl !== -1;
        const segEnd = complete ? nl + 1 : n;
        yield { line: this.#line, bytes: bytes.subarray(pos, segEnd), complete };
        if (!complete) break;
        this.#line++;
        pos = segEnd;
      }
      if (this.#scanned >= LIMITS.maxLineRangeScanBytes) return;
    }
  }

  /** The file's line count, known once the scan reached its end. */
  totalLines(): number | undefined {
    if (!this.reachedEof) return undefined;
    if (this.#scanned === 0) return 0;
    return this.#lastByte === 0x0a ? this.#line - 1 : this.#line;
  }
}

/**
 * Keeps the bytes of lines start..end, whole lines only, up to `cap` bytes; a first line longer
 * than the cap is kept cut to it (lineCut). Stops collecting past `end` or at the cap.
 */
class RangeCollector {
  collecting = true;
  truncated = false;
  lineCut = false;
  lastReturned = 0;
  keptBytes = 0;
  readonly #kept: Uint8Array[] = [];
  /** The current line's segments, while it is inside the range and not yet complete. */
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #pendingLine = 0;
  readonly #start: number;
  readonly #end: number;
  readonly #cap: number;

  constructor(start: number, end: number, cap: number) {
    this.#start = start;
    this.#end = end;
    this.#cap = cap;
  }

  add(s: LineSegment): void {
    if (!this.collecting) return;
    if (s.line >= this.#start && s.line <= this.#end) this.#keep(s);
    if (s.complete && s.line >= this.#end) this.collecting = false;
  }

  #keep(s: LineSegment): void {
    const room = this.#cap - this.keptBytes - this.#pendingBytes;
    if (s.bytes.length <= room) {
      this.#pending.push(s.bytes.slice());
      this.#pendingBytes += s.bytes.length;
      this.#pendingLine = s.line;
      if (s.complete) this.keepUnterminatedLastLine();
      return;
    }
    if (this.keptBytes === 0) {
      // A single line longer than the cap: keep its beginning, cut to the cap.
      this.#pending.push(s.bytes.slice(0, room));
      this.#pendingBytes += room;
      this.#pendingLine = s.line;
      this.keepUnterminatedLastLine();
      this.lineCut = true;
    }
    this.#pending = [];
    this.#pendingBytes = 0;
    this.collecting = false;
    this.truncated = true;
  }

  /** Keeps the pending line (at the end of the file: a last line without a newline). */
  keepUnterminatedLastLine(): void {
    if (!this.collecting || this.#pendingBytes === 0) return;
    this.#kept.push(...this.#pending);
    this.keptBytes += this.#pendingBytes;
    this.lastReturned = this.#pendingLine;
    this.#pending = [];
    this.#pendingBytes = 0;
  }

  bytes(): Uint8Array {
    return concatBytes(this.#kept, this.keptBytes);
  }
}

/**
 * Watches the lines before a range for private key markers, so that a range that starts inside
 * a key is redacted whole (a marker line is short: only a line's first 4 KiB counts).
 */
class KeyBlockWatcher {
  open = false;
  #line = "";

  watch(s: LineSegment): void {
    if (this.#line.length < 4096 && (this.#line !== "" || s.bytes.includes(0x2d))) {
      this.#line += LATIN1.decode(s.bytes.subarray(0, Math.min(s.bytes.length, 4096)));
    }
    if (s.complete && this.#line !== "") {
      this.open = keyBlockOpenAfter(this.#line, this.open);
      this.#line = "";
    }
  }
}

export interface CompletionRequest {
  root: string;
  /** What the user typed so far, relative to the root. */
  prefix: string;
  max: number;
  /** The operator's --allow-secret-files; otherwise credential files are not offered. */
  allowSecretFiles?: boolean;
}

/**
 * Path completion: entries of the folder named by the prefix whose names start
 * with its last component; folders end with "/". Hidden entries only when asked for.
 * The folder part comes back normalised: a value never holds "//", "/./" or "/../".
 */
export function completePath(req: CompletionRequest): string[] {
  const slash = req.prefix.lastIndexOf("/");
  const namePart = slash === -1 ? req.prefix : req.prefix.slice(slash + 1);
  // The folder part as typed, normalised ("src//", "./src/./" -> "src/"), so no value holds "//".
  let dirPart = slash === -1 ? "" : path.posix.normalize(req.prefix.slice(0, slash + 1));
  if (dirPart === "./") dirPart = "";
  const r = resolveInsideRoot(req.root, dirPart === "" ? "." : dirPart);
  if (!r.ok || r.value.kind !== "directory") return [];
  const out: string[] = [];
  try {
    for (const e of Deno.readDirSync(r.value.real)) {
      if (!e.name.startsWith(namePart)) continue;
      if (e.name.startsWith(".") && !namePart.startsWith(".")) continue;
      if (
        secretFileRule(dirPart + e.name, { allowSecretFiles: req.allowSecretFiles === true }) !==
          undefined
      ) continue;
      let isDir = e.isDirectory;
      if (e.isSymlink) {
        const t = resolveInsideRoot(req.root, path.join(r.value.real, e.name));
        if (!t.ok) continue;
        isDir = t.value.kind === "directory";
      } else if (!e.isFile && !e.isDirectory) continue;
      out.push(dirPart + e.name + (isDir ? "/" : ""));
      if (out.length >= 10_000) break;
    }
  } catch {
    return [];
  }
  out.sort();
  return out.slice(0, req.max);
}

export { describeKind, relativeToRoot };
