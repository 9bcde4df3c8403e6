/**
 * The tree-sitter runtime and its grammars, as WebAssembly inside the sandbox worker: no
 * subprocess, no file read. Each wasm comes from the module graph by a source-phase import
 * (grammars/*.js), so loading needs no permission (the worker cannot read Deno's npm cache)
 * and `deno compile` embeds them. The runtime loads on first use, each grammar on the first
 * file in its language.
 */
import { Language, Parser } from "web-tree-sitter";
import type { LanguageId } from "./languages.ts";

type WasmImport = () => Promise<{ default: WebAssembly.Module }>;

/** One dynamic import per grammar: literal specifiers, so the module graph (and a compile) sees them. */
const GRAMMAR_MODULES: Readonly<Record<LanguageId, WasmImport>> = {
  python: () => import("./grammars/python.js"),
  javascript: () => import("./grammars/javascript.js"),
  typescript: () => import("./grammars/typescript.js"),
  tsx: () => import("./grammars/tsx.js"),
  go: () => import("./grammars/go.js"),
  rust: () => import("./grammars/rust.js"),
  java: () => import("./grammars/java.js"),
  c: () => import("./grammars/c.js"),
  cpp: () => import("./grammars/cpp.js"),
  csharp: () => import("./grammars/csharp.js"),
  ruby: () => import("./grammars/ruby.js"),
  php: () => import("./grammars/php.js"),
  bash: () => import("./grammars/bash.js"),
};

/** The emscripten module object: Parser.init() fills it, and its loader accepts a compiled module. */
interface RuntimeModule {
  print(): void;
  printErr(): void;
  instantiateWasm(
    imports: WebAssembly.Imports,
    done: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
  ): Record<string, never>;
  loadWebAssemblyModule?: (binary: unknown, flags: unknown) => unknown;
}

/**
 * Language.load() takes bytes or a path, not a compiled module. A one-byte key stands in for the
 * module on its way through: the runtime's loader (which does accept a WebAssembly.Module) is
 * wrapped to swap the key for the module it stands for.
 */
const stand_ins = new Map<Uint8Array, WebAssembly.Module>();

let runtime: Promise<void> | undefined;

function loadRuntime(): Promise<void> {
  runtime ??= (async () => {
    const { default: core } = await import("./grammars/runtime.js");
    const mod: RuntimeModule = {
      // stdout belongs to the protocol under stdio: the runtime's own printing goes nowhere.
      print: () => {},
      printErr: () => {},
      instantiateWasm(imports, done) {
        void WebAssembly.instantiate(core, imports).then((instance) => done(instance, core));
        return {};
      },
    };
    await Parser.init(mod as unknown as Record<string, unknown>);
    const load = mod.loadWebAssemblyModule;
    if (typeof load !== "function") throw new Error("tree-sitter runtime has no module loader");
    mod.loadWebAssemblyModule = (binary, flags) =>
      load(binary instanceof Uint8Array ? stand_ins.get(binary) ?? binary : binary, flags);
  })().catch((e) => {
    runtime = undefined;
    throw e;
  });
  return runtime;
}

const languages = new Map<LanguageId, Promise<Language>>();

/** The grammar of a language, loaded (and compiled) on its first use; a failed load may be retried. */
export function grammarFor(id: LanguageId): Promise<Language> {
  let p = languages.get(id);
  if (p === undefined) {
    p = (async () => {
      await loadRuntime();
      const { default: module } = await GRAMMAR_MODULES[id]();
      const key = new Uint8Array(1);
      stand_ins.set(key, module);
      try {
        return await Language.load(key);
      } finally {
        stand_ins.delete(key);
      }
    })();
    p.catch(() => languages.delete(id));
    languages.set(id, p);
  }
  return p;
}

/** Languages whose grammar is loaded now (status, tests). */
export function loadedGrammars(): LanguageId[] {
  return [...languages.keys()];
}

const parsers = new Map<LanguageId, Parser>();

/** One parser per language, reused: a parser holds its language and some wasm memory. */
export async function parserFor(id: LanguageId): Promise<Parser> {
  const language = await grammarFor(id);
  let parser = parsers.get(id);
  if (parser === undefined) {
    parser = new Parser();
    parser.setLanguage(language);
    parsers.set(id, parser);
  }
  return parser;
}
