/**
 * The README's tools table, generated from the tool definitions (src/tools/mod.ts): each tool's
 * name, its parameters (optional ones with `?`, defaults shown) and the first sentence of its
 * description, so the table a user reads is what a model is told. `deno task docs` rewrites it
 * between the README's tools markers; a test fails when the README drifts.
 */
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { TOOLS } from "../src/tools/mod.ts";

export const TOOLS_START = "<!-- tools:start -->";
export const TOOLS_END = "<!-- tools:end -->";

/** A parameter as the table shows it: `name`, `name?` or `name=default`. */
function param(name: string, schema: unknown): string {
  const def = (schema as { _zod?: { def?: { type?: string; defaultValue?: unknown } } })._zod?.def;
  if (def?.type === "default") return `${name}=${JSON.stringify(def.defaultValue)}`;
  const optional = (schema as { isOptional?: () => boolean }).isOptional?.() === true;
  return optional ? `${name}?` : name;
}

/**
 * The first sentence: up to a full stop followed by a capital letter or the end, so that
 * "e.g." and "src/x.py" do not cut it.
 */
export function firstSentence(text: string): string {
  const m = text.match(/^(.*?[.!?])(?=\s+[A-Z]|\s*$)/s);
  return (m?.[1] ?? text).replace(/\s+/g, " ").trim();
}

/** The markdown table rows for every tool, in registration order. */
export function toolsTable(): string {
  const rows = TOOLS.map((t) => {
    const params = Object.entries(t.inputSchema).map(([k, s]) => param(k, s)).join(", ");
    const what = firstSentence(t.description).replaceAll("|", "\\|");
    return `| \`${t.name}(${params})\` | ${what} |`;
  });
  return ["| tool | what it does |", "| --- | --- |", ...rows].join("\n");
}

/** The README with its tools block replaced; throws when the markers are missing. */
export function withToolsTable(readme: string): string {
  const a = readme.indexOf(TOOLS_START);
  const b = readme.indexOf(TOOLS_END);
  if (a < 0 || b < a) throw new Error("README.md has no tools markers");
  return readme.slice(0, a + TOOLS_START.length) + "\n" + toolsTable() + "\n" + readme.slice(b);
}

if (import.meta.main) {
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "README.md");
  const before = await Deno.readTextFile(file);
  const after = withToolsTable(before);
  if (after !== before) await Deno.writeTextFile(file, after);
  console.error(
    after === before ? "README.md: tools table current" : "README.md: tools table rewritten",
  );
}
