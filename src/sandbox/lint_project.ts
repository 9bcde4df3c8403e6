/**
 * run_linter on a folder or a glob, inside the worker: the project walk chooses the files, each
 * goes to its linter, the built-in ruff checks files in the worker itself, and each subprocess
 * linter takes many files per process with a bounded number of processes at once. Progress is
 * reported as files finish; an abort kills the running processes and ends the run at once.
 */
import { contentFindings } from "../linters/content_findings.ts";
import type { Diagnostic } from "../linters/types.ts";
import { defaultLinterFor, linterAccepts, type LinterName } from "../linters/registry.ts";
import { LINTERS, type SubprocessLinter } from "../policy/commands.ts";
import { formatBytes } from "../policy/paths.ts";
import { isSkippedDir, LINT_WALK_CAPS, type WalkCaps, walkedText } from "../policy/walk.ts";
import { describeConfig } from "../linters/python_config.ts";
import { EMPTY_OUTPUT, FINDINGS_CODE, splitByFile } from "../linters/batch.ts";
import {
  denoProjectFs,
  RUFF_ENGINE_VERSION,
  ruffCheckBatch,
  type RuffConfigResult,
  RuffProject,
} from "../linters/ruff/mod.ts";
import { nativeConfigFlags } from "../linters/ruff/native_args.ts";
import { isExcluded } from "../linters/ruff/selection.ts";
import { mayBePythonSource } from "../linters/ruff/project.ts";
import {
  DEFAULT_FLAKE8_SELECTION,
  flake8Excludes,
  type Flake8Selection,
  flake8Selects,
} from "../linters/flake8_selection.ts";
import {
  DEFAULT_PYLINT_SELECTION,
  pylintExcludes,
  type PylintSelection,
  pylintSelects,
} from "../linters/pylint_selection.ts";
import { hardLinkRefusal, isInside } from "../policy/paths.ts";
import type { Outcome } from "./files.ts";
import { runCommand } from "./run_command.ts";
import {
  fileStamp,
  isRacy,
  readWalkedFile,
  // Synchronous: a project lint reads its Python files one after another; asynchronous opens
  // in flight each held a runtime thread (and its memory).
  readWalkedFileInfoSync,
  type SkipCounts,
  walkFiles,
} from "./walk.ts";
import { ruffResults } from "./lint_cache.ts";
import { pythonLinterConfig, readConfigText } from "./lint.ts";

export interface LintProjectRequest {
  root: string;
  /** A folder or a glob ("." for the whole project). */
  target: string;
  /** Only this linter, on the files it handles; otherwise each file's default among `enabled`. */
  linter?: LinterName;
  enabled: readonly LinterName[];
  pathEnv: string;
  /** A process still running after this long (per batch of up to 10 files) is killed. */
  timeoutMs: number;
  /** Subprocesses running at once (1 over HTTP: one linter slot at a time). */
  concurrency: number;
  /** Most findings kept; the run goes on counting beyond. */
  maxDiagnostics: number;
  caps?: WalkCaps;
  allowSecretFiles?: boolean;
}

export interface LintProjectResult {
  target: string;
  diagnostics: Diagnostic[];
  /** Findings found, kept or not. */
  totalFindings: number;
  filesChecked: number;
  /** Files per linter that ran. */
  filesByLinter: Partial<Record<LinterName, number>>;
  skipped: SkipCounts;
  capped?: "files" | "bytes" | "entries";
  /** Runs that failed (a linter missing, a timeout, a broken configuration), one line each. */
  failures: string[];
  /** Configuration files honoured, with what was refused in them. */
  configFiles: string[];
  engineVersion?: string;
  durationMs: number;
}

export type ProgressReport = (done: number, total: number, message: string) => void;

/**
 * Files per built-in ruff engine message: a project's files go in chunks, so that the cost of a
 * message (two hops: sandbox worker, main thread, engine worker) is paid per chunk, not per file.
 */
const RUFF_CHUNK_FILES = 32;
/** Chunks in flight at once: reads overlap the engines' work and both engines stay busy (engine_client.ts). */
const RUFF_CHUNKS_IN_FLIGHT = 4;

function isRuffFamily(l: LinterName | undefined): boolean {
  return l === "ruff" || l === "ruff-native";
}

/**
 * Whether a file lies in a folder the shared walk skips by name (node_modules, venv, build ...).
 * ruff has its own list (its default `exclude`, which a project may replace), so for ruff the
 * walk visits those folders and ruff's settings decide; other linters still skip them.
 */
function underSkippedDir(rel: string): boolean {
  return rel.split("/").slice(0, -1).some(isSkippedDir);
}

/** Files per subprocess: pylint is slow per file, the others are quick. */
const BATCH_SIZE: Readonly<Record<SubprocessLinter, number>> = {
  "ruff-native": 200,
  flake8: 50,
  pylint: 20,
  shellcheck: 50,
  "deno-lint": 100,
};
const BATCH_OUTPUT_BYTES = 16 * 1024 * 1024;

function abortIf(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new DOMException("cancelled", "AbortError");
}

export async function lintProject(
  req: LintProjectRequest,
  report: ProgressReport,
  signal?: AbortSignal,
): Promise<Outcome<LintProjectResult>> {
  const started = performance.now();
  const caps = req.caps ?? LINT_WALK_CAPS;
  const chooser = (rel: string): LinterName | undefined =>
    req.linter !== undefined
      ? (linterAccepts(req.linter, rel) ? req.linter : undefined)
      : defaultLinterFor(rel, req.enabled);
  const configs = new Map<string, Promise<string | null>>();
  const readConfig = (p: string) => {
    let c = configs.get(p);
    if (!c) configs.set(p, c = readConfigText(req.root, p));
    return c;
  };
  // ruff's own file selection (its exclude/include settings, nested configurations, first-party
  // modules) applies to the Python files a ruff linter checks: src/linters/ruff/project.ts.
  const ruffLinter = chooser("__code_review_probe__.py");
  const usesRuff = isRuffFamily(ruffLinter);
  // ruff also lints .pyw files and scripts without an extension that its `include` names.
  const choose = (rel: string): LinterName | undefined =>
    chooser(rel) ?? (usesRuff && mayBePythonSource(rel) ? ruffLinter : undefined);
  const project = new RuffProject(
    req.root,
    readConfig,
    denoProjectFs(req.root, (abs) => isInside(req.root, abs)),
  );
  // ruff applies .gitignore only in a git repository (the ignore crate's require_git), and only
  // when respect-gitignore holds in the root configuration.
  const respectIgnoreFiles = usesRuff
    ? await project.respectsGitignore() && project.fs.kind(".git") !== null
    : true;
  // A folder skipped by name is walked for ruff unless the root configuration excludes it (a
  // nested configuration's own exclusions are applied file by file below).
  const rootConfig = usesRuff ? await project.configForDir("") : undefined;
  // flake8's own selection (exclude, extend-exclude, filename) likewise, when flake8 lints Python.
  const flake8 = ruffLinter === "flake8" ? flake8SelectionOf(req.root) : undefined;
  // pylint's (ignore, ignore-patterns, ignore-paths), as `pylint --recursive=y .` applies them.
  const pylint = ruffLinter === "pylint" ? pylintSelectionOf(req.root) : undefined;
  const ownSelection = (l: LinterName) =>
    isRuffFamily(l) || (l === "flake8" && !!flake8) || (l === "pylint" && !!pylint);
  const visitSkippedDir = rootConfig?.ok
    ? (rel: string) =>
      rel.slice(rel.lastIndexOf("/") + 1) !== ".git" &&
      !isExcluded(rootConfig.value.selection, rel)
    : flake8
    ? (rel: string) => !flake8Excludes(flake8, rel)
    : pylint
    ? (rel: string) => !pylintExcludes(pylint, rel)
    : undefined;
  const walked = walkFiles({
    root: req.root,
    target: req.target,
    caps,
    allowSecretFiles: req.allowSecretFiles === true,
    accept: (rel) => {
      const l = choose(rel);
      return l !== undefined && (ownSelection(l) || !underSkippedDir(rel));
    },
    respectIgnoreFiles,
    ...(visitSkippedDir ? { visitSkippedDir } : {}),
    ...(signal ? { signal } : {}),
  });
  if (!walked.ok) return walked;
  abortIf(signal);
  const w = walked.value;
  const skipped: SkipCounts = { ...w.skipped };
  const bump = (k: keyof SkipCounts) => (skipped[k] = (skipped[k] ?? 0) + 1);
  const byLinter = new Map<LinterName, typeof w.files>();
  const startRel = w.target === "." || isGlobTarget(w.target) ? "" : w.target;
  for (const f of w.files) {
    const l = choose(f.rel)!;
    if (isRuffFamily(l)) {
      abortIf(signal);
      // A broken configuration keeps a Python file: its check reports the configuration's error.
      // Other names (a .pyw, a script without extension) count only when `include` names them.
      const selected = await project.selects(f.rel, startRel);
      if (chooser(f.rel) === undefined ? selected !== true : selected === false) {
        if (chooser(f.rel) !== undefined) bump("ignored");
        continue;
      }
    }
    if (
      f.rel !== w.target && (
        (l === "flake8" && flake8 && !flake8Selects(flake8, f.rel)) ||
        (l === "pylint" && pylint && !pylintSelects(pylint, f.rel))
      )
    ) {
      bump("ignored");
      continue;
    }
    let list = byLinter.get(l);
    if (!list) byLinter.set(l, list = []);
    list.push(f);
  }
  const result: LintProjectResult = {
    target: w.target,
    diagnostics: [],
    totalFindings: 0,
    filesChecked: 0,
    filesByLinter: {},
    skipped,
    ...(w.capped ? { capped: w.capped } : {}),
    failures: [],
    configFiles: [],
    durationMs: 0,
  };
  const total = [...byLinter.values()].reduce((n, files) => n + files.length, 0);
  let done = 0;
  let lastReport = 0;
  const progress = (force = false) => {
    const now = performance.now();
    if (force || now - lastReport > 200) {
      lastReport = now;
      report(done, total, `${done} of ${total} files done`);
    }
  };
  const keep = (ds: readonly Diagnostic[]) => {
    result.totalFindings += ds.length;
    for (const d of ds) {
      if (result.diagnostics.length < req.maxDiagnostics) result.diagnostics.push(d);
    }
  };
  const checked = (l: LinterName, n: number) => {
    result.filesChecked += n;
    result.filesByLinter[l] = (result.filesByLinter[l] ?? 0) + n;
    done += n;
    progress();
  };
  progress(true);

  // Subprocess linters: batches started first, so they run while the built-in ruff works here.
  const batches: {
    linter: SubprocessLinter;
    files: typeof w.files;
    flags: string[];
    cwd?: string;
  }[] = [];
  const failLater: string[] = [];
  for (const [l, files] of byLinter) {
    if (l === "ruff") continue;
    if (l === "ruff-native") {
      // One group per configuration, run from its folder with its settings as overrides.
      const groups = new Map<string, { files: typeof w.files; flags: string[]; cwd: string }>();
      for (const f of files) {
        const c = await project.configForDir(parentDir(f.rel));
        if (!c.ok) {
          failLater.push(`ruff-native on ${f.rel}: ${c.reason}`);
          continue;
        }
        const key = c.value.configFile ?? "";
        let g = groups.get(key);
        if (!g) {
          groups.set(
            key,
            g = {
              files: [],
              flags: nativeConfigFlags(c.value),
              cwd: c.value.configDir === "" ? req.root : `${req.root}/${c.value.configDir}`,
            },
          );
          if (c.value.configFile) result.configFiles.push(`ruff-native: ${c.value.configFile}`);
        }
        g.files.push(f);
      }
      const size = BATCH_SIZE[l];
      for (const g of groups.values()) {
        for (let i = 0; i < g.files.length; i += size) {
          batches.push({
            linter: l,
            files: g.files.slice(i, i + size),
            flags: g.flags,
            cwd: g.cwd,
          });
        }
      }
      continue;
    }
    let flags: string[] = [];
    if (l === "flake8" || l === "pylint") {
      const cfg = pythonLinterConfig(l, req.root);
      flags = cfg.flags;
      const described = describeConfig(cfg);
      if (described) result.configFiles.push(`${l}: ${described}`);
    }
    const size = BATCH_SIZE[l];
    for (let i = 0; i < files.length; i += size) {
      batches.push({ linter: l, files: files.slice(i, i + size), flags });
    }
  }
  const failuresSeen = new Set<string>();
  const fail = (line: string) => {
    if (!failuresSeen.has(line) && failuresSeen.size < 50) {
      failuresSeen.add(line);
      result.failures.push(line);
    }
  };
  for (const line of failLater) fail(line);
  let next = 0;
  const runBatches = async () => {
    while (next < batches.length) {
      abortIf(signal);
      const b = batches[next++]!;
      await runBatch(req, b.linter, b.files, b.flags, signal, keep, fail, b.cwd);
      abortIf(signal);
      checked(b.linter, b.files.length);
    }
  };
  const pool = Array.from(
    { length: Math.max(1, Math.min(req.concurrency, batches.length)) },
    runBatches,
  );
  const pooled = Promise.all(pool);
  pooled.catch(() => {});

  const ruffFiles = byLinter.get("ruff") ?? [];
  if (ruffFiles.length > 0) {
    result.engineVersion = RUFF_ENGINE_VERSION;
    const ruffConfigs = new Set<string>();
    // Results are kept in the files' order, however the chunks finish.
    const outcomes: (readonly Diagnostic[] | undefined)[] = new Array(ruffFiles.length);
    // Configuration files and failures too: named in the same order however checks finish.
    const configOf: (string | undefined)[] = new Array(ruffFiles.length);
    const failureOf: (string | undefined)[] = new Array(ruffFiles.length);
    const finished: boolean[] = new Array(ruffFiles.length).fill(false);
    let flushed = 0;
    const flush = () => {
      while (flushed < ruffFiles.length && finished[flushed]) {
        const ds = outcomes[flushed];
        if (ds !== undefined) keep(ds);
        const c = configOf[flushed];
        if (c !== undefined) ruffConfigs.add(c);
        const failure = failureOf[flushed];
        if (failure !== undefined) fail(failure);
        outcomes[flushed] = undefined;
        configOf[flushed] = undefined;
        failureOf[flushed] = undefined;
        flushed++;
      }
    };
    const startedAt = Date.now();
    /** What a file's findings depend on besides its text: its configuration, path and package. */
    const cacheKey = (rel: string, config: RuffConfigResult) =>
      config.ok
        ? `${project.configKey(config)}\n${rel}\n${
          project.packageRootDir(rel, config.value.selection) ?? ""
        }`
        : undefined;
    // A chunk of files goes to the engine in one message (those sharing a configuration), so
    // that message costs are paid per chunk; chunks in flight keep both engines busy.
    const chunkSize = Math.max(1, Math.min(RUFF_CHUNK_FILES, Math.ceil(ruffFiles.length / 8)));
    const checkChunk = async (from: number, to: number): Promise<void> => {
      type Todo = {
        i: number;
        text: string;
        config: RuffConfigResult;
        key?: string;
        stamp?: string;
        mode: number | null;
      };
      const todo: Todo[] = [];
      // One read at a time per chunk (RUFF_CHUNKS_IN_FLIGHT in all): more asynchronous opens at
      // once only start more runtime threads, each with memory of its own.
      const prepare = async (i: number): Promise<void> => {
        const f = ruffFiles[i]!;
        const config = await project.engineConfig(f.rel);
        const key = cacheKey(f.rel, config);
        if (key !== undefined && ruffResults.has(f.abs)) {
          // A file unchanged since the last lint (same stamp, same configuration): its findings
          // as they were, without reading it. The stat follows the same rules as the read.
          let info: Deno.FileInfo | undefined;
          try {
            info = Deno.statSync(f.abs);
          } catch {
            info = undefined;
          }
          const hit = info !== undefined && info.isFile && hardLinkRefusal(info) === undefined &&
              info.size <= caps.maxFileBytes
            ? ruffResults.get(f.abs, fileStamp(info), key)
            : undefined;
          if (hit !== undefined) {
            outcomes[i] = hit.diagnostics;
            if (hit.configFile !== undefined) configOf[i] = hit.configFile;
            return;
          }
        }
        // Read through the open file's own checks (a regular file, one link, within the cap):
        // the file may have changed since the walk listed it.
        const read = readWalkedFileInfoSync(f.abs, caps.maxFileBytes);
        if (read === null) return;
        if (typeof read === "string") {
          bump(read);
          return;
        }
        const text = walkedText(read.bytes);
        if (typeof text !== "string") {
          bump(text.skip);
          return;
        }
        todo.push({
          i,
          text,
          config,
          mode: read.info.mode,
          ...(key !== undefined && !isRacy(read.info, startedAt)
            ? { key, stamp: fileStamp(read.info) }
            : {}),
        });
      };
      for (let i = from; i < to; i++) await prepare(i);
      abortIf(signal);
      // One engine message per configuration among the chunk's files (usually one).
      const groups = new Map<RuffConfigResult, Todo[]>();
      for (const t of todo) {
        let g = groups.get(t.config);
        if (g === undefined) groups.set(t.config, g = []);
        g.push(t);
      }
      await Promise.all([...groups].map(async ([config, group]) => {
        const results = await ruffCheckBatch({
          root: req.root,
          files: group.map((t) => ({
            absPath: ruffFiles[t.i]!.abs,
            relPath: ruffFiles[t.i]!.rel,
            source: t.text,
          })),
          config,
          signal,
        });
        group.forEach((t, k) => {
          const r = results[k]!;
          const f = ruffFiles[t.i]!;
          if (r.configFile) configOf[t.i] = r.configFile;
          if (!r.ok) {
            failureOf[t.i] = `ruff on ${f.rel}: ${r.reason}`;
            return;
          }
          const ds = [
            ...project.withPathRules(f.rel, t.text, r.value, config, t.mode),
            ...contentFindings(t.text, f.rel),
          ];
          outcomes[t.i] = ds;
          if (t.key !== undefined && t.stamp !== undefined && !signal?.aborted) {
            ruffResults.set(f.abs, {
              stamp: t.stamp,
              configKey: t.key,
              diagnostics: ds,
              ...(r.configFile ? { configFile: r.configFile } : {}),
            });
          }
        });
      }));
    };
    let nextChunk = 0;
    const chunkWorker = async () => {
      while (nextChunk < ruffFiles.length) {
        abortIf(signal);
        const from = nextChunk;
        const to = Math.min(ruffFiles.length, from + chunkSize);
        nextChunk = to;
        try {
          await checkChunk(from, to);
          abortIf(signal);
          checked("ruff", to - from);
        } finally {
          for (let i = from; i < to; i++) finished[i] = true;
          flush();
        }
      }
    };
    await Promise.all(
      Array.from(
        { length: Math.min(RUFF_CHUNKS_IN_FLIGHT, Math.ceil(ruffFiles.length / chunkSize)) },
        chunkWorker,
      ),
    );
    for (const c of ruffConfigs) result.configFiles.push(`ruff: ${c}`);
  }
  await pooled;
  done = total; // files skipped on reading (binary, minified) are done too
  progress(true);
  result.durationMs = performance.now() - started;
  return { ok: true, value: result };
}

/** The root flake8 configuration's file selection (flake8's defaults where it says nothing). */
function flake8SelectionOf(root: string): Flake8Selection {
  const files = pythonLinterConfig("flake8", root).files ?? {};
  return {
    exclude: files.exclude ?? DEFAULT_FLAKE8_SELECTION.exclude,
    extendExclude: files.extendExclude ?? [],
    filename: files.filename ?? DEFAULT_FLAKE8_SELECTION.filename,
  };
}

/** The root pylint configuration's file selection (pylint's defaults where it says nothing). */
function pylintSelectionOf(root: string): PylintSelection {
  const files = pythonLinterConfig("pylint", root).files ?? {};
  return {
    ignore: files.ignore ?? DEFAULT_PYLINT_SELECTION.ignore,
    ignorePatterns: files.ignorePatterns ?? DEFAULT_PYLINT_SELECTION.ignorePatterns,
    ignorePaths: files.ignorePaths ?? DEFAULT_PYLINT_SELECTION.ignorePaths,
  };
}

async function runBatch(
  req: LintProjectRequest,
  linter: SubprocessLinter,
  files: readonly { abs: string; rel: string }[],
  flags: string[],
  signal: AbortSignal | undefined,
  keep: (ds: readonly Diagnostic[]) => void,
  fail: (line: string) => void,
  cwd: string = req.root,
): Promise<void> {
  const spec = LINTERS[linter];
  const { maxFileBytes } = req.caps ?? LINT_WALK_CAPS;
  const absPaths = files.map((f) => f.abs);
  const timeoutMs = req.timeoutMs * Math.min(5, Math.ceil(files.length / 10));
  const where = files.length === 1 ? files[0]!.rel : `${files.length} files from ${files[0]!.rel}`;
  const r = await runCommand({
    op: "runCommand",
    binary: spec.binary,
    args: spec.buildArgs(absPaths, undefined, flags),
    env: spec.env(req.pathEnv),
    cwd,
    timeoutMs,
    maxOutputBytes: BATCH_OUTPUT_BYTES,
  }, signal);
  if (signal?.aborted) return;
  if (r.notFound) {
    return fail(`${linter} is not installed on this machine: install it with ${spec.installHint}`);
  }
  if (r.timedOut) {
    return fail(
      `${linter} did not finish on ${where} within ${
        Math.round(timeoutMs / 1000)
      } s and was stopped`,
    );
  }
  if (r.truncated) {
    return fail(
      `${linter} printed more than ${formatBytes(BATCH_OUTPUT_BYTES)} on ${where} and was stopped`,
    );
  }
  const split = r.stdout.trim() === "" && linter === "flake8"
    ? { ok: true as const, value: new Map<string, string>() }
    : splitByFile(linter, r.stdout, req.root, absPaths);
  if (!split.ok) {
    // The whole run's own verdict (a usage error, a crash) says more than the split's.
    const whole = spec.parse(r.stdout, r.stderr, r.code, where);
    return fail(`${linter} failed on ${where}: ${whole.ok ? split.reason : whole.reason}`);
  }
  if (split.value.size === 0 && r.code !== 0) {
    const whole = spec.parse(r.stdout, r.stderr, r.code, where);
    if (!whole.ok) return fail(`${linter} failed on ${where}: ${whole.reason}`);
  }
  for (const f of files) {
    const part = split.value.get(f.abs);
    const parsed = spec.parse(
      part ?? EMPTY_OUTPUT[linter],
      "",
      part === undefined
        ? 0
        : (linter === "pylint" ? (r.code ?? 0) | FINDINGS_CODE.pylint : FINDINGS_CODE[linter]),
      f.rel,
    );
    if (parsed.ok) keep([...parsed.value, ...await ownFindings(f.abs, f.rel, maxFileBytes)]);
    else fail(`${linter} on ${f.rel}: ${parsed.reason}`);
  }
}

/**
 * The server's own findings (secrets, invisible Unicode) on a file a subprocess linter checked,
 * read through the same checks on the open file as every walked file (regular, one link, within
 * the cap); none for a file that fails them or is not UTF-8.
 */
async function ownFindings(abs: string, rel: string, maxFileBytes: number): Promise<Diagnostic[]> {
  const bytes = await readWalkedFile(abs, maxFileBytes);
  if (bytes === null || typeof bytes === "string") return [];
  try {
    return contentFindings(new TextDecoder("utf-8", { fatal: true }).decode(bytes), rel);
  } catch {
    return [];
  }
}

function parentDir(rel: string): string {
  const i = rel.lastIndexOf("/");
  return i === -1 ? "" : rel.slice(0, i);
}

function isGlobTarget(target: string): boolean {
  return /[*?[\]{}]/.test(target);
}
