/**
 * The summary that leads a lint answer (findings per severity, the rules and files with the
 * most findings) and the order findings are shown in: severity, then file, line and column.
 */
import type { Diagnostic, Severity } from "./types.ts";

export interface FindingsSummary {
  by_severity: Record<Severity, number>;
  top_rules: { code: string; count: number }[];
  top_files: { file: string; count: number }[];
}

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { error: 0, warning: 1, info: 2 };

/** Severity first (errors on top), then file, line, column and rule code. */
export function compareFindings(a: Diagnostic, b: Diagnostic): number {
  return SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    a.line - b.line || a.column - b.column ||
    (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) ||
    (a.message < b.message ? -1 : a.message > b.message ? 1 : 0);
}

function top<K extends string>(
  counts: Map<string, number>,
  n: number,
  key: K,
): ({ count: number } & Record<K, string>)[] {
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n)
    .map(([k, count]) => ({ [key]: k, count }) as { count: number } & Record<K, string>);
}

/**
 * Counts per severity and the `n` rules and files with the most findings.
 *
 * @example summarize([{ code: "F401", file: "a.py", severity: "warning", ... }]).top_rules // [{ code: "F401", count: 1 }]
 */
export function summarize(ds: readonly Diagnostic[], n = 5): FindingsSummary {
  const by_severity: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  const rules = new Map<string, number>();
  const files = new Map<string, number>();
  for (const d of ds) {
    by_severity[d.severity]++;
    rules.set(d.code, (rules.get(d.code) ?? 0) + 1);
    files.set(d.file, (files.get(d.file) ?? 0) + 1);
  }
  return { by_severity, top_rules: top(rules, n, "code"), top_files: top(files, n, "file") };
}

/** "2 errors, 5 warnings, 1 info" (only the non-zero ones; "no findings" when all are zero). */
export function describeSeverities(s: Record<Severity, number>): string {
  const parts: string[] = [];
  if (s.error) parts.push(`${s.error} error${s.error === 1 ? "" : "s"}`);
  if (s.warning) parts.push(`${s.warning} warning${s.warning === 1 ? "" : "s"}`);
  if (s.info) parts.push(`${s.info} info`);
  return parts.length > 0 ? parts.join(", ") : "no findings";
}
