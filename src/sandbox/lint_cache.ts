/**
 * The built-in ruff's findings kept between project lints, per file version and configuration:
 * a repeated `run_linter "."` re-checks only the files that changed (as native ruff's own cache
 * does), and gives the same answer as a fresh lint. An entry is keyed by the file's real path and
 * valid only for the same stamp (size, modification and change times, inode: an edit, a chmod or
 * a replaced file changes it) and the same configuration key (the engine's settings with the
 * first-party names, the per-file-ignores, the package the file belongs to, the `src` folders:
 * everything besides the text the findings depend on). Bounded (RUFF_RESULTS_MAX_FILES files,
 * RUFF_RESULTS_MAX_FINDINGS findings; least recently used first out); lives in the sandbox worker.
 */
import type { Diagnostic } from "../linters/types.ts";

/** One file's outcome as a project lint reports it: its findings (the server's own included). */
export interface CachedLint {
  stamp: string;
  configKey: string;
  diagnostics: readonly Diagnostic[];
  /** The ruff configuration file that governed it, root-relative. */
  configFile?: string;
}

/** Files remembered at most (one small record each, plus their findings). */
export const RUFF_RESULTS_MAX_FILES = 20_000;
/** Findings remembered at most, over all files: about 10 MiB (a finding is a few hundred bytes). */
export const RUFF_RESULTS_MAX_FINDINGS = 30_000;

/** A least-recently-used map from a real path to its last lint, bounded by files and findings. */
export class LintResultCache {
  readonly #map = new Map<string, CachedLint>();
  #findings = 0;
  hits = 0;

  constructor(
    readonly maxFiles = RUFF_RESULTS_MAX_FILES,
    readonly maxFindings = RUFF_RESULTS_MAX_FINDINGS,
  ) {}

  /** Whether some version of the file is remembered (a stat then tells whether it is this one). */
  has(abs: string): boolean {
    return this.#map.has(abs);
  }

  /** The remembered lint of this version of the file under this configuration, or undefined. */
  get(abs: string, stamp: string, configKey: string): CachedLint | undefined {
    const e = this.#map.get(abs);
    if (e === undefined) return undefined;
    this.#map.delete(abs);
    if (e.stamp !== stamp || e.configKey !== configKey) {
      this.#findings -= e.diagnostics.length;
      return undefined;
    }
    this.#map.set(abs, e);
    this.hits++;
    return e;
  }

  /** Remembers a lint (replacing the path's older one); one with over a tenth of the bound is not kept. */
  set(abs: string, entry: CachedLint): void {
    this.delete(abs);
    if (entry.diagnostics.length > this.maxFindings / 10) return;
    this.#map.set(abs, entry);
    this.#findings += entry.diagnostics.length;
    while (this.#findings > this.maxFindings || this.#map.size > this.maxFiles) {
      const [k, v] = this.#map.entries().next().value!;
      this.#map.delete(k);
      this.#findings -= v.diagnostics.length;
    }
  }

  delete(abs: string): void {
    const old = this.#map.get(abs);
    if (old === undefined) return;
    this.#findings -= old.diagnostics.length;
    this.#map.delete(abs);
  }

  clear(): void {
    this.#map.clear();
    this.#findings = 0;
  }

  get size(): number {
    return this.#map.size;
  }

  get findings(): number {
    return this.#findings;
  }
}

/** The sandbox worker's one cache of built-in ruff results. */
export const ruffResults = new LintResultCache();
