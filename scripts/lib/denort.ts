/**
 * Where `deno compile` gets the runtime (`denort`) it copies into each binary: DENORT_BIN,
 * Deno's download cache, or Deno's download host. `deno compile` itself uses DENORT_BIN
 * for every target alike, so this module finds out which target a given file is for.
 */
import * as path from "node:path";

export const DOWNLOAD_HOST = "dl.deno.land";

export type RuntimeSource =
  | { kind: "env"; path: string }
  | { kind: "cache"; path: string }
  | { kind: "download" };

/**
 * The target triple an executable was built for, read from its header (ELF, Mach-O or PE);
 * undefined for anything else. Linux binaries are taken to be glibc ones, as Deno's are.
 *
 * @example executableTarget(await Deno.readFile("/usr/local/bin/deno")) === "x86_64-unknown-linux-gnu"
 */
export function executableTarget(bytes: Uint8Array): string | undefined {
  if (bytes.length < 64) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46) {
    const machine = view.getUint16(18, bytes[5] === 1);
    if (machine === 0x3e) return "x86_64-unknown-linux-gnu";
    if (machine === 0xb7) return "aarch64-unknown-linux-gnu";
    return undefined;
  }
  if (view.getUint32(0, true) === 0xfeedfacf) {
    const cpu = view.getUint32(4, true);
    if (cpu === 0x01000007) return "x86_64-apple-darwin";
    if (cpu === 0x0100000c) return "aarch64-apple-darwin";
    return undefined;
  }
  if (bytes[0] === 0x4d && bytes[1] === 0x5a) {
    const pe = view.getUint32(0x3c, true);
    if (pe + 6 > bytes.length || view.getUint32(pe, true) !== 0x00004550) return undefined;
    const machine = view.getUint16(pe + 4, true);
    if (machine === 0x8664) return "x86_64-pc-windows-msvc";
    if (machine === 0xaa64) return "aarch64-pc-windows-msvc";
  }
  return undefined;
}

/** Where `deno compile` caches a downloaded runtime: `<DENO_DIR>/dl/release/v<version>/denort-<target>.zip`. */
export function cachedRuntimePath(denoDir: string, denoVersion: string, triple: string): string {
  return path.join(denoDir, "dl", "release", `v${denoVersion}`, `denort-${triple}.zip`);
}

/** Deno's cache folders, as `deno info --json` reports them. */
export async function denoInfo(
  deno: string = Deno.execPath(),
): Promise<{ denoDir: string; npmCache: string }> {
  const out = await new Deno.Command(deno, {
    args: ["info", "--json"],
    stdout: "piped",
    stderr: "null",
  }).output();
  const info = JSON.parse(new TextDecoder().decode(out.stdout));
  return { denoDir: info.denoDir, npmCache: info.npmCache };
}

/** Whether Deno's download host accepts a TCP connection within `timeoutMs`. */
export async function downloadHostReachable(timeoutMs = 5_000): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const conn = await Promise.race([
      Deno.connect({ hostname: DOWNLOAD_HOST, port: 443 }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("timeout")), timeoutMs);
      }),
    ]);
    conn.close();
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export interface RuntimeLookup {
  /** The DENORT_BIN value and the target its header names. */
  denortBin?: { path: string; target: string | undefined };
  denoDir: string;
  denoVersion: string;
  /** Asked only when neither DENORT_BIN nor the cache serves the target. */
  hostReachable: () => Promise<boolean>;
}

/** The runtime source for one target, or undefined when there is none on this machine. */
export async function findRuntime(
  triple: string,
  lookup: RuntimeLookup,
): Promise<RuntimeSource | undefined> {
  if (lookup.denortBin && lookup.denortBin.target === triple) {
    return { kind: "env", path: lookup.denortBin.path };
  }
  const cached = cachedRuntimePath(lookup.denoDir, lookup.denoVersion, triple);
  try {
    if ((await Deno.stat(cached)).isFile) return { kind: "cache", path: cached };
  } catch {
    // not cached
  }
  return (await lookup.hostReachable()) ? { kind: "download" } : undefined;
}

/** Reads DENORT_BIN's header; a missing or unreadable file is reported as such, in one line. */
export async function inspectDenortBin(
  value: string | undefined,
): Promise<RuntimeLookup["denortBin"] | { error: string }> {
  if (value === undefined || value === "") return undefined;
  try {
    const file = await Deno.open(value);
    const head = new Uint8Array(4096);
    const n = (await file.read(head)) ?? 0;
    file.close();
    return { path: path.resolve(value), target: executableTarget(head.subarray(0, n)) };
  } catch (err) {
    return { error: `DENORT_BIN=${value}: ${(err as Error).message.replace(/\s+/g, " ")}` };
  }
}

/**
 * The one line the compile script stops with when targets have no runtime.
 *
 * @example missingRuntimeMessage(["x86_64-unknown-linux-gnu"], "2.9.6", "/root/.cache/deno")
 */
export function missingRuntimeMessage(
  triples: readonly string[],
  denoVersion: string,
  dir: string,
): string {
  return `compile: no Deno runtime (denort ${denoVersion}) for ${triples.join(", ")}: ` +
    `set DENORT_BIN to an unpacked denort ${denoVersion} for one target, ` +
    `or put denort-<target>.zip in ${path.join(dir, "dl", "release", `v${denoVersion}`)}, ` +
    `or run where ${DOWNLOAD_HOST}:443 is reachable`;
}
