/**
 * The project's own linter choice (src/linters/project_linters.ts), from its root configuration
 * files read through the sandbox. Shared by review_changes and run_linter.
 */
import {
  PROJECT_CONFIG_NAMES,
  type ProjectLinters,
  projectLinters,
} from "../linters/project_linters.ts";
import type { ToolContext } from "./types.ts";

const MAX_CONFIG_BYTES = 1024 * 1024;

/** Reads the candidate configuration files at the root (absent ones read as null) and decides. */
export async function readProjectLinters(ctx: ToolContext): Promise<ProjectLinters> {
  const files = await Promise.all(PROJECT_CONFIG_NAMES.map(async (name) => {
    const r = await ctx.sandbox.readFile(
      { path: name, maxBytes: MAX_CONFIG_BYTES, maxOutputBytes: MAX_CONFIG_BYTES },
      ctx.signal,
    );
    return { name, text: r.ok ? r.value.text : null };
  }));
  return projectLinters(files, ctx.config.linters);
}
