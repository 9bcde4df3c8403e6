/**
 * ruff for run_linter: configuration discovery plus the built-in engine, in one call the
 * sandbox worker makes with its own sandboxed file reader; the engine itself runs in a worker
 * of its own, loaded on the first check and released when idle (engine_client.ts). Re-exports what --version,
 * structured output and config://review-rules need.
 */
import { relative, sep } from "node:path";
import type { ParseResult } from "../types.ts";
import { loadRuffConfig, type ReadTextFile, type RuffConfigResult } from "./config.ts";
import { batchOf, type RuffBatchEngine, type RuffEngine, ruffEngine } from "./engine_client.ts";
import { RUFF_ENGINE_VERSION } from "./version.ts";

export { denoProjectFs, type ProjectFs, RuffProject } from "./project.ts";
export {
  DEFAULT_RUFF_SETTINGS,
  loadRuffConfig,
  type ReadTextFile,
  type ResolvedRuffConfig,
  RUFF_CONFIG_NAMES,
  type RuffConfigResult,
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
export {
  batchOf,
  DEFAULT_RUFF_IDLE_MS,
  type RuffBatchEngine,
  type RuffEngine,
  ruffEngine,
  RuffEngineClient,
} from "./engine_client.ts";

let defaultEngine: RuffEngine = ruffEngine.check;
let defaultBatchEngine: RuffBatchEngine = ruffEngine.checkBatch;

/**
 * Where checks run unless a request names its engine: the sandbox worker relays them to the main
 * thread. A project lint sends many files per message to `batch` (made of `engine` unless given).
 */
export function setDefaultRuffEngine(engine: RuffEngine, batch?: RuffBatchEngine): void {
  defaultEngine = engine;
  defaultBatchEngine = batch ?? batchOf(engine);
}

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
  /** Where the check runs: the engine's own worker unless given (tests pass the in-process engine). */
  engine?: RuffEngine;
  /** Cancels the check. */
  signal?: AbortSignal | undefined;
  /** The configuration already resolved (a project lint, with first-party names added); else loaded here. */
  config?: RuffConfigResult | undefined;
}

/** A check's findings (or the reason it failed), the configuration file used (relative to the root) and the engine version. */
export type RuffCheckResult = ParseResult & { configFile?: string; engineVersion: string };

/**
 * Lints one Python file with the project's own ruff configuration (nearest to the file,
 * inside the root) or the review-rules defaults. Never throws for bad input: a broken or
 * rejected configuration is a failure whose reason names the file and the problem.
 */
export async function ruffCheck(request: RuffCheckRequest): Promise<RuffCheckResult> {
  const engineVersion = RUFF_ENGINE_VERSION;
  const loaded = request.config ?? await loadRuffConfig(request);
  if (!loaded.ok) {
    const failed: RuffCheckResult = { ok: false, reason: loaded.reason, engineVersion };
    if (loaded.configFile !== undefined) failed.configFile = loaded.configFile;
    return failed;
  }
  const { settings, perFileIgnores, configFile } = loaded.value;
  // per-file-ignores match the normalised path from the root, whatever spelling the model used.
  const matchPath = relative(request.root, request.absPath).split(sep).join("/");
  const engine = request.engine ?? defaultEngine;
  const outcome = await engine(request.source, settings, matchPath, perFileIgnores, request.signal);
  return checkResult(outcome, request.relPath, configFile);
}

/** One engine outcome as a check's result: findings named by the file, or why there are none. */
function checkResult(
  outcome: Awaited<ReturnType<RuffEngine>>,
  relPath: string,
  configFile: string | undefined,
): RuffCheckResult {
  const engineVersion = RUFF_ENGINE_VERSION;
  const result: RuffCheckResult = outcome.ok
    ? { ok: true, value: outcome.value.map((d) => ({ ...d, file: relPath })), engineVersion }
    : {
      ok: false,
      reason: outcome.kind === "settings"
        ? `Invalid ruff configuration${
          configFile === undefined ? "" : ` in "${configFile}"`
        }: ${outcome.reason}`
        : outcome.reason,
      engineVersion,
    };
  if (configFile !== undefined) result.configFile = configFile;
  return result;
}

/** One file of ruffCheckBatch: where it is and its text. */
export interface RuffBatchFile {
  /** Real absolute path (already validated by the path policy). */
  absPath: string;
  /** Root-relative, as reported in each diagnostic. */
  relPath: string;
  source: string;
}

/**
 * ruffCheck on many files governed by one resolved configuration, in one engine message: one
 * result per file, in their order, each what ruffCheck would give for it alone.
 */
export async function ruffCheckBatch(request: {
  root: string;
  files: readonly RuffBatchFile[];
  config: RuffConfigResult;
  signal?: AbortSignal | undefined;
}): Promise<RuffCheckResult[]> {
  const engineVersion = RUFF_ENGINE_VERSION;
  const loaded = request.config;
  if (!loaded.ok) {
    const failed: RuffCheckResult = { ok: false, reason: loaded.reason, engineVersion };
    if (loaded.configFile !== undefined) failed.configFile = loaded.configFile;
    return request.files.map(() => failed);
  }
  const { settings, perFileIgnores, configFile } = loaded.value;
  const outcomes = await defaultBatchEngine(
    request.files.map((f) => ({
      source: f.source,
      relPath: relative(request.root, f.absPath).split(sep).join("/"),
    })),
    settings,
    perFileIgnores,
    request.signal,
  );
  return outcomes.map((outcome, i) => checkResult(outcome, request.files[i]!.relPath, configFile));
}
