/* @ts-self-types="./grammar.d.ts" */
// See ../grammars.ts: a wasm source-phase import, embedded by deno compile, read without permission.
import source grammar from "@vscode/tree-sitter-wasm/wasm/tree-sitter-javascript.wasm";

export default grammar;
