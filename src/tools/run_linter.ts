import { z } from "zod";
import { LIMITS } from "../config.ts";
import { ALL_LINTERS, defaultLinterFor, LINTABLE_EXTENSIONS } from "../linters/registry.ts";
import type { Diagnostic } from "../linters/types.ts";
import { cannot, defineTool, toolError } from "./types.ts";

const diagnostic = z.object({
  file: z.string().describe("File, relative to the project root"),
  line: z.number().int().describe("Line, 1-based"),
  column: z.number().int().describe("Column, 1-based"),
  end_line: z.number().int().optional().describe("End line, when known"),
  end_column: z.number().int().optional().describe("End column, when known"),
  code: z.string().describe("Rule code, e.g. F401 or SC2086"),
  severity: z.enum(["error", "warning", "info"]).describe("Severity"),
  message: z.string().describe("What the linter says"),
  fix: z.string().optional().describe("A suggested fix, as text (never applied)"),
});

export const runLinter = defineTool({
  name: "run_linter",
  title: "Run linter",
  description:
    "Run an allowlisted linter on one file inside the project under review and return its findings " +
    "(file, line, column, code, severity, message). Without `linter`, the file's extension chooses: " +
    "Python -> ruff (built in), shell -> shellcheck, JavaScript/TypeScript -> deno lint. " +
    "Linters run with their own isolated configuration and never modify files.",
  inputSchema: {
    file_path: z.string().min(1).max(LIMITS.maxPathLength)
      .describe("File to lint, relative to the project root (e.g. \"src/app.py\") or absolute inside it"),
    linter: z.enum(ALL_LINTERS).optional()
      .describe("Linter to run; omit to choose by file extension. ruff is built in; ruff-native runs an installed ruff"),
  },
  outputSchema: {
    linter: z.string().describe("The linter that ran"),
    file: z.string().describe("The file, relative to the project root"),
    diagnostics: z.array(diagnostic).describe("Findings, in the linter's order"),
    count: z.number().int().describe("Number of findings"),
    duration_ms: z.number().describe("How long the linter took"),
    engine_version: z.string().optional().describe("Version of the built-in engine, for ruff"),
    config_file: z.string().optional().describe("Project configuration the linter honoured, relative to the root"),
  },
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler({ file_path, linter }, ctx) {
    const enabled = ctx.config.linters;
    const chosen = linter ?? defaultLinterFor(file_path, enabled);
    if (chosen === undefined) {
      return cannot("lint", file_path, `no enabled linter handles this kind of file (known extensions: ${LINTABLE_EXTENSIONS.join(" ")}); name one with "linter"`);
    }
    if (!enabled.includes(chosen)) {
      return toolError(`Cannot lint ${JSON.stringify(file_path)}: the linter ${chosen} is not enabled on this server (enabled: ${enabled.join(", ")})`);
    }
    await ctx.progress(0, 1, `running ${chosen}`);
    const r = await ctx.sandbox.runLinter({
      path: file_path,
      linter: chosen,
      pathEnv: ctx.config.linterPath,
      timeoutMs: ctx.config.linterTimeoutMs,
      maxOutputBytes: LIMITS.linterMaxOutputBytes,
      maxFileBytes: LIMITS.maxFileBytes,
    }, ctx.signal);
    if (!r.ok) return cannot("lint", file_path, r.reason);
    const v = r.value;
    await ctx.progress(1, 1, "done");
    const text = v.diagnostics.length === 0
      ? `No issues found. (${v.linter} on ${v.rel})`
      : `${v.linter} found ${v.diagnostics.length} issue${v.diagnostics.length === 1 ? "" : "s"} in ${v.rel}:\n` +
        v.diagnostics.map(formatDiagnostic).join("\n");
    return {
      content: [{ type: "text", text }],
      structuredContent: {
        linter: v.linter,
        file: v.rel,
        diagnostics: v.diagnostics,
        count: v.diagnostics.length,
        duration_ms: Math.round(v.durationMs * 10) / 10,
        ...(v.engineVersion ? { engine_version: v.engineVersion } : {}),
        ...(v.configFile ? { config_file: v.configFile } : {}),
      },
    };
  },
});

function formatDiagnostic(d: Diagnostic): string {
  const fix = d.fix ? `\n    fix: ${d.fix.split("\n").join("\n    ")}` : "";
  return `${d.file}:${d.line}:${d.column}: ${d.code} [${d.severity}] ${d.message}${fix}`;
}
