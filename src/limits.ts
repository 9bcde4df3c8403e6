/**
 * Limits on everything unbounded, in a module of their own (re-exported by config.ts): the
 * sandbox worker reads them without loading the flag parser and everything it imports.
 */
/** Constants here, so tests and docs can cite them. */
export const LIMITS = {
  maxFileBytes: 1024 * 1024,
  maxReadOutputBytes: 1024 * 1024,
  maxListEntries: 1000,
  maxLineRangeScanBytes: 512 * 1024 * 1024,
  linterTimeoutMs: 30_000,
  linterMaxOutputBytes: 4 * 1024 * 1024,
  fetchMaxBytes: 5 * 1024 * 1024,
  fetchTimeoutMs: 15_000,
  maxPathLength: 4096,
  completionMaxValues: 100,
} as const;
