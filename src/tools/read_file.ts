import { z } from "zod";
import { LIMITS } from "../config.ts";
import { renderFilePage } from "../output/file_page.ts";
import { cannot, defineTool, type ToolContext, toolError } from "./types.ts";
import type { CallToolResult } from "../sdk.ts";
import { ok, type Result } from "../result.ts";

/** The lines of one definition (src/sandbox/symbols.ts), or the refusal naming what exists. */
async function symbolLines(
  file: string,
  symbol: string,
  ctx: ToolContext,
): Promise<Result<{ start: number; end: number; label: string }, CallToolResult>> {
  const r = await ctx.sandbox.symbolRange(
    { path: file, symbol, allowSecretFiles: ctx.config.allowSecretFiles },
    ctx.signal,
  );
  if (!r.ok) return { ok: false, reason: cannot("read", file, r.reason) };
  const v = r.value;
  if (v.found) return ok({ start: v.start, end: v.end, label: `(${v.kind} ${v.name})` });
  if (v.language !== undefined) {
    const lang = v.language ? `${v.language} files are` : "this file type is";
    return { ok: false, reason: cannot("read", file, `${lang} not supported for symbols`) };
  }
  const hint = v.candidates.length ? `; candidates: ${v.candidates.join(", ")}` : "";
  return {
    ok: false,
    reason: cannot("read", file, `no single definition named ${JSON.stringify(symbol)}${hint}`),
  };
}

/**
 * read_file's payload is the file's text, so it comes as text content alone (no structured
 * copy: hosts that read structuredContent would see only metadata, and the wire would carry
 * the text twice). Its metadata is the header line; the page fits the output budget.
 */
export const readFile = defineTool({
  name: "read_file",
  title: "Read file",
  description:
    'Read a text file inside the project under review. Lines come numbered ("  12<TAB>code") so findings can cite them; ' +
    "a header gives the lines shown and the file's total_lines. A long file comes in pages that fit the server's output " +
    "budget: the answer says which start_line continues. start_line/end_line (1-based, inclusive) read a part. " +
    "Binary files and credential files (.env, private keys ...) are refused; secrets in the text are redacted. " +
    '`symbol` ("Class.method") reads exactly one definition.',
  inputSchema: {
    file_path: z.string().min(1).max(LIMITS.maxPathLength)
      .describe(
        'File to read, relative to the project root (e.g. "src/app.py") or absolute inside it',
      ),
    start_line: z.number().int().min(1).optional().describe(
      "First line to return, 1-based (default: 1)",
    ),
    end_line: z.number().int().min(1).optional().describe(
      "Last line to return, inclusive (default: the end of the file, or of the page)",
    ),
    symbol: z.string().min(1).max(200).optional().describe(
      'Read only this definition, e.g. "Store.set" (instead of start_line/end_line)',
    ),
    line_numbers: z.boolean().default(true).describe(
      "Prefix each line with its number (default: true)",
    ),
  },
  annotations: {
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  async handler({ file_path, start_line, end_line, symbol, line_numbers }, ctx) {
    let label: string | undefined;
    if (symbol !== undefined) {
      if (start_line !== undefined || end_line !== undefined) {
        return cannot("read", file_path, "give either symbol or start_line/end_line, not both");
      }
      const s = await symbolLines(file_path, symbol, ctx);
      if (!s.ok) return s.reason;
      [start_line, end_line, label] = [s.value.start, s.value.end, s.value.label];
    }
    if (start_line !== undefined && end_line !== undefined && end_line < start_line) {
      return toolError(
        `Cannot read ${
          JSON.stringify(file_path)
        }: end_line (${end_line}) is before start_line (${start_line})`,
      );
    }
    const budget = ctx.config.maxOutputBytes;
    const first = start_line ?? 1;
    const r = await ctx.sandbox.readFile({
      path: file_path,
      maxBytes: LIMITS.maxFileBytes,
      maxOutputBytes: budget,
      startLine: first,
      ...(end_line !== undefined ? { endLine: end_line } : {}),
      countAllLines: true,
      allowSecretFiles: ctx.config.allowSecretFiles,
    }, ctx.signal);
    if (!r.ok) return cannot("read", file_path, r.reason);
    const v = r.value;
    if (v.totalLines !== undefined && first > Math.max(v.totalLines, 1)) {
      return cannot(
        "read",
        file_path,
        `start_line ${first} is past the end of the file, which has ${v.totalLines} line${
          v.totalLines === 1 ? "" : "s"
        }`,
      );
    }
    const page = renderFilePage({
      label: label === undefined ? v.rel : `${v.rel} ${label}`,
      text: v.text,
      firstLine: v.startLine === 0 ? first : v.startLine,
      ...(v.totalLines !== undefined ? { totalLines: v.totalLines } : {}),
      lineNumbers: line_numbers !== false,
      budgetBytes: budget,
      ...(v.lineCut ? { lineCut: true } : {}),
      truncated: v.truncated,
      ...(v.startsInKeyBlock ? { startsInKeyBlock: true } : {}),
      continueWith: (line) => `start_line=${line}`,
    });
    return { content: [{ type: "text", text: page.text }] };
  },
});
