/**
 * The project's ruff configuration for `ruff-native`, passed safely: native ruff keeps running
 * `--isolated` (it reads no configuration file, and none above the root or in the user's home),
 * and the configuration we resolved ourselves (the closest file, its `extend` chain followed only
 * inside the root) is handed over as `--config=<key> = <value>` overrides, one per top-level key.
 * Paths are rebased onto the configuration's folder, which is the run's working directory;
 * a path that leads out of the root is dropped.
 */
import type { ResolvedRuffConfig } from "./config.ts";
import { isTable, joinPattern } from "./per_file_ignores.ts";

/** A TOML value on one line (inline tables and arrays, JSON-escaped strings are valid TOML). */
export function inlineToml(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError("not a finite number");
    return String(value);
  }
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map(inlineToml).join(", ")}]`;
  if (isTable(value)) {
    return `{${
      Object.entries(value).map(([k, v]) => `${JSON.stringify(k)} = ${inlineToml(v)}`).join(", ")
    }}`;
  }
  if (value instanceof Date) return value.toISOString();
  throw new TypeError(`cannot pass ${typeof value} to ruff`);
}

/**
 * One `--config` word per top-level key, its value whole (tables inline): ruff makes each
 * `--config` a configuration layer of its own and combines them last first, so a `lint.ignore`
 * passed apart from `lint.select` would be undone by the select.
 */
function topLevelFlag(key: string, value: unknown): string {
  return `--config=${JSON.stringify(key)} = ${inlineToml(value)}`;
}

/** A root-relative folder or pattern as seen from `cwd` (root-relative); undefined when above the root. */
function fromCwd(cwd: string, rel: string): string | undefined {
  if (rel.startsWith("..") || rel.startsWith("/")) return undefined;
  if (cwd === "") return rel === "" ? "." : rel;
  if (rel === cwd) return ".";
  if (rel.startsWith(`${cwd}/`)) return rel.slice(cwd.length + 1);
  const ups = cwd.split("/").map(() => "..");
  return [...ups, rel].join("/");
}

/**
 * The `--config=` words for one configuration, for a run whose working directory is its folder
 * (`config.configDir`). Per-file-ignores written in an extended file elsewhere are rebased.
 *
 * @example nativeConfigFlags({ settings: { "line-length": 90 }, ... })
 * // ['--config="line-length" = 90', '--config="lint" = {"select" = [...], ...}', ...]
 */
export function nativeConfigFlags(config: ResolvedRuffConfig): string[] {
  const out: string[] = [];
  const settings = structuredClone(config.settings) as Record<string, unknown>;
  const cwd = config.configDir;
  const src = config.selection.src.map((s) => fromCwd(cwd, s)).filter((s) => s !== undefined);
  settings.src = src;
  const ns = config.selection.namespacePackages.map((s) => fromCwd(cwd, s)).filter((s) =>
    s !== undefined
  );
  if (ns.length > 0) settings["namespace-packages"] = ns;
  const pfi: Record<string, string[]> = {};
  for (const entry of config.perFileIgnores) {
    const negated = entry.pattern.startsWith("!");
    const raw = negated ? entry.pattern.slice(1) : entry.pattern;
    let pattern: string | undefined = raw;
    if (entry.baseDir !== cwd) {
      pattern = raw.startsWith("/") ? undefined : fromCwd(cwd, joinPattern(entry.baseDir, raw));
    }
    if (pattern === undefined) continue;
    const key = `${negated ? "!" : ""}${pattern}`;
    pfi[key] = [...(pfi[key] ?? []), ...entry.selectors];
  }
  if (Object.keys(pfi).length > 0) {
    const lint = isTable(settings.lint) ? settings.lint : (settings.lint = {});
    if (isTable(lint)) lint["per-file-ignores"] = pfi;
  }
  for (const [k, v] of Object.entries(settings)) out.push(topLevelFlag(k, v));
  return out;
}
