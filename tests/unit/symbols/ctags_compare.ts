/**
 * The reference for which definitions exist: universal-ctags on the same files. Its function,
 * class and method tags (per language, the kinds that mean those) are compared with ours by
 * file, name and line. Used by the differential test and by the recall probe on real projects.
 */
import { languageOf } from "../../../src/symbols/languages.ts";
import { parseDefinitions } from "../../../src/symbols/extract.ts";

/** ctags kinds, per ctags language, that are functions, methods or class-like definitions. */
export const CTAGS_KINDS: Readonly<Record<string, readonly string[]>> = {
  Python: ["class", "function", "member"],
  JavaScript: ["class", "function", "generator", "method", "getter", "setter"],
  TypeScript: ["class", "function", "method", "interface", "enum"],
  Go: ["func", "methodSpec", "struct", "interface"],
  Rust: ["function", "method", "struct", "interface", "enum", "module"],
  Java: ["class", "method", "interface", "enum"],
  C: ["function", "struct"],
  "C++": ["function", "class", "struct"],
  "C#": ["class", "method", "interface", "struct", "enum"],
  Ruby: ["class", "method", "singletonMethod", "module"],
  PHP: ["class", "function", "interface", "trait"],
  Sh: ["function"],
};

export interface CtagsTag {
  file: string;
  name: string;
  line: number;
  kind: string;
  language: string;
}

/** Runs ctags over files (relative to cwd); a missing ctags is an error, never a skip. */
export async function ctagsTags(cwd: string, files: readonly string[]): Promise<CtagsTag[]> {
  const out = await new Deno.Command("ctags", {
    args: ["--output-format=json", "--fields=+nKel", "-f", "-", "-L", "-"],
    cwd,
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const w = out.stdin.getWriter();
  await w.write(new TextEncoder().encode(files.join("\n") + "\n"));
  await w.close();
  const { stdout, success } = await out.output();
  if (!success) throw new Error("ctags failed");
  const tags: CtagsTag[] = [];
  for (const line of new TextDecoder().decode(stdout).split("\n")) {
    if (!line.startsWith("{")) continue;
    const t = JSON.parse(line);
    if (t._type !== "tag") continue;
    const kinds = CTAGS_KINDS[t.language];
    if (!kinds || !kinds.includes(t.kind)) continue;
    // Anonymous functions get generated names from ctags: nothing a model could look up.
    if (/^(Anonymous\w+[0-9a-f]{8}|__anon[0-9a-f]+)/.test(t.name)) continue;
    tags.push({ file: t.path, name: t.name, line: t.line, kind: t.kind, language: t.language });
  }
  return tags;
}

export interface Recall {
  /** ctags' definitions of the compared kinds. */
  tagged: CtagsTag[];
  expected: number;
  found: number;
  missing: CtagsTag[];
}

/** How many of ctags' definitions we find with the same name on the same line. */
export async function recallAgainstCtags(
  cwd: string,
  files: readonly string[],
): Promise<Recall> {
  const tags = await ctagsTags(cwd, files);
  const ours = new Set<string>();
  for (const f of files) {
    const lang = languageOf(f);
    if (!lang.supported) continue;
    const text = await Deno.readTextFile(`${cwd}/${f}`);
    const parsed = await parseDefinitions(lang.id, text);
    for (const d of parsed?.definitions ?? []) ours.add(`${f}\0${d.name}\0${d.line}`);
  }
  // ctags' JavaScript parser calls an object literal (`var opts = { a: 1 }`) a class; it is not a
  // class definition in any sense a reviewer means, so only classes written with `class` count.
  const lines = new Map<string, string[]>();
  const lineOf = async (t: CtagsTag) => {
    if (!lines.has(t.file)) {
      lines.set(t.file, (await Deno.readTextFile(`${cwd}/${t.file}`)).split("\n"));
    }
    return lines.get(t.file)![t.line - 1] ?? "";
  };
  const compared: CtagsTag[] = [];
  for (const t of tags) {
    if (t.language === "JavaScript" && t.kind === "class" && !/\bclass\b/.test(await lineOf(t))) {
      continue;
    }
    compared.push(t);
  }
  const missing = compared.filter((t) => !ours.has(`${t.file}\0${t.name}\0${t.line}`));
  return {
    tagged: tags,
    expected: compared.length,
    found: compared.length - missing.length,
    missing,
  };
}
