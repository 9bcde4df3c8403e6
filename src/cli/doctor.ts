/**
 * `code-review-mcp doctor [server options]`: says whether the server could work here, and
 * if not, why: version, root, the permissions Deno actually granted, the sandbox worker,
 * the linters and their versions, GitHub. Exit 1 when something the server needs fails.
 */
import { type Config, denoEnvReader, parseConfigArgs, resolveRoot } from "../config.ts";
import { SandboxClient } from "../sandbox/client.ts";
import { ENV_VARS, LINTER_BINARIES } from "../permissions.ts";
import { LINTERS, SUBPROCESS_LINTERS, type SubprocessLinter } from "../policy/commands.ts";
import { isEngineLoaded, RUFF_ENGINE_VERSION, warmUp } from "../linters/ruff/mod.ts";
import { SERVER_NAME, VERSION } from "../version.ts";
import { USER_AGENT } from "../github/raw_client.ts";
import { argvNamesRoot, readsEverything } from "./root_guard.ts";

export type Status = "ok" | "warn" | "fail" | "info";

/** One finding: a line of the report. */
export interface Check {
  status: Status;
  label: string;
  detail: string;
}

/** The parsed options, before the root is checked on disk. */
type ServerSettings = Omit<Config, "root">;

/** How long one linter may take to print its version, and GitHub to answer. */
const PROBE_TIMEOUT_MS = 10_000;

/**
 * The report as printed, one finding a line, status first so it lines up.
 *
 * @example formatCheck({ status: "ok", label: "root", detail: "/home/me/proj" }) === "ok    root: /home/me/proj"
 */
export function formatCheck(c: Check): string {
  return `${c.status.padEnd(5)} ${c.label}: ${c.detail}`;
}

/** The exit code for a report: 1 when any finding failed. */
export function exitCodeFor(checks: readonly Check[]): number {
  return checks.some((c) => c.status === "fail") ? 1 : 0;
}

/**
 * The first version-like number in a tool's `--version` output.
 *
 * @example versionIn("ShellCheck - shell script analysis tool\nversion: 0.9.0\n") === "0.9.0"
 */
export function versionIn(output: string): string | undefined {
  return output.match(/\d+\.\d+(?:\.\d+)?/)?.[0];
}

function state(desc: Deno.PermissionDescriptor): Deno.PermissionState | "error" {
  try {
    return Deno.permissions.querySync(desc).state;
  } catch {
    return "error";
  }
}

/**
 * What Deno granted, queried rather than assumed. Only a missing read of the root is fatal.
 * `standalone` says whether this is a compiled binary; an unscoped read under `deno run` (as
 * `deno task start` grants) is named as such, not as a binary.
 */
export function permissionChecks(
  config: Pick<Config, "githubNet">,
  root: string | undefined,
  standalone: boolean = Deno.build.standalone === true,
): Check[] {
  const checks: Check[] = [];
  const everything = state({ name: "read" }) === "granted";
  if (root !== undefined) {
    const r = state({ name: "read", path: root });
    checks.push({
      status: r === "granted" ? "ok" : "fail",
      label: "permission read",
      detail: everything
        ? `every path (${
          standalone ? "compiled binary" : "deno run with an unscoped --allow-read"
        }); the sandbox worker is narrowed to the root`
        : `${r} for the root`,
    });
  }
  const write = state({ name: "write" });
  const anyWrite = state({ name: "write", path: root ?? "/" });
  checks.push({
    status: write === "granted" || anyWrite === "granted" ? "warn" : "ok",
    label: "permission write",
    detail: write === "granted" || anyWrite === "granted"
      ? "granted (the server never writes; drop it)"
      : "none",
  });
  const net = state({ name: "net", host: config.githubNet });
  checks.push({
    status: net === "granted" ? "ok" : "warn",
    label: "permission net",
    detail: net === "granted"
      ? `${config.githubNet}`
      : `${config.githubNet} ${net}: fetch_github_file will fail`,
  });
  const run = LINTER_BINARIES.map((b) => `${b} ${state({ name: "run", command: b })}`);
  checks.push({ status: "info", label: "permission run", detail: run.join(", ") });
  const env = ENV_VARS.filter((v) => state({ name: "env", variable: v }) === "granted");
  checks.push({
    status: env.length === ENV_VARS.length ? "ok" : "warn",
    label: "permission env",
    detail: env.length === ENV_VARS.length
      ? `${env.length} variables`
      : `only ${env.join(",") || "none"} of ${ENV_VARS.join(",")}`,
  });
  for (const name of ["ffi", "sys"] as const) {
    const s = state({ name });
    checks.push({
      status: s === "granted" ? "warn" : "ok",
      label: `permission ${name}`,
      detail: s === "granted" ? "granted (not needed)" : "none",
    });
  }
  return checks;
}

/** Runs `binary --version` with a cleared environment, as the sandbox runs linters. */
async function probeLinter(linter: SubprocessLinter, pathValue: string): Promise<Check> {
  const spec = LINTERS[linter];
  const label = `linter ${linter}`;
  if (state({ name: "run", command: spec.binary }) !== "granted") {
    // Deno grants --allow-run=NAME only when NAME was found on PATH at start-up.
    return {
      status: "warn",
      label,
      detail: `${spec.binary} not found on PATH or not in --allow-run: ${spec.installHint}`,
    };
  }
  try {
    const out = await new Deno.Command(spec.binary, {
      args: ["--version"],
      clearEnv: true,
      env: { PATH: pathValue },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    const version = versionIn(text);
    if (!out.success || version === undefined) {
      return {
        status: "warn",
        label,
        detail: `${spec.binary} --version failed (exit ${out.code})`,
      };
    }
    return { status: "ok", label, detail: `${spec.binary} ${version}` };
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      return { status: "warn", label, detail: `not installed: ${spec.installHint}` };
    }
    return { status: "warn", label, detail: `${spec.binary} --version: ${(err as Error).message}` };
  }
}

async function probeRuff(): Promise<Check> {
  await warmUp();
  return isEngineLoaded()
    ? {
      status: "ok",
      label: "linter ruff",
      detail: `built in, engine ${RUFF_ENGINE_VERSION}, loads`,
    }
    : {
      status: "fail",
      label: "linter ruff",
      detail: `built-in engine ${RUFF_ENGINE_VERSION} failed to load`,
    };
}

/** Starts the real sandbox worker on the root and asks it to list one entry. */
async function probeSandbox(
  config: ServerSettings,
  root: string,
): Promise<{ check: Check; sandbox: SandboxClient }> {
  const sandbox = new SandboxClient({
    root,
    net: config.githubNet,
    run: [...LINTER_BINARIES],
    callTimeoutMs: 30_000,
    allowHardLinks: config.allowHardLinks,
  });
  try {
    const r = await sandbox.listDirectory(".", 1);
    if (!r.ok) {
      return {
        sandbox,
        check: { status: "fail", label: "sandbox", detail: `cannot list the root: ${r.reason}` },
      };
    }
    return {
      sandbox,
      check: {
        status: "ok",
        label: "sandbox",
        detail: "worker started, narrowed to the root, lists it",
      },
    };
  } catch (err) {
    return {
      sandbox,
      check: {
        status: "fail",
        label: "sandbox",
        detail: `worker failed: ${(err as Error).message}`,
      },
    };
  }
}

async function probeGitHub(config: ServerSettings, sandbox: SandboxClient): Promise<Check> {
  const url = `${config.githubRawBase}/`;
  try {
    const r = await sandbox.fetchRaw({
      op: "fetchRaw",
      url,
      headers: { "User-Agent": USER_AGENT },
      timeoutMs: PROBE_TIMEOUT_MS,
      maxBytes: 4096,
    });
    return {
      status: "ok",
      label: "github",
      detail: `${config.githubRawBase} reachable (HTTP ${r.status})`,
    };
  } catch (err) {
    const msg = (err as Error).message.replace(/\s+/g, " ");
    return {
      status: "warn",
      label: "github",
      detail: `${config.githubRawBase} unreachable: fetch_github_file will fail (${msg})`,
    };
  }
}

/** Every check, in report order. Never throws. */
export async function runDoctor(
  argv: string[],
  env = denoEnvReader,
  cwd = Deno.cwd(),
): Promise<{ checks: Check[]; usageError?: string }> {
  const parsed = parseConfigArgs(argv, env, cwd);
  if (!parsed.ok) return { checks: [], usageError: parsed.reason };
  const config: ServerSettings = parsed.value.config;
  const mode = Deno.build.standalone === true ? "compiled binary" : "deno run";
  const checks: Check[] = [
    {
      status: "info",
      label: "version",
      detail:
        `${SERVER_NAME} ${VERSION} (${mode}, deno ${Deno.version.deno}, ruff engine ${RUFF_ENGINE_VERSION})`,
    },
  ];
  const root = await resolveRoot(config.rootArg);
  if (!root.ok) checks.push({ status: "fail", label: "root", detail: root.reason });
  else {
    const defaulted = !argvNamesRoot(argv) && !env("CODE_REVIEW_ROOT") && readsEverything();
    checks.push({
      status: defaulted ? "warn" : "ok",
      label: "root",
      detail: defaulted
        ? `${root.value} (defaulted to the current folder: the server itself will require --root)`
        : root.value,
    });
  }
  checks.push(...permissionChecks(config, root.ok ? root.value : undefined));
  for (const linter of config.linters) {
    checks.push(
      linter === "ruff"
        ? await probeRuff()
        : await probeLinter(linter as SubprocessLinter, config.linterPath),
    );
  }
  if (
    !config.linters.some((l) =>
      l === "ruff" || (SUBPROCESS_LINTERS as readonly string[]).includes(l)
    )
  ) {
    checks.push({ status: "warn", label: "linters", detail: "none enabled" });
  }
  if (root.ok) {
    const { check, sandbox } = await probeSandbox(config, root.value);
    checks.push(check);
    if (check.status === "ok") checks.push(await probeGitHub(config, sandbox));
    sandbox.close();
  }
  return { checks };
}

/** The subcommand: prints the report on stdout; returns 0, 1 (something failed) or 2 (bad flag). */
export async function doctorCommand(argv: string[]): Promise<number> {
  const { checks, usageError } = await runDoctor(argv);
  if (usageError !== undefined) {
    console.error(`${SERVER_NAME} doctor: ${usageError}`);
    return 2;
  }
  for (const c of checks) console.log(formatCheck(c));
  const code = exitCodeFor(checks);
  console.log(
    code === 0
      ? "The server can work here."
      : "The server cannot work here: see the failures above.",
  );
  return code;
}
