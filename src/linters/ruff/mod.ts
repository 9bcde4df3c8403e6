/**
 * ruff for run_linter: configuration discovery plus the built-in engine, in one call the
 * sandbox worker makes with its own sandboxed file reader. Re-exports what --version,
 * structured output and config://review-rules need.
 */
import { relative, sep } from "node:path";
import type { ParseResult } from "../types.ts";
import { loadRuffConfig, type ReadTextFile } from "./config.ts";
import { runEngine } from "./engine.ts";
import { RUFF_ENGINE_VERSION } from "./version.ts";

export {
  DEFAULT_RUFF_SETTINGS,
  loadRuffConfig,
  type ReadTextFile,
  type ResolvedRuffConfig,
  RUFF_CONFIG_NAMES,
  type RuffSettings,
} from "./config.ts";
export {
  checkSource,
  isEngineLoaded,
  RUFF_ENGINE_VERSION,
  severityOf,
  SYNTAX_ERROR_CODE,
  warmUp,
} from "./engine.ts";

export interface RuffCheckRequest {
  /** Real absolute path of the checked file (already validated by the path policy). */
  absPath: string;
  /** The same file relative to the root, as the model named it; reported in each diagnostic. */
  relPath: string;
  /** Real absolute path of the project root; configuration above it is never read. */
  root: string;
  /** The file's text. */
  source: string;
  /** Reads configuration files; null when absent. Must apply the same sandbox and path policy as read_file. */
  readTextFile: ReadTextFile;
}

/** A check's findings (or error), the configuration file used (relative to the root) and the engine version. */
export type RuffCheckResult = ParseResult & { configFile?: string; engineVersion: string };

/**
 * Lints one Python file with the project's own ruff configuration (nearest to the file,
 * inside the root) or the review-rules defaults. Never throws for bad input: a broken or
 * rejected configuration is { ok: false } with an error naming the file and the problem.
 */
export async function ruffCheck(request: RuffCheckRequest): Promise<RuffCheckResult> {
  const engineVersion = RUFF_ENGINE_VERSION;
  const loaded = await loadRuffConfig(request);
  if (!loaded.ok) {
    const failed: RuffCheckResult = { ok: false, error: loaded.error, engineVersion };
    if (loaded.configFile !== undefined) failed.configFile = loaded.configFile;
    return failed;
  }
  const { settings, perFileIgnores, configFile } = loaded.config;
  // per-file-ignores match the normalised path from the root, whatever spelling the model used.
  const matchPath = relative(request.root, request.absPath).split(sep).join("/");
  const outcome = await runEngine(request.source, settings, matchPath, perFileIgnores);
  const result: RuffCheckResult = outcome.ok
    ? {
      ok: true,
      diagnostics: outcome.diagnostics.map((d) => ({ ...d, file: request.relPath })),
      engineVersion,
    }
    : {
      ok: false,
      error: outcome.kind === "settings"
        ? `Invalid ruff configuration${
          configFile === undefined ? "" : ` in "${configFile}"`
        }: ${outcome.error}`
        : outcome.error,
      engineVersion,
    };
  if (configFile !== undefined) result.configFile = configFile;
  return result;
}
