/**
 * The release targets and the names of what is built for them, in one place for the
 * compile script, the bundle script, the workflows' expectations and the tests.
 */
import { SERVER_NAME, VERSION } from "../../src/version.ts";

export interface Target {
  /** Rust target triple, as `deno compile --target` takes it. */
  triple: string;
  /** MCPB / Node.js platform name. */
  platform: "linux" | "darwin" | "win32";
  arch: "x86_64" | "aarch64";
}

export const TARGETS: readonly Target[] = [
  { triple: "x86_64-unknown-linux-gnu", platform: "linux", arch: "x86_64" },
  { triple: "aarch64-unknown-linux-gnu", platform: "linux", arch: "aarch64" },
  { triple: "x86_64-apple-darwin", platform: "darwin", arch: "x86_64" },
  { triple: "aarch64-apple-darwin", platform: "darwin", arch: "aarch64" },
  { triple: "x86_64-pc-windows-msvc", platform: "win32", arch: "x86_64" },
];

export function targetByTriple(triple: string): Target | undefined {
  return TARGETS.find((t) => t.triple === triple);
}

/** The target this machine runs, from `Deno.build.target`. */
export function hostTarget(): Target | undefined {
  return targetByTriple(Deno.build.target);
}

/** `code-review-mcp-<version>-<triple>`: the release name of everything built for a target. */
export function releaseName(t: Target, version: string = VERSION): string {
  return `${SERVER_NAME}-${version}-${t.triple}`;
}

/** The compiled binary's file name in dist/. */
export function binaryFileName(t: Target, version: string = VERSION): string {
  return releaseName(t, version) + (t.platform === "win32" ? ".exe" : "");
}

/** The program's name inside an archive or bundle. */
export function programName(t: Target): string {
  return SERVER_NAME + (t.platform === "win32" ? ".exe" : "");
}

export function archiveFileName(t: Target, version: string = VERSION): string {
  return releaseName(t, version) + (t.platform === "win32" ? ".zip" : ".tar.gz");
}

export function bundleFileName(t: Target, version: string = VERSION): string {
  return releaseName(t, version) + ".mcpb";
}
