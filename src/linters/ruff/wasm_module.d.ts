/** The compiled, not yet instantiated, ruff engine (see wasm_module.js). */
declare const ruffWasm: WebAssembly.Module;
export default ruffWasm;
