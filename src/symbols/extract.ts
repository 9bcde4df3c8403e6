/**
 * From a file's text to its symbols: parse with the language's grammar, run our definition
 * queries, and shape each match into a definition with kind, lines, signature, first doc line
 * and its place in the nesting. References are found from the text's whole-word occurrences,
 * each kept only when the syntax tree says it is an identifier (so never in a comment or string).
 */
import { type Language, type Node, Query, type Tree } from "web-tree-sitter";
import type { LanguageId } from "./languages.ts";
import { grammarFor, parserFor } from "./grammars.ts";
import {
  BRANCH_OPERATORS,
  BRANCH_TYPES,
  DEFINITION_PATTERNS,
  IDENTIFIER_TYPES,
  type SymbolKind,
} from "./queries.ts";

/** One definition. Lines are 1-based; `parent` indexes the same file's list (-1 at top level). */
export interface Definition {
  name: string;
  kind: SymbolKind;
  /** The line of the name (as ctags gives it). */
  line: number;
  /** Column of the name, 1-based. */
  column: number;
  /** First line of the definition, decorators and attributes included. */
  start: number;
  /** Last line of the definition. */
  end: number;
  signature: string;
  /** The first line of its docstring or leading doc comment. */
  doc?: string;
  parent: number;
  /** The type a method is declared for outside its body: a Go receiver, C++ `A::f`'s A. */
  scope?: string;
  /** Cyclomatic complexity, for functions and methods, when asked for. */
  complexity?: number;
}

export interface ParsedFile {
  language: LanguageId;
  definitions: Definition[];
  /** True when the tree has syntax errors (definitions found are still given). */
  syntaxErrors: boolean;
}

/** A parse that ran past this is abandoned and the file skipped with a note. */
export const PARSE_TIMEOUT_MS = 2_000;
const SIGNATURE_CHARS = 200;
const DOC_CHARS = 160;

const CLASS_LIKE: ReadonlySet<SymbolKind> = new Set([
  "class",
  "struct",
  "interface",
  "trait",
  "impl",
  "enum",
]);
/** Nodes that wrap a definition without being one: its decorators and doc comment sit outside them. */
const WRAPPERS: ReadonlySet<string> = new Set([
  "decorated_definition",
  "export_statement",
  "template_declaration",
  "lexical_declaration",
  "variable_declaration",
  "ambient_declaration",
]);
/** Siblings between a doc comment and what it documents. */
const ATTRIBUTE_TYPES: ReadonlySet<string> = new Set([
  "attribute_item",
  "inner_attribute_item",
  "decorator",
  "attribute_list",
  "marker_annotation",
  "annotation",
]);

const queries = new Map<LanguageId, Query>();

async function definitionQuery(id: LanguageId): Promise<[Language, Query]> {
  const language = await grammarFor(id);
  let q = queries.get(id);
  if (q === undefined) {
    q = new Query(language, DEFINITION_PATTERNS[id].join("\n"));
    queries.set(id, q);
  }
  return [language, q];
}

/** Patterns of a language that do not compile against its grammar (a test demands none). */
export async function brokenPatterns(id: LanguageId): Promise<string[]> {
  const language = await grammarFor(id);
  const broken: string[] = [];
  for (const p of DEFINITION_PATTERNS[id]) {
    try {
      new Query(language, p).delete();
    } catch (e) {
      broken.push(`${p}: ${e instanceof Error ? e.message : e}`);
    }
  }
  return broken;
}

/**
 * An annotation macro at the start of a C or C++ line (`FMT_CONSTEXPR void f()`, `GTEST_API_
 * class X`): the grammar has no preprocessor and parses such a declaration with errors. An upper-case
 * name with an underscore, followed by a declaration, is blanked for parsing; every position stays.
 */
const ANNOTATION_MACRO = /^([ \t]*)([A-Z][A-Z0-9]*_[A-Z0-9_]*)(?=[ \t]+[A-Za-z_~])/gm;

/** The text the grammar parses: C and C++ with annotation macros blanked, others unchanged. */
export function parseInput(id: LanguageId, text: string): string {
  if (id !== "c" && id !== "cpp") return text;
  return text.replace(
    ANNOTATION_MACRO,
    (_m, indent: string, name: string) => indent + " ".repeat(name.length),
  );
}

/** Parses a text; null when the parse ran past its time limit. The caller deletes the tree. */
export async function parseText(id: LanguageId, text: string): Promise<Tree | null> {
  const parser = await parserFor(id);
  const deadline = performance.now() + PARSE_TIMEOUT_MS;
  const tree = parser.parse(parseInput(id, text), null, {
    progressCallback: () => performance.now() > deadline,
  });
  parser.reset();
  return tree;
}

/**
 * A copy of a string that does not keep the file's text alive: V8 may represent a slice of 13 or
 * more characters as a view into the whole source, which an index would then hold per file.
 */
export function own(s: string): string {
  return s.length < 13 ? s : (s + " ").slice(0, -1);
}

const collapse = (s: string) => own(s.replace(/\s+/g, " ").trim());
const cap = (s: string, n: number) => (s.length > n ? s.slice(0, n - 1) + "…" : s);

/** The bare name of a declarator or type: `A::f` -> f, `*f(int)` -> f, `Foo<T>` -> Foo. */
function bareName(node: Node): string {
  let n: Node | null = node;
  for (let i = 0; i < 16 && n; i++) {
    switch (n.type) {
      case "function_declarator":
      case "pointer_declarator":
      case "reference_declarator":
      case "array_declarator":
      case "parenthesized_declarator":
      case "attributed_declarator":
        n = n.childForFieldName("declarator") ?? n.namedChild(0);
        continue;
      case "qualified_identifier":
      case "qualified_type":
      case "template_function":
      case "template_type":
      case "scoped_identifier":
      case "scoped_type_identifier":
      case "scope_resolution":
        n = n.childForFieldName("name") ?? n.lastNamedChild;
        continue;
      case "generic_type":
        n = n.childForFieldName("type") ?? n.namedChild(0);
        continue;
    }
    break;
  }
  return n ? n.text : node.text;
}

function isQualified(node: Node): boolean {
  let n: Node | null = node;
  for (let i = 0; i < 16 && n; i++) {
    if (n.type === "qualified_identifier") return true;
    n = n.childForFieldName("declarator");
  }
  return false;
}

function anchorOf(node: Node): Node {
  let a = node;
  while (a.parent && WRAPPERS.has(a.parent.type)) a = a.parent;
  return a;
}

function signatureOf(node: Node, text: string): string {
  const value = node.childForFieldName("value");
  const body = node.childForFieldName("body") ?? value?.childForFieldName("body");
  let sig: string;
  if (body && body.startIndex > node.startIndex) {
    sig = text.slice(node.startIndex, body.startIndex);
  } else {
    const t = node.text;
    const nl = t.indexOf("\n");
    sig = nl === -1 ? t : t.slice(0, nl);
  }
  // One line: "def f(\n    a,\n    b,\n):" reads "def f(a, b)".
  sig = collapse(sig).replace(/\s*[{:]$/, "").replace(/([([]) /g, "$1").replace(
    /,? ([)\]])/g,
    "$1",
  );
  return own(cap(sig, SIGNATURE_CHARS));
}

function firstTextLine(s: string): string | undefined {
  for (const line of s.split("\n")) {
    const t = line.trim();
    if (t !== "") return own(cap(t, DOC_CHARS));
  }
  return undefined;
}

function stripCommentMarkers(comment: string): string {
  return comment
    .split("\n")
    .map((l) =>
      l.trim()
        .replace(/^(\/\*\*?|\*\/|\*|\/\/\/?!?|#+|--)\s?/, "")
        .replace(/\*\/$/, "")
        .trim()
    )
    .join("\n");
}

function docOf(id: LanguageId, node: Node, anchor: Node): string | undefined {
  if (id === "python") {
    const body = node.childForFieldName("body");
    const first = body?.namedChild(0);
    if (first?.type === "expression_statement" && first.namedChild(0)?.type === "string") {
      const s = first.namedChild(0)!;
      const content = s.namedChildren.filter((c) => c?.type === "string_content")
        .map((c) => c!.text).join("");
      return firstTextLine(content);
    }
    return undefined;
  }
  let prev = anchor.previousNamedSibling;
  let row = anchor.startPosition.row;
  while (prev && ATTRIBUTE_TYPES.has(prev.type)) {
    row = prev.startPosition.row;
    prev = prev.previousNamedSibling;
  }
  let top: Node | undefined;
  while (prev && prev.type.includes("comment") && prev.endPosition.row >= row - 1) {
    top = prev;
    row = prev.startPosition.row;
    prev = prev.previousNamedSibling;
  }
  if (!top) return undefined;
  // The block's text from its first comment: the summary line comes first.
  let text = top.text;
  for (let n = top.nextNamedSibling; n && n.type.includes("comment"); n = n.nextNamedSibling) {
    if (n.startIndex >= anchor.startIndex) break;
    text += "\n" + n.text;
  }
  return firstTextLine(stripCommentMarkers(text));
}

/** Cyclomatic complexity of a function node: 1 + its branches, not counting nested functions. */
export function complexityOf(node: Node, isFunction: (n: Node) => boolean): number {
  let count = 1;
  const cursor = node.walk();
  // Depth-first over the node's subtree, skipping nested function bodies.
  let descend = true;
  for (;;) {
    if (descend && cursor.gotoFirstChild()) {
      const n = cursor.currentNode;
      descend = !isFunction(n);
      if (descend) count += branchWeight(n);
      continue;
    }
    if (cursor.currentNode.id !== node.id && cursor.gotoNextSibling()) {
      const n = cursor.currentNode;
      descend = !isFunction(n);
      if (descend) count += branchWeight(n);
      continue;
    }
    // Up until a sibling exists.
    let moved = false;
    while (cursor.gotoParent()) {
      if (cursor.currentNode.id === node.id) break;
      if (cursor.gotoNextSibling()) {
        const n = cursor.currentNode;
        descend = !isFunction(n);
        if (descend) count += branchWeight(n);
        moved = true;
        break;
      }
    }
    if (!moved) break;
  }
  cursor.delete();
  return count;
}

function branchWeight(n: Node): number {
  if (BRANCH_TYPES.has(n.type)) return n.isNamed ? 1 : 0;
  if (
    (n.type === "binary_expression" || n.type === "boolean_operator" ||
      n.type === "binary") && BRANCH_OPERATORS.has(n.childForFieldName("operator")?.type ?? "")
  ) return 1;
  return 0;
}

/** The definitions of a parsed tree, in source order, nested by `parent`. */
export async function definitionsOf(
  id: LanguageId,
  tree: Tree,
  text: string,
  options: {
    complexity?: boolean;
    /** Filled with each definition's node (by index) and every matched node's id, for complexityAt. */
    nodes?: DefinitionNodes;
  } = {},
): Promise<Definition[]> {
  const [, query] = await definitionQuery(id);
  interface Raw {
    node: Node;
    nameNode: Node;
    kind: SymbolKind;
    pattern: number;
  }
  const byNode = new Map<number, Raw>();
  // Bounded like the parse: a pathological tree cannot hold the worker (past it, no matches).
  for (const m of query.matches(tree.rootNode, { timeoutMicros: PARSE_TIMEOUT_MS * 1000 })) {
    let node: Node | undefined;
    let nameNode: Node | undefined;
    let kind: SymbolKind | undefined;
    for (const c of m.captures) {
      if (c.name === "name") nameNode = c.node;
      else {
        node = c.node;
        kind = c.name as SymbolKind;
      }
    }
    if (!node || !nameNode || !kind) continue;
    const prior = byNode.get(node.id);
    if (prior && prior.pattern <= m.patternIndex) continue;
    byNode.set(node.id, { node, nameNode, kind, pattern: m.patternIndex });
  }
  if (options.nodes) { for (const k of byNode.keys()) options.nodes.matched.add(k); }
  const raws = [...byNode.values()].filter((r) => keep(id, r.node, r.nameNode, r.kind));
  raws.sort((a, b) => a.node.startIndex - b.node.startIndex || b.node.endIndex - a.node.endIndex);
  const defs: Definition[] = [];
  const ends: number[] = [];
  const stack: number[] = [];
  for (const r of raws) {
    while (stack.length > 0 && ends[stack[stack.length - 1]!]! <= r.node.startIndex) stack.pop();
    // A definition must lie wholly inside its parent (tree nodes nest; this guards odd grammars).
    while (stack.length > 0 && ends[stack[stack.length - 1]!]! < r.node.endIndex) stack.pop();
    const parent = stack.length > 0 ? stack[stack.length - 1]! : -1;
    let kind = r.kind;
    const parentKind = parent >= 0 ? defs[parent]!.kind : undefined;
    if (kind === "function") {
      if (parentKind && CLASS_LIKE.has(parentKind)) kind = "method";
      else if (parentKind === "module" && id === "ruby") kind = "method";
      else if (id === "cpp" && isQualified(r.node.childForFieldName("declarator") ?? r.nameNode)) {
        kind = "method";
      }
    }
    const anchor = anchorOf(r.node);
    let name = id === "c" || id === "cpp" || id === "rust" || id === "ruby"
      ? bareName(r.nameNode)
      : r.nameNode.text;
    if (r.node.type === "operator_declaration") name = `operator ${name}`;
    if (id === "cpp") name = operatorName(name);
    const def: Definition = {
      name: collapse(name),
      kind,
      line: r.nameNode.startPosition.row + 1,
      column: r.nameNode.startPosition.column + 1,
      start: anchor.startPosition.row + 1,
      end: r.node.endPosition.row + 1 -
        (r.node.endPosition.column === 0 && r.node.endPosition.row > r.node.startPosition.row
          ? 1
          : 0),
      signature: signatureOf(r.node, text),
      parent,
    };
    const scope = parent < 0 ? scopeOf(id, r.node) : undefined;
    if (scope) def.scope = scope;
    const doc = docOf(id, r.node, anchor);
    if (doc !== undefined) def.doc = doc;
    if (options.complexity && (kind === "function" || kind === "method")) {
      def.complexity = complexityOf(r.node, (n) => n.id !== r.node.id && byNode.has(n.id));
    }
    defs.push(def);
    options.nodes?.nodes.push(r.node);
    ends.push(r.node.endIndex);
    stack.push(defs.length - 1);
  }
  return defs;
}

/**
 * C++ operators named as universal-ctags names them: "operator ==", "operator ()", "operator int".
 *
 * @example operatorName("operator==") === "operator =="; operatorName("operator int() const") === "operator int"
 */
export function operatorName(text: string): string {
  const t = text.replace(/\s+/g, " ").trim();
  if (!/^operator\b|^operator[^\w]/.test(t)) return text;
  let rest = t.slice("operator".length).trim();
  if (rest.startsWith("()")) return "operator ()";
  const paren = rest.indexOf("(");
  if (paren > 0) rest = rest.slice(0, paren).trim();
  return own(`operator ${rest}`);
}

/** The receiver type of a Go method, or the qualifier of a C++ out-of-class definition. */
function scopeOf(id: LanguageId, node: Node): string | undefined {
  if (id === "go" && node.type === "method_declaration") {
    const recv = node.childForFieldName("receiver")?.namedChild(0)?.childForFieldName("type");
    if (!recv) return undefined;
    return own(recv.text.replace(/^\*/, "").replace(/\[.*$/, ""));
  }
  if (id === "cpp" && node.type === "function_definition") {
    let n: Node | null = node.childForFieldName("declarator");
    for (let i = 0; i < 16 && n; i++) {
      if (n.type === "qualified_identifier") {
        const q = n.childForFieldName("scope")?.text.replace(/<.*>$/, "");
        return q === undefined ? undefined : own(q);
      }
      n = n.childForFieldName("declarator");
    }
  }
  return undefined;
}

const UPPER_CASE = /^_*[A-Z][A-Z0-9_]*$/;

/** Filters matches that are not definitions worth listing (e.g. a Python lower-case module global). */
function keep(id: LanguageId, node: Node, nameNode: Node, kind: SymbolKind): boolean {
  if (kind !== "constant") return true;
  if (id === "python") return UPPER_CASE.test(nameNode.text);
  if (id === "javascript" || id === "typescript" || id === "tsx") {
    const decl = node.parent;
    if (decl?.child(0)?.type !== "const") return false;
    const value = node.childForFieldName("value");
    if (
      value?.type === "call_expression" && value.childForFieldName("function")?.text === "require"
    ) {
      return false;
    }
    return true;
  }
  return true;
}

/** The tree nodes behind a list of definitions (valid while their tree is). */
export interface DefinitionNodes {
  /** The node of definition i. */
  nodes: Node[];
  /** Ids of every node the definitions query matched (nested definitions, for complexity). */
  matched: Set<number>;
}

/**
 * Parses, extracts, and lets `use` read the definitions and, for any it picks, the cyclomatic
 * complexity (as `complexity: true` would give it), before the tree is deleted: complexity walks
 * a function's whole body, so computing it only where it is wanted saves about 40% of a parse
 * (a review asks it of changed functions only). Null when the parse timed out.
 */
export async function withDefinitions<T>(
  id: LanguageId,
  text: string,
  use: (definitions: Definition[], complexityAt: (index: number) => number) => T | Promise<T>,
): Promise<T | null> {
  const tree = await parseText(id, text);
  if (!tree) return null;
  try {
    const nodes: DefinitionNodes = { nodes: [], matched: new Set() };
    const definitions = await definitionsOf(id, tree, text, { nodes });
    // Awaited here: the tree must outlive whatever `use` does with it.
    return await use(definitions, (i) => {
      const node = nodes.nodes[i]!;
      return complexityOf(node, (n) => n.id !== node.id && nodes.matched.has(n.id));
    });
  } finally {
    tree.delete();
  }
}

/** Parses and extracts in one step, deleting the tree; null when the parse timed out. */
export async function parseDefinitions(
  id: LanguageId,
  text: string,
  options: { complexity?: boolean } = {},
): Promise<ParsedFile | null> {
  const tree = await parseText(id, text);
  if (!tree) return null;
  try {
    return {
      language: id,
      definitions: await definitionsOf(id, tree, text, options),
      syntaxErrors: tree.rootNode.hasError,
    };
  } finally {
    tree.delete();
  }
}

/** One syntactic reference: a whole-word occurrence that the tree says is an identifier. */
export interface Reference {
  line: number;
  column: number;
  /** Index of the innermost definition around it, -1 at top level. */
  enclosing: number;
  /** True when this occurrence is the name of a definition. */
  definition: boolean;
  /** The line's text. */
  text: string;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The word's positions in a text, whole words only (identifier characters on neither side). */
export function wordPattern(name: string): RegExp {
  return new RegExp(`(?<![\\p{L}\\p{N}_$])${escapeRegExp(name)}(?![\\p{L}\\p{N}_$])`, "gu");
}

/** References to `name` in a parsed tree, with their enclosing definitions from `defs`. */
export function referencesIn(
  id: LanguageId,
  tree: Tree,
  text: string,
  name: string,
  defs: readonly Definition[],
  max: number,
): Reference[] {
  const types = new Set(IDENTIFIER_TYPES[id]);
  const out: Reference[] = [];
  const re = wordPattern(name);
  let line = 1;
  let lineStart = 0;
  let scanned = 0;
  for (const m of text.matchAll(re)) {
    const at = m.index!;
    for (let i = text.indexOf("\n", scanned); i !== -1 && i < at; i = text.indexOf("\n", i + 1)) {
      line++;
      lineStart = i + 1;
    }
    scanned = at;
    const node = tree.rootNode.descendantForIndex(at, at + name.length);
    if (!node || !types.has(node.type) || node.startIndex !== at || node.text !== name) continue;
    const column = at - lineStart + 1;
    let enclosing = -1;
    let definition = false;
    for (let i = 0; i < defs.length; i++) {
      const d = defs[i]!;
      if (d.line === line && d.column === column && d.name === name) definition = true;
      if (d.start <= line && line <= d.end) enclosing = i; // later ones are nested deeper
    }
    if (definition) {
      // The definition's own name belongs to its parent's scope.
      const own = defs.findIndex((d) => d.line === line && d.column === column);
      enclosing = own >= 0 ? defs[own]!.parent : enclosing;
    }
    const nl = text.indexOf("\n", lineStart);
    out.push({
      line,
      column,
      enclosing,
      definition,
      text: text.slice(lineStart, nl === -1 ? text.length : nl).replace(/\r$/, ""),
    });
    if (out.length >= max) break;
  }
  return out;
}
