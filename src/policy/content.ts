/**
 * What a file's first bytes say about it. Kept apart from src/policy/walk.ts (which loads the
 * ignore and glob libraries) so that read_file's module can use it without loading those at
 * the worker's start.
 */

/** How far into a file the binary sniff looks. */
export const SNIFF_BYTES = 8192;

/** True when the bytes hold a NUL in their first 8 KiB, as git and ripgrep decide. */
export function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, SNIFF_BYTES);
  for (let i = 0; i < n; i++) if (bytes[i] === 0) return true;
  return false;
}
