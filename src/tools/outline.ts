import { z } from "zod";
import { LIMITS } from "../config.ts";
import { budgetNote, fitRecords, utf8Length } from "../output/budget.ts";
import { cursorPosition, decodeCursor, encodeCursor, queryKey } from "../output/cursor.ts";
import type { Definition } from "../symbols/extract.ts";
import { LANGUAGE_NAMES } from "../symbols/languages.ts";
import { cannot, defineTool } from "./types.ts";
import { clean, scopeNotes, SYMBOL_LIMITS, unsupportedReason } from "./symbol_common.ts";

const NAME = "outline";

const symbolSchema = z.object({
  name: z.string().describe("Name"),
  kind: z.string().describe("Kind"),
  line: z.number().int().describe("Line of the name"),
  end: z.number().int().describe("Last line"),
  level: z.number().int().describe("Nesting level, 1 = top level"),
  signature: z.string().describe("Declaration up to its body"),
  doc: z.string().optional().describe("First docstring/comment line"),
});

type Sym = z.infer<typeof symbolSchema>;
interface Rec {
  file: string;
  language: string;
  sym: Sym;
}

function levels(defs: readonly Definition[]): number[] {
  const out: number[] = [];
  defs.forEach((d, i) => (out[i] = d.parent < 0 ? 1 : out[d.parent]! + 1));
  return out;
}

function render(r: Rec): string {
  const s = r.sym;
  // The kind is said once: "class Store" already says it, "set(key)" does not.
  const said = new RegExp(`\\b${s.kind}\\b`).test(s.signature);
  return `${"  ".repeat(s.level)}${s.line}-${s.end} ${said ? "" : s.kind + " "}${s.signature}${
    s.doc ? `  # ${s.doc}` : ""
  }`;
}

export const outline = defineTool({
  name: NAME,
  title: "Outline",
  description:
    "The classes, functions, methods and constants of a file or folder, nested, with kinds, line ranges, " +
    "signatures and first doc line. Paged by next_cursor.",
  inputSchema: {
    path: z.string().max(LIMITS.maxPathLength).default(".").describe(
      'File, folder or glob, relative to the project root (default ".")',
    ),
    depth: z.number().int().min(1).max(5).default(2).describe(
      "Nesting levels shown: 1 = top level only (default 2)",
    ),
    cursor: z.string().max(2048).optional().describe("next_cursor from the previous answer"),
  },
  outputSchema: {
    path: z.string().describe("What was outlined"),
    files: z.array(z.object({
      file: z.string().describe("File, relative to the project root"),
      language: z.string().describe("Language"),
      symbols: z.array(symbolSchema).describe("Definitions in source order"),
    })).describe("Files on this page"),
    total_symbols: z.number().int().describe("Definitions in all pages"),
    notes: z.array(z.string()).describe("Skipped files, limits, partial index"),
    next_cursor: z.string().optional().describe("Pass as cursor for the next page"),
  },
  annotations: {
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  async handler({ path, depth, cursor }, ctx) {
    const key = queryKey({ path, depth });
    let offset = 0;
    if (cursor !== undefined) {
      const c = decodeCursor(NAME, key, cursor);
      if (!c.ok) return cannot("outline", path, c.reason);
      offset = cursorPosition(c.value, "offset");
    }
    const r = await ctx.sandbox.symbolOutline({
      path,
      depth,
      timeBudgetMs: SYMBOL_LIMITS.timeBudgetMs,
      allowSecretFiles: ctx.config.allowSecretFiles,
    }, ctx.signal);
    if (!r.ok) return cannot("outline", path, r.reason);
    const v = r.value;
    if (v.unsupported) return cannot("outline", path, unsupportedReason(v.unsupported.language));
    const records: Rec[] = [];
    let syntaxErrors = 0;
    for (const f of v.files) {
      if (f.syntaxErrors) syntaxErrors++;
      const lv = levels(f.definitions);
      f.definitions.forEach((d, i) => {
        const sym: Sym = {
          name: clean(d.name),
          kind: d.kind,
          line: d.line,
          end: d.end,
          level: lv[i]!,
          signature: clean(d.signature, d.line),
          ...(d.doc !== undefined ? { doc: clean(d.doc) } : {}),
        };
        records.push({ file: f.file, language: LANGUAGE_NAMES[f.language], sym });
      });
    }
    const notes = scopeNotes(v, syntaxErrors);
    const head = `${records.length} symbols in ${v.files.length} files (${v.target})`;
    const budget = Math.max(1024, ctx.config.maxOutputBytes - utf8Length(head) - 1000);
    const start = Math.min(offset, records.length);
    const fit = fitRecords(
      records,
      start,
      budget,
      (x) => utf8Length(JSON.stringify(x.sym)) + utf8Length(render(x)) + x.file.length + 8,
    );
    const page = records.slice(start, fit.end);
    const next = fit.complete ? undefined : encodeCursor(NAME, key, { offset: fit.end });
    const files: { file: string; language: string; symbols: Sym[] }[] = [];
    const lines = [head, ...notes];
    for (const x of page) {
      if (files[files.length - 1]?.file !== x.file) {
        files.push({ file: x.file, language: x.language, symbols: [] });
        lines.push(`${x.file} (${x.language})`);
      }
      files[files.length - 1]!.symbols.push(x.sym);
      lines.push(render(x));
    }
    if (records.length === 0) lines.push("No symbols found.");
    if (next) lines.push(budgetNote(ctx.config.maxOutputBytes, `continue with cursor="${next}"`));
    return {
      content: [{ type: "text", text: lines.join("\n") }],
      structuredContent: {
        path: v.target,
        files,
        total_symbols: records.length,
        notes,
        ...(next ? { next_cursor: next } : {}),
      },
    };
  },
});
