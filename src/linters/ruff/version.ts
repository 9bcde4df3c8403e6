/**
 * The pinned version of the built-in ruff engine (npm @astral-sh/ruff-wasm-web, equal to
 * ruff's own `Workspace.version()`; a test keeps the three in step). A module of its own, so
 * --version can show it without loading the engine or its bindings.
 */
export const RUFF_ENGINE_VERSION = "0.16.9";
