/** A tree-sitter grammar or runtime, compiled and not yet instantiated (see ../grammars.ts). */
declare const grammar: WebAssembly.Module;
export default grammar;
