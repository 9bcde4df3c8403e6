import { z } from "zod";
import { LIMITS } from "../config.ts";
import { LANGUAGE_NAMES } from "../symbols/languages.ts";
import { cannot, defineTool } from "./types.ts";
import { clean, kindSchema, scopeNotes, SYMBOL_LIMITS } from "./symbol_common.ts";

const MATCH_WORDS = {
  "exact": "match: exact",
  "case-insensitive": "match: case-insensitive (no exact match)",
  "other-container": "match: other-container (the name, not inside the one given)",
  "prefix": "match: prefix (no exact match)",
  "fuzzy": "match: fuzzy (no exact or prefix match)",
  "none": "match: none (nothing similar)",
} as const;

export const findSymbol = defineTool({
  name: "find_symbol",
  title: "Find symbol",
  description:
    "Where a class, function, method or constant is defined in the project: exact name first, " +
    'else prefix or fuzzy matches. Accepts "Class.method". Gives signature and line range.',
  inputSchema: {
    name: z.string().min(1).max(200).describe('Name or qualified name, e.g. "Store.set"'),
    kind: kindSchema.optional().describe("Only definitions of this kind"),
    path: z.string().max(LIMITS.maxPathLength).default(".").describe(
      'Folder, file or glob to search (default ".")',
    ),
  },
  outputSchema: {
    match: z.enum(["exact", "case-insensitive", "other-container", "prefix", "fuzzy", "none"])
      .describe(
        "How the results match the name",
      ),
    results: z.array(z.object({
      file: z.string().describe("File, relative to the project root"),
      line: z.number().int().describe("Line of the name"),
      end: z.number().int().describe("Last line"),
      kind: z.string().describe("Kind"),
      name: z.string().describe("Name"),
      container: z.string().optional().describe("Enclosing definitions, e.g. the class"),
      signature: z.string().describe("Declaration up to its body"),
      doc: z.string().optional().describe("First docstring/comment line"),
    })).describe(`Definitions found (at most ${SYMBOL_LIMITS.maxHits})`),
    total: z.number().int().describe("Definitions found in all"),
    files_indexed: z.number().int().describe("Source files searched"),
    notes: z.array(z.string()).describe("Skipped files, limits, partial index"),
  },
  annotations: {
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  async handler({ name, kind, path }, ctx) {
    const r = await ctx.sandbox.findSymbol({
      name,
      ...(kind !== undefined ? { kind } : {}),
      path,
      maxResults: SYMBOL_LIMITS.maxHits,
      timeBudgetMs: SYMBOL_LIMITS.timeBudgetMs,
      allowSecretFiles: ctx.config.allowSecretFiles,
    }, ctx.signal);
    if (!r.ok) return cannot("search symbols in", path, r.reason);
    const v = r.value;
    const notes = scopeNotes(v);
    const results = v.hits.map((h) => ({
      file: h.file,
      line: h.line,
      end: h.end,
      kind: h.kind,
      name: clean(h.name),
      ...(h.container ? { container: clean(h.container) } : {}),
      signature: clean(h.signature, h.line),
      ...(h.doc !== undefined ? { doc: clean(h.doc) } : {}),
    }));
    const lines = [
      `${v.total} definition${v.total === 1 ? "" : "s"} of ${JSON.stringify(name)}${
        kind ? ` (${kind})` : ""
      }: ${MATCH_WORDS[v.match]}; ${v.filesIndexed} source files searched (${v.target})` +
      (v.total > results.length ? `; first ${results.length} shown` : ""),
      ...notes,
      ...results.map((h, i) =>
        `${h.file}:${h.line}-${h.end} ${h.kind} ${h.container ? h.container + "." : ""}${h.name} [${
          LANGUAGE_NAMES[v.hits[i]!.language]
        }]\n  ${h.signature}${h.doc ? `\n  # ${h.doc}` : ""}`
      ),
    ];
    return {
      content: [{ type: "text", text: lines.join("\n") }],
      structuredContent: {
        match: v.match,
        results,
        total: v.total,
        files_indexed: v.filesIndexed,
        notes,
      },
    };
  },
});
