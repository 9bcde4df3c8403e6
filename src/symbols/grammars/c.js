/* @ts-self-types="./grammar.d.ts" */
// See ../grammars.ts: a wasm source-phase import, embedded by deno compile, read without permission.
import source grammar from "tree-sitter-c/tree-sitter-c.wasm";

export default grammar;
