/**
 * `deno task pack-mcpb [--target TRIPLE]... [--binaries DIR] [--out DIR]`: one Claude
 * Desktop bundle (.mcpb) per compiled binary, from mcpb/manifest.json, then SHA256SUMS
 * again. One bundle per target: a bundle holding every binary would be ~0.5 GB.
 */
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  binaryFileName,
  bundleFileName,
  programName,
  type Target,
  targetByTriple,
  TARGETS,
} from "./lib/targets.ts";
import { archiveTime, zip } from "./lib/archive.ts";
import { writeChecksums } from "./lib/checksums.ts";

const APP_DIR = fileURLToPath(new URL("..", import.meta.url)).replace(/[\\/]$/, "");
export const MANIFEST_TEMPLATE = path.join(APP_DIR, "mcpb", "manifest.json");

// deno-lint-ignore no-explicit-any
type Json = any;

/**
 * The template made right for one archive: this target's program as entry point and as the
 * command (`.exe` only in the Windows bundle), its platform as the only one, and no overrides
 * left for platforms the bundle cannot run on.
 */
export function bundleManifest(template: Json, t: Target): Json {
  const m = structuredClone(template);
  m.server.entry_point = `server/${programName(t)}`;
  const config = m.server.mcp_config;
  const own = config.platform_overrides?.[t.platform] ?? {};
  for (const key of ["args", "env"]) if (own[key] !== undefined) config[key] = own[key];
  config.command = `\${__dirname}/${m.server.entry_point}`;
  delete config.platform_overrides;
  m.compatibility = { ...(m.compatibility ?? {}), platforms: [t.platform] };
  return m;
}

/** The .mcpb bytes: manifest.json and the executable program under server/. */
export function packBundle(
  template: Json,
  t: Target,
  binary: Uint8Array,
  mtime: number,
): Uint8Array {
  const manifest = new TextEncoder().encode(
    JSON.stringify(bundleManifest(template, t), null, 2) + "\n",
  );
  return zip([
    { name: "manifest.json", data: manifest, mode: 0o644 },
    { name: `server/${programName(t)}`, data: binary, mode: 0o755 },
  ], mtime);
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await Deno.stat(file)).isFile;
  } catch {
    return false;
  }
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      target: { type: "string", multiple: true },
      binaries: { type: "string" },
      out: { type: "string" },
    },
  });
  const binDir = path.resolve(APP_DIR, values.binaries ?? "dist");
  const outDir = path.resolve(APP_DIR, values.out ?? "dist");
  let targets: Target[];
  if (values.target) {
    targets = values.target.map((triple) => {
      const t = targetByTriple(triple);
      if (!t) {
        console.error(`pack-mcpb: unknown target ${triple}`);
        Deno.exit(1);
      }
      return t;
    });
  } else {
    targets = [];
    for (const t of TARGETS) {
      if (await exists(path.join(binDir, binaryFileName(t)))) targets.push(t);
    }
  }
  if (targets.length === 0) {
    console.error(`pack-mcpb: no compiled binaries in ${binDir}: run deno task compile first`);
    Deno.exit(1);
  }
  const template = JSON.parse(await Deno.readTextFile(MANIFEST_TEMPLATE));
  await Deno.mkdir(outDir, { recursive: true });
  const mtime = archiveTime();
  for (const t of targets) {
    const binary = path.join(binDir, binaryFileName(t));
    if (!(await exists(binary))) {
      console.error(
        `pack-mcpb: ${binary} is missing: run deno task compile --target ${t.triple} first`,
      );
      Deno.exit(1);
    }
    const file = path.join(outDir, bundleFileName(t));
    await Deno.writeFile(file, packBundle(template, t, await Deno.readFile(binary), mtime));
    console.log(`${path.relative(APP_DIR, file)} written`);
  }
  await writeChecksums(outDir);
}

if (import.meta.main) await main(Deno.args);
