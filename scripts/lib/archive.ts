/**
 * Release archives without external tools or extra dependencies (an npm package in
 * deno.json would be embedded in every compiled binary): ustar + gzip for Unix targets,
 * zip for Windows and .mcpb bundles, and SHA256SUMS in the format `sha256sum -c` reads.
 */
import { crc32, deflateRawSync, gzipSync } from "node:zlib";
import { createHash } from "node:crypto";

/** One file in an archive; `mode` carries the executable bit for binaries. */
export interface ArchiveEntry {
  name: string;
  data: Uint8Array;
  mode: number;
}

const encoder = new TextEncoder();

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, "0") + "\0";
}

function tarHeader(
  name: string,
  size: number,
  mode: number,
  mtime: number,
  type: "0" | "5",
): Uint8Array {
  const nameBytes = encoder.encode(name);
  if (nameBytes.length > 100) throw new Error(`tar: name longer than 100 bytes: ${name}`);
  const h = new Uint8Array(512);
  const put = (offset: number, text: string) => h.set(encoder.encode(text), offset);
  h.set(nameBytes, 0);
  put(100, octal(mode, 8));
  put(108, octal(0, 8));
  put(116, octal(0, 8));
  put(124, octal(size, 12));
  put(136, octal(mtime, 12));
  put(148, "        ");
  put(156, type);
  put(257, "ustar\0");
  put(263, "00");
  put(265, "root");
  put(297, "root");
  const sum = h.reduce((a, b) => a + b, 0);
  put(148, sum.toString(8).padStart(6, "0") + "\0 ");
  return h;
}

/**
 * A gzip-compressed ustar archive; folders named in entry paths get their own entries.
 *
 * @example tarGz([{ name: "crm-0.1.0/code-review-mcp", data, mode: 0o755 }], 1700000000)
 */
export function tarGz(entries: readonly ArchiveEntry[], mtime: number): Uint8Array {
  const parts: Uint8Array[] = [];
  const dirs = new Set<string>();
  for (const e of entries) {
    const segments = e.name.split("/").slice(0, -1);
    for (let i = 1; i <= segments.length; i++) {
      const dir = segments.slice(0, i).join("/") + "/";
      if (!dirs.has(dir)) {
        dirs.add(dir);
        parts.push(tarHeader(dir, 0, 0o755, mtime, "5"));
      }
    }
    parts.push(tarHeader(e.name, e.data.length, e.mode, mtime, "0"));
    parts.push(e.data);
    const pad = (512 - (e.data.length % 512)) % 512;
    if (pad > 0) parts.push(new Uint8Array(pad));
  }
  parts.push(new Uint8Array(1024));
  return new Uint8Array(gzipSync(concat(parts), { level: 9 }));
}

function dosTime(epochSeconds: number): { time: number; date: number } {
  const d = new Date(Math.max(epochSeconds, 315532800) * 1000); // zip cannot say anything before 1980
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
    date: ((d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}

/**
 * A zip archive (deflate), made by "Unix" so that unzip and Claude Desktop keep each
 * entry's mode: a binary stays executable. Sizes are limited to 4 GiB (no zip64).
 */
export function zip(entries: readonly ArchiveEntry[], mtime: number): Uint8Array {
  const { time, date } = dosTime(mtime);
  const local: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = encoder.encode(e.name);
    const compressed = new Uint8Array(deflateRawSync(e.data, { level: 9 }));
    const crc = crc32(e.data) >>> 0;
    const lh = new DataView(new ArrayBuffer(30));
    lh.setUint32(0, 0x04034b50, true);
    lh.setUint16(4, 20, true);
    lh.setUint16(6, 0x0800, true); // names are UTF-8
    lh.setUint16(8, 8, true);
    lh.setUint16(10, time, true);
    lh.setUint16(12, date, true);
    lh.setUint32(14, crc, true);
    lh.setUint32(18, compressed.length, true);
    lh.setUint32(22, e.data.length, true);
    lh.setUint16(26, name.length, true);
    lh.setUint16(28, 0, true);
    local.push(new Uint8Array(lh.buffer), name, compressed);
    const ch = new DataView(new ArrayBuffer(46));
    ch.setUint32(0, 0x02014b50, true);
    ch.setUint16(4, (3 << 8) | 20, true); // made by Unix, spec 2.0
    ch.setUint16(6, 20, true);
    ch.setUint16(8, 0x0800, true);
    ch.setUint16(10, 8, true);
    ch.setUint16(12, time, true);
    ch.setUint16(14, date, true);
    ch.setUint32(16, crc, true);
    ch.setUint32(20, compressed.length, true);
    ch.setUint32(24, e.data.length, true);
    ch.setUint16(28, name.length, true);
    ch.setUint32(38, ((0o100000 | e.mode) << 16) >>> 0, true); // regular file + mode
    ch.setUint32(42, offset, true);
    central.push(new Uint8Array(ch.buffer), name);
    offset += 30 + name.length + compressed.length;
  }
  const centralBytes = concat(central);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, entries.length, true);
  end.setUint16(10, entries.length, true);
  end.setUint32(12, centralBytes.length, true);
  end.setUint32(16, offset, true);
  return concat([...local, centralBytes, new Uint8Array(end.buffer)]);
}

/** Seconds since the epoch for archive entries: SOURCE_DATE_EPOCH when set (reproducible builds). */
export function archiveTime(env: string | undefined = Deno.env.get("SOURCE_DATE_EPOCH")): number {
  return env !== undefined && /^\d+$/.test(env) ? Number(env) : Math.floor(Date.now() / 1000);
}

/** Lowercase hex SHA-256 of some bytes. */
export function sha256Hex(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * SHA256SUMS text: one `<hex>  <name>` line per file, sorted by name, as `sha256sum -c` checks.
 *
 * @example sha256Sums(new Map([["a.tar.gz", bytes]])) // "3b5d...  a.tar.gz\n"
 */
export function sha256Sums(files: ReadonlyMap<string, Uint8Array>): string {
  return [...files.keys()].sort().map((name) => `${sha256Hex(files.get(name)!)}  ${name}\n`).join(
    "",
  );
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
