/**
 * `code-review-mcp config CLIENT [--root DIR] [--name NAME]`: prints a ready entry for
 * an MCP client, launching this very program (the binary, or main.ts under `deno run`)
 * on an absolute root. The entry goes to stdout; where to paste it goes to stderr.
 */
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { EnvReader } from "../config.ts";
import { fail, ok, type Result } from "../result.ts";
import {
  clientConfigLocation,
  clientEntry,
  type ClientName,
  CLIENTS,
  DENO_NPM_SPEC,
  type EntryOs,
  expandLocation,
  launchFor,
  type Runner,
} from "./client_entries.ts";

export const CONFIG_USAGE =
  `Usage: code-review-mcp config CLIENT [--root DIR] [--name NAME] [--no-npx]

Prints an entry that starts this server for one project, with absolute paths.
CLIENT: ${CLIENTS.join(", ")}
  --root DIR   the project (CODE_REVIEW_ROOT; default: the current folder); it must exist,
               and the entry names its real path
  --name NAME  the server's name in the client (default: code-review)
  --no-npx     start Deno by the absolute path of the one running now instead of through
               \`npx -y ${DENO_NPM_SPEC}\`, which adds about half a second to every start
               (keep that Deno where it is: a permanent install, not npx's cache)`;

/** The program now running: a compiled binary, or this checkout's main.ts (with this Deno, for --no-npx). */
export function currentRunner(noNpx = false): Runner {
  if (Deno.build.standalone === true) return { kind: "binary", execPath: Deno.execPath() };
  const appDir = fileURLToPath(new URL("../../", import.meta.url)).replace(/[\\/]$/, "");
  return noNpx ? { kind: "deno-run", appDir, deno: Deno.execPath() } : { kind: "deno-run", appDir };
}

/**
 * The root's real path (symlinks resolved: Deno's permissions and the server's sandbox name
 * real paths, so an entry naming `/tmp/p` where /tmp is a link would not start). A root that
 * does not exist, is not a folder, or cannot be checked under this process's permissions is refused.
 */
export async function absoluteRoot(
  rootArg: string,
  cwd: string,
): Promise<Result<string>> {
  const abs = path.resolve(cwd, rootArg);
  try {
    const real = await Deno.realPath(abs);
    if (!(await Deno.stat(real)).isDirectory) {
      return fail(`--root: ${JSON.stringify(rootArg)} is not a directory`);
    }
    return ok(real);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      return fail(`--root: ${JSON.stringify(rootArg)} does not exist`);
    }
    if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
      return fail(
        `--root: cannot check ${
          JSON.stringify(abs)
        }: Deno may not read it (run \`deno task start config ...\`, or name it in --allow-read)`,
      );
    }
    return fail(
      `--root: cannot resolve ${JSON.stringify(rootArg)}: ${
        (e as Error).message.replace(/\s+/g, " ")
      }`,
    );
  }
}

/**
 * Runs the subcommand; returns the exit code (2 for a usage error, as for the server's flags).
 * `os` is the running OS (a parameter so the Windows and macOS output is tested everywhere).
 */
export async function configCommand(
  argv: string[],
  env: EnvReader,
  cwd: string,
  os: EntryOs = Deno.build.os,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        root: { type: "string" },
        name: { type: "string" },
        "no-npx": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    console.error(`code-review-mcp config: ${(err as Error).message.replace(/\s+/g, " ")}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(CONFIG_USAGE);
    return 0;
  }
  const [client, ...rest] = parsed.positionals;
  if (client === undefined || rest.length > 0 || !(CLIENTS as readonly string[]).includes(client)) {
    console.error(
      `code-review-mcp config: expected one client (${CLIENTS.join(", ")}), got ${
        JSON.stringify(parsed.positionals.join(" "))
      }`,
    );
    return 2;
  }
  const name = parsed.values.name ?? "code-review";
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) {
    console.error(
      `code-review-mcp config: --name: letters, digits, "_", "." and "-" only, got ${
        JSON.stringify(name)
      }`,
    );
    return 2;
  }
  const fromEnv = env("CODE_REVIEW_ROOT");
  const root = await absoluteRoot(parsed.values.root ?? (fromEnv || cwd), cwd);
  if (!root.ok) {
    console.error(`code-review-mcp config: ${root.reason}`);
    return 2;
  }
  if (root.value.includes(",")) {
    console.error(
      "code-review-mcp config: --root: a root containing a comma cannot be named in --allow-read",
    );
    return 2;
  }
  const c = client as ClientName;
  const launch = launchFor(currentRunner(parsed.values["no-npx"] === true), root.value, os);
  console.log(clientEntry(c, name, launch, os));
  const where = clientConfigLocation(c, os);
  const spelled = expandLocation(where, os, (k) => env(k) || undefined);
  console.error(`# ${c}: ${where}${spelled !== where ? `\n#   here: ${spelled}` : ""}`);
  return 0;
}
