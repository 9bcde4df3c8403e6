/**
 * The subcommands that are not the server: `config`, `doctor`, `healthcheck`, `help`,
 * `version`. main.ts asks here first; anything else on the command line is the server's
 * own options. Each subcommand's module is imported only when it runs, so a server start
 * never loads them.
 */
import { denoEnvReader, USAGE } from "../config.ts";
import { SERVER_NAME, VERSION } from "../version.ts";
import { RUFF_ENGINE_VERSION } from "../linters/ruff/version.ts";

export const SUBCOMMANDS = ["config", "doctor", "healthcheck", "help", "version"] as const;
export type Subcommand = typeof SUBCOMMANDS[number];

/** What `--version` and `version` print. */
export function versionLine(): string {
  return `${SERVER_NAME} ${VERSION} (ruff engine ${RUFF_ENGINE_VERSION}, deno ${Deno.version.deno})`;
}

export const DOCTOR_USAGE = `Usage: ${SERVER_NAME} doctor [server options]

Says whether the server could work here, and if not, why: version, root, the permissions
Deno granted, the sandbox worker, each linter and its version, GitHub. Takes the server's
own options (--root, --linters, ...; see \`${SERVER_NAME} --help\`). Exit 1 when something
the server needs fails.`;

export const HEALTHCHECK_USAGE = `Usage: ${SERVER_NAME} healthcheck [--host H] [--port N]

Exit 0 when the HTTP server on this machine answers its /health endpoint, 1 otherwise
(the container image's HEALTHCHECK). --host and --port default to CODE_REVIEW_HOST and
CODE_REVIEW_PORT, then 127.0.0.1 and 8000.`;

const isHelp = (a: string) => a === "--help" || a === "-h";

/** The usage text of one subcommand (the server's own for `help` and `version`). */
async function usageOf(sub: Subcommand): Promise<string> {
  switch (sub) {
    case "config":
      return (await import("./config_cmd.ts")).CONFIG_USAGE;
    case "doctor":
      return DOCTOR_USAGE;
    case "healthcheck":
      return HEALTHCHECK_USAGE;
    case "help":
    case "version":
      return USAGE;
  }
}

/** Runs the subcommand argv[0] names and returns its exit code; undefined when there is none. */
export async function runSubcommand(argv: string[], cwd: string): Promise<number | undefined> {
  const [first, ...rest] = argv;
  if (!(SUBCOMMANDS as readonly string[]).includes(first ?? "")) return undefined;
  const sub = first as Subcommand;
  // `SUB --help` prints help and does nothing else, whatever else is on the line.
  if (sub !== "help" && rest.some(isHelp)) {
    console.log(await usageOf(sub));
    return 0;
  }
  switch (sub) {
    case "config":
      return await (await import("./config_cmd.ts")).configCommand(rest, denoEnvReader, cwd);
    case "doctor":
      return await (await import("./doctor.ts")).doctorCommand(rest);
    case "healthcheck":
      return await (await import("./healthcheck.ts")).healthcheckCommand(rest, denoEnvReader);
    case "version":
      if (rest.length > 0) {
        return usageError(`version: takes no arguments, got ${JSON.stringify(rest.join(" "))}`);
      }
      console.log(versionLine());
      return 0;
    case "help": {
      const [topic, ...more] = rest;
      if (topic === undefined || isHelp(topic)) {
        console.log(USAGE);
        return 0;
      }
      if (more.length > 0 || !(SUBCOMMANDS as readonly string[]).includes(topic)) {
        return usageError(
          `help: expected one of ${SUBCOMMANDS.join(", ")}, got ${JSON.stringify(rest.join(" "))}`,
        );
      }
      console.log(await usageOf(topic as Subcommand));
      return 0;
    }
  }
}

function usageError(message: string): number {
  console.error(`${SERVER_NAME} ${message}`);
  return 2;
}
