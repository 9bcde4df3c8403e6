/* @ts-self-types="./grammar.d.ts" */
// See ../grammars.ts: a wasm source-phase import, embedded by deno compile, read without permission.
import source grammar from "web-tree-sitter/tree-sitter.wasm";

export default grammar;
