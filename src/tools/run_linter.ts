import { z } from "zod";
import { LIMITS } from "../config.ts";
import { ALL_LINTERS, LINTABLE_EXTENSIONS, type LinterName } from "../linters/registry.ts";
import {
  enabledForProjectRun,
  languageOf,
  lintersForFile,
  type ProjectLinters,
} from "../linters/project_linters.ts";
import { readProjectLinters } from "./lint_choice.ts";
import type { Diagnostic } from "../linters/types.ts";
import { compareFindings, describeSeverities, summarize } from "../linters/summary.ts";
import { describeSkips, isGlob, PROJECT_LIMITS } from "../policy/walk.ts";
import { budgetNote, fitRecords, utf8Length } from "../output/budget.ts";
import { cursorPosition, decodeCursor, encodeCursor, queryKey } from "../output/cursor.ts";
import { sanitizeText } from "../output/sanitize.ts";
import type { CallToolResult } from "../sdk.ts";
import { cannot, defineTool, type ToolContext, toolError } from "./types.ts";

const diagnostic = z.object({
  file: z.string().describe("File, relative to the project root"),
  line: z.number().int().describe("Line, 1-based"),
  column: z.number().int().describe("Column, 1-based"),
  end_line: z.number().int().optional().describe("End line, when known"),
  end_column: z.number().int().optional().describe("End column, when known"),
  code: z.string().describe("Rule code, e.g. F401, SC2086, hardcoded-secret, bidi-control"),
  severity: z.enum(["error", "warning", "info"]).describe(
    "Severity, on one scale for every linter (see the README)",
  ),
  message: z.string().describe("What the linter says (secrets redacted)"),
  fix: z.string().optional().describe("A suggested fix, as text (never applied)"),
  url: z.string().optional().describe(
    "The rule's documentation, when the linter has a page for it",
  ),
});

const counted = (key: "code" | "file") =>
  z.array(
    z.object({
      [key]: z.string().describe(key === "code" ? "Rule code" : "File"),
      count: z.number().int().describe("Findings"),
    }),
  );

const NAME = "run_linter";

export const runLinter = defineTool({
  name: NAME,
  title: "Run linter",
  description:
    'Run allowlisted linters on a file, a folder or a glob inside the project ("." = the whole project, ' +
    "honouring .gitignore; vendored, binary and minified files skipped) and return a summary, then the findings " +
    "(with documentation urls, plus the server's own for hard-coded secrets and invisible/bidi Unicode) " +
    "sorted by severity, file and line, paged by `cursor`. Without `linter`, the linters the project configures " +
    "(ruff, flake8 or pylint settings; deno.json) are used, and where it configures none: Python -> ruff (built in, " +
    "the server's own rules), shell -> shellcheck, JavaScript/TypeScript -> deno lint. Project settings are " +
    "honoured only where safe; linters never modify files.",
  inputSchema: {
    file_path: z.string().min(1).max(LIMITS.maxPathLength)
      .describe(
        'File, folder or glob to lint, relative to the project root (e.g. "src/app.py", "src", "**/*.sh"); "." for the whole project',
      ),
    linter: z.enum(ALL_LINTERS).optional()
      .describe(
        "Linter to run (on the files it handles); omit to choose per file. ruff is built in; ruff-native runs an installed ruff",
      ),
    cursor: z.string().max(2048).optional()
      .describe(
        "next_cursor from the previous answer, to get the next page of findings (same other arguments)",
      ),
  },
  outputSchema: {
    linter: z.string().describe("The linter that ran (several: comma-separated)"),
    file: z.string().describe("The file, folder or glob linted, relative to the project root"),
    diagnostics: z.array(diagnostic).describe(
      "This page of findings: severity, then file, line and column",
    ),
    count: z.number().int().describe("Number of findings in all pages"),
    duration_ms: z.number().describe("How long the linting took"),
    engine_version: z.string().optional().describe("Version of the built-in engine, for ruff"),
    config_file: z.string().optional().describe(
      "Project configuration the linter honoured, relative to the root",
    ),
    files_checked: z.number().int().optional().describe("Files linted (folders and globs)"),
    files_by_linter: z.record(z.string(), z.number().int()).optional().describe(
      "Files per linter (folders and globs)",
    ),
    summary: z.object({
      by_severity: z.object({
        error: z.number().int().describe("Errors"),
        warning: z.number().int().describe("Warnings"),
        info: z.number().int().describe("Info"),
      }).describe("Findings per severity"),
      top_rules: counted("code").describe("Rules with the most findings"),
      top_files: counted("file").describe("Files with the most findings"),
    }).optional().describe("Counts over all findings, before paging"),
    skipped: z.record(z.string(), z.number().int()).optional().describe(
      "Files left out, per reason (ignored, vendored, binary, minified ...)",
    ),
    limits_reached: z.array(z.string()).optional().describe(
      "Caps that stopped the run early, in words",
    ),
    failures: z.array(z.string()).optional().describe(
      "Linter runs that failed (missing linter, timeout, bad configuration)",
    ),
    config_files: z.array(z.string()).optional().describe(
      "Configuration files honoured per linter, with what was refused",
    ),
    chosen_by: z.array(z.string()).optional().describe(
      "Without `linter`: which linter each kind of file got, and the configuration file that chose it",
    ),
    offset: z.number().int().optional().describe("Index of this page's first finding"),
    redactions: z.number().int().optional().describe(
      "Secrets redacted from the findings' messages and fixes",
    ),
    next_cursor: z.string().optional().describe(
      "Pass as `cursor` to get the next page; absent on the last page",
    ),
  },
  annotations: {
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  async handler(args, ctx) {
    const { file_path, linter, cursor } = args;
    const key = queryKey({ file_path, linter });
    let offset = 0;
    if (cursor !== undefined) {
      const c = decodeCursor(NAME, key, cursor);
      if (!c.ok) return cannot("lint", file_path, c.reason);
      offset = cursorPosition(c.value, "offset");
    }
    const enabled = ctx.config.linters;
    if (linter !== undefined && !enabled.includes(linter)) {
      return toolError(
        `Cannot lint ${
          JSON.stringify(file_path)
        }: the linter ${linter} is not enabled on this server (enabled: ${enabled.join(", ")})`,
      );
    }
    const plan = linter === undefined ? await readProjectLinters(ctx) : undefined;
    const projectChoice = plan ? lintersForFile(plan, file_path)[0] : undefined;
    const single = !isGlob(file_path) && file_path !== "." && !file_path.endsWith("/") &&
      (linter ?? projectChoice?.linter) !== undefined;
    if (single) {
      const chosen = (linter ?? projectChoice?.linter)!;
      await ctx.progress(0, 1, `running ${chosen}`);
      const run = (l: LinterName) =>
        ctx.sandbox.runLinter({
          path: file_path,
          linter: l,
          pathEnv: ctx.config.linterPath,
          timeoutMs: ctx.config.linterTimeoutMs,
          maxOutputBytes: LIMITS.linterMaxOutputBytes,
          maxFileBytes: LIMITS.maxFileBytes,
          allowSecretFiles: ctx.config.allowSecretFiles,
        }, ctx.signal);
      let r = await run(chosen);
      let chosenBy = plan ? describePlan(plan, languageOf(file_path)) : undefined;
      // The project's linter is not installed: the server's own rules stand in, and the answer says so.
      const lang = languageOf(file_path);
      const fallback = plan && lang ? plan.fallback[lang] : undefined;
      if (
        plan && projectChoice && fallback && !r.ok && r.reason.includes("is not installed")
      ) {
        r = await run(fallback.linter);
        chosenBy = [
          `${
            LANGUAGE_NAMES[lang!]
          }: ${fallback.linter} (${fallback.source}); ${projectChoice.linter} (${projectChoice.source}) is not installed here`,
        ];
      }
      if (r.ok) {
        await ctx.progress(1, 1, "done");
        const v = r.value;
        return answer(ctx, key, offset, {
          linter: v.linter,
          file: v.rel,
          diagnostics: v.diagnostics,
          count: v.diagnostics.length,
          duration_ms: round(v.durationMs),
          ...(v.engineVersion ? { engine_version: v.engineVersion } : {}),
          ...(v.configFile ? { config_file: v.configFile } : {}),
          ...(chosenBy ? { chosen_by: chosenBy } : {}),
        }, false);
      }
      if (r.reason !== "is a directory, not a file") return cannot("lint", file_path, r.reason);
    }
    return await lintMany(ctx, file_path, linter, key, offset, plan);
  },
});

async function lintMany(
  ctx: ToolContext,
  target: string,
  linter: LinterName | undefined,
  key: string,
  offset: number,
  plan: ProjectLinters | undefined,
): Promise<CallToolResult> {
  let lastTotal: number | undefined;
  const r = await ctx.sandbox.lintProject({
    target,
    ...(linter !== undefined ? { linter } : {}),
    // Without a named linter, each file gets its language's first project choice.
    enabled: plan ? enabledForProjectRun(plan) : ctx.config.linters,
    pathEnv: ctx.config.linterPath,
    timeoutMs: ctx.config.linterTimeoutMs,
    // Over HTTP a project run holds one linter slot, so it runs one process at a time.
    concurrency: ctx.config.transport === "http" ? 1 : PROJECT_LIMITS.lintConcurrency,
    maxDiagnostics: PROJECT_LIMITS.lintMaxFindings,
    allowSecretFiles: ctx.config.allowSecretFiles,
  }, (done, total, message) => {
    lastTotal = total;
    void ctx.progress(done, total, message);
  }, ctx.signal);
  if (!r.ok) return cannot("lint", target, r.reason);
  // The last notification is awaited here, so it reaches the client before the result does.
  if (lastTotal !== undefined) await ctx.progress(lastTotal, lastTotal, "done");
  const v = r.value;
  if (v.filesChecked === 0 && v.failures.length === 0) {
    const skipped = describeSkips(v.skipped);
    return cannot(
      "lint",
      target,
      `no file here is handled by ${linter ?? "an enabled linter"} (known extensions: ${
        LINTABLE_EXTENSIONS.join(" ")
      })` +
        (skipped ? `; skipped: ${skipped}` : ""),
    );
  }
  const limits: string[] = [];
  if (v.capped === "files") limits.push("file cap reached: lint a subfolder for the rest");
  if (v.capped === "bytes") limits.push("total size cap reached: lint a subfolder for the rest");
  if (v.capped === "entries") {
    limits.push("folder-entry cap reached: lint a subfolder for the rest");
  }
  if (v.totalFindings > v.diagnostics.length) {
    limits.push(
      `only the first ${v.diagnostics.length} of ${v.totalFindings} findings were kept: lint a subfolder for the rest`,
    );
  }
  const linters = Object.keys(v.filesByLinter);
  return answer(ctx, key, offset, {
    linter: linters.length > 0 ? linters.join(", ") : (linter ?? ""),
    file: v.target,
    diagnostics: v.diagnostics,
    count: v.totalFindings,
    duration_ms: round(v.durationMs),
    ...(v.engineVersion ? { engine_version: v.engineVersion } : {}),
    files_checked: v.filesChecked,
    files_by_linter: v.filesByLinter as Record<string, number>,
    skipped: v.skipped as Record<string, number>,
    ...(limits.length > 0 ? { limits_reached: limits } : {}),
    ...(v.failures.length > 0 ? { failures: v.failures } : {}),
    ...(v.configFiles.length > 0 ? { config_files: v.configFiles } : {}),
    ...(plan ? { chosen_by: describePlan(plan) } : {}),
  }, true);
}

const LANGUAGE_NAMES = {
  python: "Python",
  shell: "shell",
  "js-ts": "JavaScript/TypeScript",
} as const;

/**
 * One line per language: the linter, the configuration that chose it, and configured linters a
 * single run leaves out (a project run takes one linter per file).
 */
function describePlan(plan: ProjectLinters, only?: string): string[] {
  const names = LANGUAGE_NAMES;
  const out: string[] = [];
  for (const lang of ["python", "shell", "js-ts"] as const) {
    if (only !== undefined && only !== lang) continue;
    const [first, ...rest] = plan.byLanguage[lang];
    if (!first) continue;
    out.push(
      `${names[lang]}: ${first.linter} (${first.source})${
        rest.length > 0
          ? `; also configured: ${
            rest.map((c) => `${c.linter} (${c.source})`).join(", ")
          }, run it with linter="${rest[0]!.linter}"`
          : ""
      }`,
    );
  }
  return [...out, ...(only === undefined ? plan.notes : [])];
}

interface LintAnswer {
  linter: string;
  file: string;
  diagnostics: Diagnostic[];
  count: number;
  duration_ms: number;
  engine_version?: string;
  config_file?: string;
  files_checked?: number;
  files_by_linter?: Record<string, number>;
  skipped?: Record<string, number>;
  limits_reached?: string[];
  failures?: string[];
  config_files?: string[];
  chosen_by?: string[];
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function formatDiagnostic(d: Diagnostic): string {
  const fix = d.fix ? `\n    fix: ${d.fix.split("\n").join("\n    ")}` : "";
  const url = d.url ? `\n    docs: ${d.url}` : "";
  return `${d.file}:${d.line}:${d.column}: ${d.code} [${d.severity}] ${d.message}${fix}${url}`;
}

/** A finding's message and fix with secrets redacted and invisible code points escaped. */
function sanitizeDiagnostic(d: Diagnostic): { diagnostic: Diagnostic; redactions: number } {
  const message = sanitizeText(d.message);
  const out: Diagnostic = { ...d, message: message.text };
  let redactions = message.redactions.length;
  if (d.fix !== undefined) {
    const fix = sanitizeText(d.fix);
    out.fix = fix.text;
    redactions += fix.redactions.length;
  }
  return { diagnostic: out, redactions };
}

/** The summary lines that lead the text rendering. */
function header(a: LintAnswer, project: boolean, summary: ReturnType<typeof summarize>): string[] {
  const lines: string[] = [];
  if (project) {
    const per = Object.entries(a.files_by_linter ?? {}).map(([l, n]) => `${n} with ${l}`).join(
      ", ",
    );
    lines.push(
      `${a.file}: ${a.files_checked} file${
        a.files_checked === 1 ? "" : "s"
      } checked by ${a.linter} (${per}) in ${Math.round(a.duration_ms)} ms; ${a.count} finding${
        a.count === 1 ? "" : "s"
      }: ${describeSeverities(summary.by_severity)}`,
    );
    if (summary.top_rules.length > 0) {
      lines.push(`Top rules: ${summary.top_rules.map((r) => `${r.code} (${r.count})`).join(", ")}`);
    }
    if (summary.top_files.length > 0) {
      lines.push(`Top files: ${summary.top_files.map((r) => `${r.file} (${r.count})`).join(", ")}`);
    }
    const skipped = describeSkips(a.skipped ?? {});
    if (skipped) lines.push(`Skipped: ${skipped}`);
    if (a.engine_version) lines.push(`Built-in ruff engine ${a.engine_version}`);
  } else if (a.count === 0) {
    lines.push(
      `No issues found. (${a.linter}${
        a.engine_version ? ` ${a.engine_version}` : ""
      } on ${a.file})`,
    );
  } else {
    lines.push(
      `${a.linter}${a.engine_version ? ` ${a.engine_version}` : ""} found ${a.count} issue${
        a.count === 1 ? "" : "s"
      } in ${a.file}: ${describeSeverities(summary.by_severity)}`,
    );
  }
  if (a.config_file) lines.push(`Configuration: ${a.config_file}`);
  for (const c of a.config_files ?? []) lines.push(`Configuration: ${c}`);
  for (const c of a.chosen_by ?? []) lines.push(`Linter choice: ${c}`);
  for (const l of a.limits_reached ?? []) lines.push(`Limit: ${l}`);
  for (const f of a.failures ?? []) lines.push(`Failed: ${f}`);
  return lines;
}

/** Sorts, summarizes and pages the findings into one answer within the output budget. */
function answer(
  ctx: ToolContext,
  key: string,
  offset: number,
  a: LintAnswer,
  project: boolean,
): CallToolResult {
  // Sanitized before fitting, so that what is measured is what is sent.
  let redactions = 0;
  const sorted = a.diagnostics.map((d) => {
    const s = sanitizeDiagnostic(d);
    redactions += s.redactions;
    return s.diagnostic;
  }).sort(compareFindings);
  const summary = summarize(sorted);
  const head = header(a, project, summary).join("\n");
  const base = {
    ...a,
    diagnostics: [] as Diagnostic[],
    ...(project || a.count > 0 ? { summary } : {}),
  };
  const overhead = Math.max(utf8Length(JSON.stringify(base)), utf8Length(head)) + 600;
  const budget = Math.max(1024, ctx.config.maxOutputBytes - overhead);
  const start = Math.min(offset, sorted.length);
  const fit = fitRecords(
    sorted,
    start,
    budget,
    (d) => Math.max(utf8Length(JSON.stringify(d)), utf8Length(formatDiagnostic(d))) + 2,
  );
  const page = sorted.slice(start, fit.end);
  const next = fit.complete ? undefined : encodeCursor(NAME, key, { offset: fit.end });
  const lines = [head];
  if (page.length > 0) {
    if (start > 0 || next) lines.push(`Findings ${start + 1}-${fit.end} of ${sorted.length}:`);
    lines.push(...page.map(formatDiagnostic));
  }
  if (next) lines.push(budgetNote(ctx.config.maxOutputBytes, `continue with cursor="${next}"`));
  if (redactions > 0) {
    lines.push(
      `[${redactions} secret${redactions === 1 ? "" : "s"} redacted from messages and fixes]`,
    );
  }
  return {
    content: [{ type: "text", text: lines.join("\n") }],
    structuredContent: {
      ...base,
      diagnostics: page,
      ...(start > 0 || next ? { offset: start } : {}),
      ...(next ? { next_cursor: next } : {}),
      ...(redactions > 0 ? { redactions } : {}),
    },
  };
}
