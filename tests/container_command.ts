/** The deno-run image's command line, derived from the permission module (Containerfile tests share it). */
import { CONTAINER, denoContainerFlags } from "../src/permissions.ts";

/** Flags the deno-run image adds that are not permissions: cached dependencies only, lock and config fixed. */
export const DENO_IMAGE_RUN_FLAGS = [
  "--cached-only",
  "--frozen",
  `--config=${CONTAINER.app}/deno.json`,
];

/** The deno-run image's command line before any subcommand or server option. */
export function denoImageCommand(): string[] {
  return [
    "/deno",
    "run",
    ...denoContainerFlags(),
    ...DENO_IMAGE_RUN_FLAGS,
    `${CONTAINER.app}/main.ts`,
  ];
}
