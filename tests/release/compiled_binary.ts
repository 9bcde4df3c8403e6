/**
 * The real compiled binary and its Claude Desktop bundle, driven by the SDK client. Not part of
 * `deno task test`: it needs a Deno runtime (denort) for this machine's target, which only
 * Deno's download host serves. The release workflow runs it after compiling every target:
 *   deno test --unstable-worker-options -A tests/release/compiled_binary.ts
 * Without a runtime it fails, it never skips.
 */
import { assert, assertEquals, assertMatch } from "../assert.ts";
import * as path from "node:path";
import { APP_DIR } from "../e2e/harness.ts";
import { assertConfined, runDeno, scene } from "../e2e/confinement.ts";
import { binaryFileName, bundleFileName, hostTarget } from "../../scripts/lib/targets.ts";
import { resolveMcpConfig } from "../../scripts/lib/mcpb_config.ts";
import { denoInfo, findRuntime, inspectDenortBin } from "../../scripts/lib/denort.ts";
import { SERVER_NAME, VERSION } from "../../src/version.ts";

const decode = (b: Uint8Array) => new TextDecoder().decode(b);

const host = hostTarget();
const denortBin = await inspectDenortBin(Deno.env.get("DENORT_BIN"));
const runtime = host && !(denortBin && "error" in denortBin)
  ? await findRuntime(host.triple, {
    ...(denortBin ? { denortBin } : {}),
    denoDir: (await denoInfo()).denoDir,
    denoVersion: Deno.version.deno,
    // The release workflow compiles first, so the runtime is in Deno's cache by now.
    hostReachable: () => Promise.resolve(false),
  })
  : undefined;

Deno.test({
  name:
    "compiled binary and its .mcpb: --version, initialize, tools/list, reads outside the root refused from another folder, config, doctor",
  fn: async () => {
    assert(
      runtime !== undefined,
      `needs denort ${Deno.version.deno} for ${Deno.build.target}: set DENORT_BIN, or run \`deno task compile\` first where Deno's download host is reachable`,
    );
    const t = host!;
    const s = await scene();
    const dist = await Deno.makeTempDir();
    try {
      const built = await runDeno(
        [
          "run",
          "--allow-read",
          `--allow-write=${dist}`,
          "--allow-run",
          "--allow-env",
          "--allow-net=dl.deno.land:443",
          "scripts/compile.ts",
          "--target",
          t.triple,
          "--out",
          dist,
        ],
        { cwd: APP_DIR, env: { ...Deno.env.toObject(), CODE_REVIEW_COMPILE_OFFLINE: "1" } },
      );
      assertEquals(built.code, 0, built.stderr);
      const binary = path.join(dist, binaryFileName(t));
      const version = await new Deno.Command(binary, { args: ["--version"], stdout: "piped" })
        .output();
      assert(decode(version.stdout).startsWith(`${SERVER_NAME} ${VERSION} `));
      await assertConfined(binary, ["--root", s.root], s);

      const noRoot = await new Deno.Command(binary, {
        cwd: s.root,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      assertEquals(noRoot.code, 2);
      assertMatch(decode(noRoot.stderr), /--root: required/);

      const config = await new Deno.Command(binary, {
        args: ["config", "claude-desktop", "--root", s.root],
        stdout: "piped",
      }).output();
      assertEquals(JSON.parse(decode(config.stdout)), {
        mcpServers: { "code-review": { command: binary, args: ["--root", s.root] } },
      });

      const doctor = await new Deno.Command(binary, {
        args: ["doctor", "--root", s.root],
        stdout: "piped",
      }).output();
      const report = decode(doctor.stdout);
      assertEquals(doctor.code, 0, report);
      assertMatch(report, /compiled binary/);
      assertMatch(report, /ok {4}sandbox: worker started/);
      assertMatch(report, /ok {4}linter ruff: built in/);

      // The Claude Desktop bundle of this binary, unpacked and started as the manifest says.
      const packed = await runDeno(
        [
          "run",
          "--allow-read",
          `--allow-write=${dist}`,
          "--allow-env=SOURCE_DATE_EPOCH",
          "scripts/pack_mcpb.ts",
          "--target",
          t.triple,
          "--binaries",
          dist,
          "--out",
          dist,
        ],
        { cwd: APP_DIR },
      );
      assertEquals(packed.code, 0, packed.stderr);
      const ext = path.join(dist, "ext");
      const unzip = await new Deno.Command("python3", {
        args: ["-m", "zipfile", "-e", path.join(dist, bundleFileName(t)), ext],
      }).output();
      assert(unzip.success);
      const manifest = JSON.parse(await Deno.readTextFile(path.join(ext, "manifest.json")));
      const program = path.join(ext, manifest.server.entry_point);
      await Deno.chmod(program, 0o755); // python's zipfile does not restore modes; Claude Desktop does
      const launch = resolveMcpConfig(manifest.server.mcp_config, t.platform, {
        dirname: ext,
        userConfig: { project_root: s.root, github_token: "" },
        home: Deno.env.get("HOME") ?? "/",
      });
      await assertConfined(launch.command, launch.args, s);
    } finally {
      await s.cleanup();
      await Deno.remove(dist, { recursive: true });
    }
  },
});
