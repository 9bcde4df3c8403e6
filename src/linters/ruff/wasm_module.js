/* @ts-self-types="./wasm_module.d.ts" */
// The compiled ruff engine, taken from the module graph rather than fetched or read at run
// time: a wasm source-phase import needs no permission (the sandbox worker has no read access
// to Deno's npm cache) and is embedded by `deno compile`. Plain JS because TypeScript cannot
// parse `import source` yet. Imported dynamically by engine.ts, so compiling happens on first use.
import source ruffWasm from "@astral-sh/ruff-wasm-web/ruff_wasm_bg.wasm";

export default ruffWasm;
