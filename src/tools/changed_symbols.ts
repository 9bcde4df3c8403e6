/**
 * review_changes' part about symbols: each changed file's added, removed and modified
 * functions and classes (src/symbols/changed.ts, computed in the worker), their rendering, and a
 * finding for each function whose cyclomatic complexity crossed the threshold in this change.
 */
import { z } from "zod";
import type { FileRecord } from "../git/review.ts";
import { COMPLEXITY_THRESHOLD, complexityFindings } from "../symbols/changed.ts";
import { sanitizeText } from "../output/sanitize.ts";

export const changedSymbolsSchema = z.object({
  symbols: z.array(z.object({
    name: z.string().describe("Qualified name"),
    kind: z.string().describe("Kind"),
    change: z.enum(["added", "removed", "modified"]).describe("What happened to it"),
    line: z.number().int().describe("Line (old version for removed)"),
    complexity_before: z.number().int().optional().describe("Cyclomatic complexity before"),
    complexity_after: z.number().int().optional().describe("Cyclomatic complexity after"),
  })).describe("Functions and classes this change touched"),
  more: z.number().int().describe("Changed symbols not listed"),
}).describe("Changed functions and classes (a hunk mapped to its enclosing symbol)");

type Changed = z.infer<typeof changedSymbolsSchema>;

/** " | ~ method Store.set 3->5, + function f" after a file's line; "" when none. */
export function renderChangedSymbols(c: Changed | undefined): string {
  if (!c || c.symbols.length === 0) return "";
  const mark = { added: "+", removed: "-", modified: "~" } as const;
  const parts = c.symbols.map((s) => {
    const cx = s.change === "modified" && s.complexity_before !== undefined
      ? ` complexity ${s.complexity_before}->${s.complexity_after}`
      : "";
    return `${mark[s.change]}${s.kind} ${sanitizeText(s.name).text}:${s.line} ${s.change}${cx}`;
  });
  return `\n      symbols: ${parts.join(", ")}${c.more > 0 ? `, and ${c.more} more` : ""}`;
}

/** review_changes findings (tag new, linter "complexity") for functions that crossed the threshold. */
export function complexityFindingsOf(files: readonly FileRecord[]) {
  return files.flatMap((f) =>
    f.symbols
      ? complexityFindings(f.symbols.symbols).map((x) => ({
        tag: "new" as const,
        // Only added or modified functions are measured: the change made them what they are.
        basis: "changed",
        file: f.path,
        line: x.line,
        column: 1,
        code: `complexity>${COMPLEXITY_THRESHOLD}`,
        severity: "warning" as const,
        message: sanitizeText(x.message).text,
        linter: "complexity",
      }))
      : []
  );
}
