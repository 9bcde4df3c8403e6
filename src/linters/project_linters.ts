/**
 * Which linters a project uses, decided from its own configuration files at the root: ruff
 * settings -> ruff; flake8 settings -> flake8; pylint settings -> pylint; shell files ->
 * shellcheck; JavaScript/TypeScript with a deno.json -> deno lint. The server's own review rules
 * (the built-in ruff's default rule set) apply only where the project configures nothing, and
 * every choice carries the file that made it, so an answer can name it. Pure: the caller reads.
 */
import * as path from "node:path";
import { parse as parseToml } from "smol-toml";
import { linterAccepts, type LinterName } from "./registry.ts";
import { type ConfigText, flake8Config, pylintConfig } from "./python_config.ts";

/** Files at the project root that say which linters it uses. */
export const PROJECT_CONFIG_NAMES = [
  ".ruff.toml",
  "ruff.toml",
  "pyproject.toml",
  "setup.cfg",
  "tox.ini",
  ".flake8",
  "pylintrc",
  ".pylintrc",
  "deno.json",
  "deno.jsonc",
  "eslint.config.js",
  "eslint.config.mjs",
  "eslint.config.cjs",
  "eslint.config.ts",
  ".eslintrc",
  ".eslintrc.js",
  ".eslintrc.cjs",
  ".eslintrc.json",
  ".eslintrc.yml",
  ".eslintrc.yaml",
  "biome.json",
  "biome.jsonc",
] as const;

export type Language = "python" | "shell" | "js-ts";

/** One linter the project's files get, and why. */
export interface LinterChoice {
  linter: LinterName;
  /** What made the choice, for the answer: "pyproject.toml [tool.ruff]", "setup.cfg [flake8]". */
  source: string;
  /** True when the project configures nothing for this language: the server's own rules. */
  own: boolean;
}

export interface ProjectLinters {
  /** Per language, the linters to run, in order (the first is the one a single run uses). */
  byLanguage: Record<Language, LinterChoice[]>;
  /** Per language, the server's own choice, for when a configured linter is not installed. */
  fallback: Record<Language, LinterChoice | undefined>;
  /** Configured linters that cannot run here, and other things the answer should say. */
  notes: string[];
}

const PYTHON_EXT = [".py", ".pyi"];
const SHELL_EXT = [".sh", ".bash", ".ksh"];
const JS_TS_EXT = [".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"];

/** The language of a file by its extension, or undefined when no linter of ours takes it. */
export function languageOf(filePath: string): Language | undefined {
  const ext = path.extname(filePath).toLowerCase();
  if (PYTHON_EXT.includes(ext)) return "python";
  if (SHELL_EXT.includes(ext)) return "shell";
  if (JS_TS_EXT.includes(ext)) return "js-ts";
  return undefined;
}

function text(files: readonly ConfigText[], name: string): string | null {
  return files.find((f) => f.name === name)?.text ?? null;
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Where the project's ruff settings are, in ruff's own order (.ruff.toml, ruff.toml, pyproject.toml). */
function ruffSource(files: readonly ConfigText[], notes: string[]): string | undefined {
  for (const name of [".ruff.toml", "ruff.toml"]) if (text(files, name) !== null) return name;
  const py = text(files, "pyproject.toml");
  if (py === null) return undefined;
  try {
    const doc = parseToml(py) as Record<string, unknown>;
    const tool = doc["tool"];
    if (isTable(tool) && tool["ruff"] !== undefined) return "pyproject.toml [tool.ruff]";
  } catch (e) {
    notes.push(`pyproject.toml could not be parsed (${(e as Error).message.split("\n")[0]})`);
  }
  return undefined;
}

function first(
  wanted: readonly LinterName[],
  enabled: readonly LinterName[],
): LinterName | undefined {
  return wanted.find((l) => enabled.includes(l));
}

/**
 * The project's linters, given its root configuration files (text null when absent) and the
 * linters this server has enabled.
 *
 * @example projectLinters([{ name: "setup.cfg", text: "[flake8]\nmax-line-length = 120\n" }], ["ruff", "flake8"])
 *   .byLanguage.python // [{ linter: "flake8", source: "setup.cfg [flake8]", own: false }]
 */
export function projectLinters(
  files: readonly ConfigText[],
  enabled: readonly LinterName[],
): ProjectLinters {
  const notes: string[] = [];
  const python: LinterChoice[] = [];
  const unavailable = (what: string, linter: string) =>
    notes.push(`the project configures ${linter} (${what}), which is not enabled on this server`);

  const ruff = ruffSource(files, notes);
  if (ruff !== undefined) {
    const l = first(["ruff", "ruff-native"], enabled);
    if (l) python.push({ linter: l, source: ruff, own: false });
    else unavailable(ruff, "ruff");
  }
  const flake8 = flake8Config(files);
  if (flake8.configFile !== undefined) {
    const source = `${flake8.configFile} [flake8]`;
    if (enabled.includes("flake8")) python.push({ linter: "flake8", source, own: false });
    else unavailable(source, "flake8");
  }
  const pylint = pylintConfig(files);
  if (pylint.configFile !== undefined) {
    const source = pylint.configFile === "pyproject.toml"
      ? "pyproject.toml [tool.pylint]"
      : pylint.configFile === "pylintrc" || pylint.configFile === ".pylintrc"
      ? pylint.configFile
      : `${pylint.configFile} [pylint]`;
    if (enabled.includes("pylint")) python.push({ linter: "pylint", source, own: false });
    else unavailable(source, "pylint");
  }
  const ownPython = first(["ruff", "flake8", "pylint", "ruff-native"], enabled);
  const pythonFallback: LinterChoice | undefined = ownPython
    ? {
      linter: ownPython,
      source: ownPython === "ruff"
        ? "the server's own review rules (no Python linter configured)"
        : `${ownPython} defaults (no Python linter configured)`,
      own: true,
    }
    : undefined;
  if (python.length === 0 && pythonFallback) python.push(pythonFallback);

  const shell: LinterChoice[] = enabled.includes("shellcheck")
    ? [{ linter: "shellcheck", source: "shellcheck defaults (.shellcheckrc not read)", own: false }]
    : [];

  const js: LinterChoice[] = [];
  const denoJson = ["deno.json", "deno.jsonc"].find((n) => text(files, n) !== null);
  const other = PROJECT_CONFIG_NAMES.filter((n) => /^(\.?eslint|biome)/.test(n)).find((n) =>
    text(files, n) !== null
  );
  const denoLint = enabled.includes("deno-lint");
  if (denoJson !== undefined) {
    if (denoLint) {
      js.push({
        linter: "deno-lint",
        source: `${denoJson} (deno lint's recommended rules; its lint settings are not read)`,
        own: false,
      });
    } else unavailable(denoJson, "deno lint");
  } else if (other !== undefined) {
    notes.push(
      `JavaScript/TypeScript files are not linted: the project configures ${
        other.startsWith("biome") ? "biome" : "eslint"
      } (${other}), which this server does not run`,
    );
  } else if (denoLint) {
    js.push({
      linter: "deno-lint",
      source: "deno lint's recommended rules (no JavaScript/TypeScript linter configured)",
      own: true,
    });
  }
  return {
    byLanguage: { python, shell, "js-ts": js },
    fallback: {
      python: python.some((c) => c.own) || !pythonFallback ? undefined : {
        ...pythonFallback,
        source: pythonFallback.source.replace(
          "(no Python linter configured)",
          "(the configured linter is not installed)",
        ),
      },
      shell: undefined,
      "js-ts": undefined,
    },
    notes,
  };
}

/** The linters for one file: its language's choices that take its extension (pylint skips .pyi). */
export function lintersForFile(p: ProjectLinters, filePath: string): LinterChoice[] {
  const lang = languageOf(filePath);
  if (lang === undefined) return [];
  return p.byLanguage[lang].filter((c) => linterAccepts(c.linter, filePath));
}

/**
 * `enabled` narrowed to the first choice of each language, for a project-wide run that takes one
 * linter per file by the server's preference order (src/sandbox/lint_project.ts).
 */
export function enabledForProjectRun(p: ProjectLinters): LinterName[] {
  const out = new Set<LinterName>();
  for (const lang of ["python", "shell", "js-ts"] as const) {
    const c = p.byLanguage[lang][0];
    if (c) out.add(c.linter);
  }
  return [...out];
}
