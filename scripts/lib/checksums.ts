/**
 * SHA256SUMS for everything a release uploads from dist/ (archives and bundles), rewritten
 * whole by each script that adds files, so it always lists exactly what is there.
 */
import * as path from "node:path";
import { sha256Sums } from "./archive.ts";

/** File names a release publishes. */
export const RELEASE_FILE = /\.(tar\.gz|zip|mcpb)$/;

/** Writes `<dir>/SHA256SUMS` over the release files in `dir`; returns its path. */
export async function writeChecksums(dir: string): Promise<string> {
  const files = new Map<string, Uint8Array>();
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && RELEASE_FILE.test(e.name)) {
      files.set(e.name, await Deno.readFile(path.join(dir, e.name)));
    }
  }
  const file = path.join(dir, "SHA256SUMS");
  await Deno.writeTextFile(file, sha256Sums(files));
  return file;
}
