/**
 * Which language a file is in, by its name alone: the table of languages we parse (each with
 * its tree-sitter grammar) and of languages we recognise but do not parse, so that a Kotlin file
 * is answered as "Kotlin, not supported" rather than guessed at. No content sniffing.
 */

/** The grammars we ship; one wasm each under src/symbols/grammars/. */
export type LanguageId =
  | "python"
  | "javascript"
  | "typescript"
  | "tsx"
  | "go"
  | "rust"
  | "java"
  | "c"
  | "cpp"
  | "csharp"
  | "ruby"
  | "php"
  | "bash";

/** Display names, as the answers say them. */
export const LANGUAGE_NAMES: Readonly<Record<LanguageId, string>> = Object.freeze({
  python: "Python",
  javascript: "JavaScript",
  typescript: "TypeScript",
  tsx: "TSX",
  go: "Go",
  rust: "Rust",
  java: "Java",
  c: "C",
  cpp: "C++",
  csharp: "C#",
  ruby: "Ruby",
  php: "PHP",
  bash: "Shell",
});

const BY_EXTENSION: Readonly<Record<string, LanguageId>> = Object.freeze({
  ".py": "python",
  ".pyi": "python",
  ".pyw": "python",
  ".js": "javascript",
  ".mjs": "javascript",
  ".cjs": "javascript",
  ".jsx": "javascript",
  ".ts": "typescript",
  ".mts": "typescript",
  ".cts": "typescript",
  ".tsx": "tsx",
  ".go": "go",
  ".rs": "rust",
  ".java": "java",
  ".c": "c",
  // .h is C or C++; as universal-ctags does, it is read as C++, whose grammar parses C declarations.
  ".h": "cpp",
  ".cc": "cpp",
  ".cpp": "cpp",
  ".cxx": "cpp",
  ".c++": "cpp",
  ".hh": "cpp",
  ".hpp": "cpp",
  ".hxx": "cpp",
  ".h++": "cpp",
  ".inl": "cpp",
  ".ipp": "cpp",
  ".cs": "csharp",
  ".rb": "ruby",
  ".rake": "ruby",
  ".gemspec": "ruby",
  ".php": "php",
  ".phtml": "php",
  ".sh": "bash",
  ".bash": "bash",
});

const BY_NAME: Readonly<Record<string, LanguageId>> = Object.freeze({
  "Rakefile": "ruby",
  "Gemfile": "ruby",
  ".bashrc": "bash",
  ".bash_profile": "bash",
  ".profile": "bash",
});

/** Languages recognised by extension but not parsed: named in the answer, never guessed. */
const UNSUPPORTED: Readonly<Record<string, string>> = Object.freeze({
  ".kt": "Kotlin",
  ".kts": "Kotlin",
  ".swift": "Swift",
  ".scala": "Scala",
  ".lua": "Lua",
  ".pl": "Perl",
  ".pm": "Perl",
  ".r": "R",
  ".m": "Objective-C",
  ".mm": "Objective-C++",
  ".dart": "Dart",
  ".ex": "Elixir",
  ".exs": "Elixir",
  ".erl": "Erlang",
  ".hs": "Haskell",
  ".clj": "Clojure",
  ".ml": "OCaml",
  ".fs": "F#",
  ".zig": "Zig",
  ".vue": "Vue",
  ".svelte": "Svelte",
  ".zsh": "Zsh",
  ".fish": "fish",
  ".ps1": "PowerShell",
  ".sql": "SQL",
  ".html": "HTML",
  ".css": "CSS",
  ".scss": "SCSS",
  ".json": "JSON",
  ".yaml": "YAML",
  ".yml": "YAML",
  ".toml": "TOML",
  ".xml": "XML",
  ".md": "Markdown",
  ".rst": "reStructuredText",
  ".txt": "plain text",
});

/** What a file is: a language we parse, one we name but do not parse, or unknown. */
export type FileLanguage =
  | { supported: true; id: LanguageId; name: string }
  | { supported: false; name: string | null };

function extensionOf(base: string): string {
  const dot = base.lastIndexOf(".");
  return dot <= 0 ? "" : base.slice(dot).toLowerCase();
}

/**
 * The language of a file by its name.
 *
 * @example languageOf("src/app.py") -> { supported: true, id: "python", name: "Python" }
 * @example languageOf("Main.kt") -> { supported: false, name: "Kotlin" }
 */
export function languageOf(rel: string): FileLanguage {
  const base = rel.slice(rel.lastIndexOf("/") + 1);
  const id = BY_NAME[base] ?? BY_EXTENSION[extensionOf(base)];
  if (id !== undefined) return { supported: true, id, name: LANGUAGE_NAMES[id] };
  return { supported: false, name: UNSUPPORTED[extensionOf(base)] ?? null };
}

/** True when the file's name says a language we parse (a walk's filter). */
export function isParsable(rel: string): boolean {
  return languageOf(rel).supported;
}

/** "Python, JavaScript, ..." for answers that name what is supported. */
export function supportedLanguageList(): string {
  return [...new Set(Object.values(LANGUAGE_NAMES))].join(", ");
}
