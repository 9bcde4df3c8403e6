/**
 * `deno task compile [--target TRIPLE]... [--out DIR]`: standalone binaries for every
 * release target with the permission module's flags baked in, their archives, and
 * SHA256SUMS. Where a target has no Deno runtime (denort) it stops with one line saying
 * what it needs, before building anything.
 */
import * as path from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { SERVER_NAME, VERSION } from "../src/version.ts";
import { compileArgs } from "./lib/compile_args.ts";
import {
  denoInfo,
  downloadHostReachable,
  findRuntime,
  inspectDenortBin,
  missingRuntimeMessage,
  type RuntimeSource,
} from "./lib/denort.ts";
import {
  archiveFileName,
  binaryFileName,
  hostTarget,
  programName,
  releaseName,
  type Target,
  targetByTriple,
  TARGETS,
} from "./lib/targets.ts";
import { archiveTime, tarGz, zip } from "./lib/archive.ts";
import { writeChecksums } from "./lib/checksums.ts";

const APP_DIR = fileURLToPath(new URL("..", import.meta.url)).replace(/[\\/]$/, "");

function stop(line: string): never {
  console.error(line);
  Deno.exit(1);
}

async function compileOne(
  t: Target,
  source: RuntimeSource,
  outDir: string,
  npmCache: string,
): Promise<string> {
  const output = path.join(outDir, binaryFileName(t));
  const env: Record<string, string> = { ...Deno.env.toObject(), NO_COLOR: "1" };
  // deno compile would use DENORT_BIN for every target: keep it for the one it was built for.
  if (source.kind === "env") env.DENORT_BIN = source.path;
  else delete env.DENORT_BIN;
  const out = await new Deno.Command(Deno.execPath(), {
    args: compileArgs(t, output, npmCache),
    cwd: APP_DIR,
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    const text = new TextDecoder().decode(out.stderr).trim().split("\n").filter((l) =>
      l.trim() !== ""
    );
    const why = text.find((l) => l.startsWith("error:")) ?? text.at(-1) ?? `exit ${out.code}`;
    stop(`compile: deno compile for ${t.triple} failed: ${why}`);
  }
  return output;
}

/** The host's binary must answer --version as the server: a wrong DENORT_BIN (deno itself) does not. */
async function smokeTest(binary: string): Promise<void> {
  const out = await new Deno.Command(binary, {
    args: ["--version"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success || !text.startsWith(`${SERVER_NAME} ${VERSION} `)) {
    stop(
      `compile: ${
        path.basename(binary)
      } does not run the server (is DENORT_BIN an unpacked denort, not deno?)`,
    );
  }
}

async function archiveOne(
  t: Target,
  binary: string,
  outDir: string,
  mtime: number,
): Promise<string> {
  const dir = releaseName(t);
  const entries = [
    { name: `${dir}/${programName(t)}`, data: await Deno.readFile(binary), mode: 0o755 },
    {
      name: `${dir}/README.md`,
      data: await Deno.readFile(path.join(APP_DIR, "README.md")),
      mode: 0o644,
    },
  ];
  const file = path.join(outDir, archiveFileName(t));
  await Deno.writeFile(file, t.platform === "win32" ? zip(entries, mtime) : tarGz(entries, mtime));
  return file;
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { target: { type: "string", multiple: true }, out: { type: "string" } },
  });
  const targets: Target[] = [];
  for (const triple of values.target ?? TARGETS.map((t) => t.triple)) {
    const t = targetByTriple(triple);
    if (!t) {
      stop(`compile: unknown target ${triple} (known: ${TARGETS.map((x) => x.triple).join(", ")})`);
    }
    targets.push(t);
  }
  const outDir = path.resolve(APP_DIR, values.out ?? "dist");

  const bin = await inspectDenortBin(Deno.env.get("DENORT_BIN"));
  if (bin && "error" in bin) stop(`compile: ${bin.error}`);
  if (bin && bin.target === undefined) {
    stop(`compile: DENORT_BIN=${bin.path} is not a Linux, macOS or Windows executable`);
  }
  const info = await denoInfo();
  const lookup = {
    ...(bin ? { denortBin: bin } : {}),
    denoDir: info.denoDir,
    denoVersion: Deno.version.deno,
    hostReachable: (() => {
      let answer: Promise<boolean> | undefined;
      const offline = Deno.env.get("CODE_REVIEW_COMPILE_OFFLINE") === "1";
      return () => (answer ??= offline ? Promise.resolve(false) : downloadHostReachable());
    })(),
  };
  const sources = new Map<Target, RuntimeSource>();
  const missing: string[] = [];
  for (const t of targets) {
    const s = await findRuntime(t.triple, lookup);
    if (s) sources.set(t, s);
    else missing.push(t.triple);
  }
  if (missing.length > 0) stop(missingRuntimeMessage(missing, lookup.denoVersion, lookup.denoDir));

  await Deno.mkdir(outDir, { recursive: true });
  const mtime = archiveTime();
  for (const t of targets) {
    const binary = await compileOne(t, sources.get(t)!, outDir, info.npmCache);
    if (t === hostTarget()) await smokeTest(binary);
    const archive = await archiveOne(t, binary, outDir, mtime);
    const size = (await Deno.stat(binary)).size;
    console.log(
      `${path.relative(APP_DIR, binary)} (${(size / 1048576).toFixed(1)} MiB, denort from ${
        sources.get(t)!.kind
      }) -> ${path.basename(archive)}`,
    );
  }
  const sums = await writeChecksums(outDir);
  console.log(`${path.relative(APP_DIR, sums)} written`);
}

if (import.meta.main) await main(Deno.args);
