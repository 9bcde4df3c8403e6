/**
 * The subcommands that are not the server: `config`, `doctor`, `healthcheck`. main.ts
 * asks here first; anything else on the command line is the server's own options.
 */
import { denoEnvReader } from "../config.ts";
import { configCommand } from "./config_cmd.ts";
import { doctorCommand } from "./doctor.ts";
import { healthcheckCommand } from "./healthcheck.ts";

export const SUBCOMMANDS = ["config", "doctor", "healthcheck"] as const;

/** Runs the subcommand argv[0] names and returns its exit code; undefined when there is none. */
export async function runSubcommand(argv: string[], cwd: string): Promise<number | undefined> {
  const [first, ...rest] = argv;
  switch (first) {
    case "config":
      return await configCommand(rest, denoEnvReader, cwd);
    case "doctor":
      return await doctorCommand(rest);
    case "healthcheck":
      return await healthcheckCommand(rest, denoEnvReader);
    default:
      return undefined;
  }
}
