import { z } from "zod";
import { LIMITS } from "../config.ts";
import { budgetNote, fitRecords, utf8Length } from "../output/budget.ts";
import { cursorPosition, decodeCursor, encodeCursor, queryKey } from "../output/cursor.ts";
import { cannot, defineTool } from "./types.ts";
import { clean, scopeNotes, SYMBOL_LIMITS } from "./symbol_common.ts";

const NAME = "find_references";

/** Said in every answer: a model must not read these as type-resolved references. */
const SYNTACTIC =
  "Syntactic: every identifier with this name (same name, not type-resolved), comments and strings excluded.";

const refSchema = z.object({
  line: z.number().int().describe("Line"),
  column: z.number().int().describe("Column, 1-based"),
  in: z.string().optional().describe("Enclosing definition; absent at top level"),
  definition: z.boolean().optional().describe("True where the name is defined"),
  text: z.string().describe("The line, trimmed"),
});
type Ref = z.infer<typeof refSchema>;

/** The line without its indentation, long lines cut: the reference's place is in line:column. */
function trimmed(line: string): string {
  const t = line.trim();
  return t.length > 300 ? t.slice(0, 299) + "…" : t;
}

export const findReferences = defineTool({
  name: NAME,
  title: "Find references",
  description:
    "Where an identifier is used, grouped by file, each use with its enclosing function or class. " +
    "Syntactic (same name, not type-resolved); comments and strings excluded. Files defining it and " +
    "their importers first. Paged by next_cursor.",
  inputSchema: {
    name: z.string().min(1).max(200).regex(/^[\p{L}\p{N}_$]+$/u).describe(
      "Identifier, e.g. make_widget",
    ),
    path: z.string().max(LIMITS.maxPathLength).default(".").describe(
      'Folder, file or glob to search (default ".")',
    ),
    cursor: z.string().max(2048).optional().describe("next_cursor from the previous answer"),
  },
  outputSchema: {
    definitions: z.array(z.object({
      file: z.string().describe("File"),
      line: z.number().int().describe("Line"),
      kind: z.string().describe("Kind"),
    })).describe("Definitions with this name"),
    files: z.array(z.object({
      file: z.string().describe("File, relative to the project root"),
      rank: z.enum(["defines", "imports", "other"]).describe(
        "defines it, imports its module, or other",
      ),
      references: z.array(refSchema).describe("Uses in this file on this page"),
    })).describe("Files on this page, ranked"),
    total: z.number().int().describe("References in all pages"),
    partial: z.boolean().describe("True when a cap or the time budget stopped the search"),
    notes: z.array(z.string()).describe("How resolution works, skipped files, limits"),
    next_cursor: z.string().optional().describe("Pass as cursor for the next page"),
  },
  annotations: {
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  async handler({ name, path, cursor }, ctx) {
    const key = queryKey({ name, path });
    let offset = 0;
    if (cursor !== undefined) {
      const c = decodeCursor(NAME, key, cursor);
      if (!c.ok) return cannot("find references in", path, c.reason);
      offset = cursorPosition(c.value, "offset");
    }
    const r = await ctx.sandbox.findReferences({
      name,
      path,
      maxReferences: SYMBOL_LIMITS.maxReferences,
      timeBudgetMs: SYMBOL_LIMITS.timeBudgetMs,
      allowSecretFiles: ctx.config.allowSecretFiles,
    }, ctx.signal);
    if (!r.ok) return cannot("find references in", path, r.reason);
    const v = r.value;
    const notes = [SYNTACTIC, ...scopeNotes(v)];
    if (v.truncated && v.total >= SYMBOL_LIMITS.maxReferences) {
      notes.push(`Stopped at ${SYMBOL_LIMITS.maxReferences} references: narrow with path`);
    }
    const records: { file: string; rank: "defines" | "imports" | "other"; ref: Ref }[] = [];
    for (const f of v.files) {
      for (const x of f.references) {
        records.push({
          file: f.file,
          rank: f.rank,
          ref: {
            line: x.line,
            column: x.column,
            ...(x.in ? { in: clean(x.in) } : {}),
            ...(x.definition ? { definition: true } : {}),
            text: clean(trimmed(x.text), x.line),
          },
        });
      }
    }
    const render = (x: (typeof records)[number]) =>
      `  ${x.ref.line}:${x.ref.column}${x.ref.in ? ` in ${x.ref.in}` : ""}${
        x.ref.definition ? " (definition)" : ""
      }: ${x.ref.text}`;
    const head = `${v.total} reference${v.total === 1 ? "" : "s"} to ${
      JSON.stringify(name)
    } in ${v.files.length} of ${v.filesSearched} source files (${v.target})`;
    const defsLine = v.definitions.length
      ? `Defined at: ${
        v.definitions.slice(0, 10).map((d) => `${d.file}:${d.line} (${d.kind})`).join(", ")
      }${v.definitions.length > 10 ? `, and ${v.definitions.length - 10} more` : ""}`
      : "No definition with this name found in scope.";
    const budget = Math.max(
      1024,
      ctx.config.maxOutputBytes - utf8Length(head + defsLine + notes.join("\n")) * 2 - 800,
    );
    const start = Math.min(offset, records.length);
    const fit = fitRecords(
      records,
      start,
      budget,
      (x) => utf8Length(JSON.stringify(x.ref)) + utf8Length(render(x)) + 8,
    );
    const next = fit.complete ? undefined : encodeCursor(NAME, key, { offset: fit.end });
    const files: { file: string; rank: "defines" | "imports" | "other"; references: Ref[] }[] = [];
    const lines = [head, defsLine, ...notes];
    for (const x of records.slice(start, fit.end)) {
      if (files[files.length - 1]?.file !== x.file) {
        files.push({ file: x.file, rank: x.rank, references: [] });
        lines.push(`${x.file} [${x.rank}]`);
      }
      files[files.length - 1]!.references.push(x.ref);
      lines.push(render(x));
    }
    if (next) lines.push(budgetNote(ctx.config.maxOutputBytes, `continue with cursor="${next}"`));
    const definitions = v.definitions.slice(0, 50).map((d) => ({
      file: d.file,
      line: d.line,
      kind: d.kind,
    }));
    return {
      content: [{ type: "text", text: lines.join("\n") }],
      structuredContent: {
        definitions,
        files,
        total: v.total,
        partial: v.truncated,
        notes,
        ...(next ? { next_cursor: next } : {}),
      },
    };
  },
});
