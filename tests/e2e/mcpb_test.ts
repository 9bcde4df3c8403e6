/**
 * The Claude Desktop bundle: the manifest's shape, what pack-mcpb puts in a .mcpb, and
 * that the command line the manifest produces starts the server (here under the
 * compiled-mode run; compile_test.ts starts a real bundle's binary where a runtime exists).
 */
import { assert, assertEquals } from "../assert.ts";
import * as path from "node:path";
import { APP_DIR, makeProject } from "./harness.ts";
import { callTool, resultText, spawnClient } from "./spawn_client.ts";
import { denoCompileFlags } from "../../src/permissions.ts";
import { TOOLS } from "../../src/tools/mod.ts";
import { VERSION } from "../../src/version.ts";
import {
  KNOWN_VARIABLES,
  type McpConfig,
  resolveMcpConfig,
  variablesIn,
} from "../../scripts/lib/mcpb_config.ts";
import { binaryFileName, bundleFileName, targetByTriple } from "../../scripts/lib/targets.ts";

const manifest = JSON.parse(await Deno.readTextFile(path.join(APP_DIR, "mcpb/manifest.json")));

/** Top-level keys of a v0.3 manifest. */
const V03_KEYS = [
  "$schema",
  "manifest_version",
  "name",
  "display_name",
  "version",
  "description",
  "long_description",
  "author",
  "repository",
  "homepage",
  "documentation",
  "support",
  "icon",
  "icons",
  "screenshots",
  "server",
  "tools",
  "tools_generated",
  "prompts",
  "prompts_generated",
  "keywords",
  "license",
  "privacy_policies",
  "compatibility",
  "user_config",
  "localization",
  "_meta",
];

Deno.test("the MCPB manifest has the v0.3 shape: binary server, required directory root, optional sensitive token, platform overrides", () => {
  for (const k of Object.keys(manifest)) assert(V03_KEYS.includes(k), `unknown key ${k}`);
  assertEquals(manifest.manifest_version, "0.3");
  assertEquals(manifest.name, "code-review-mcp");
  assertEquals(manifest.version, VERSION);
  for (const k of ["description", "display_name"]) {
    assert(typeof manifest[k] === "string" && manifest[k].length > 0, k);
  }
  assert(typeof manifest.author?.name === "string");

  const server = manifest.server;
  assertEquals(server.type, "binary");
  assertEquals(server.entry_point, "server/code-review-mcp");
  const c: McpConfig = server.mcp_config;
  assertEquals(c.command, `\${__dirname}/${server.entry_point}`);
  assertEquals(c.args, ["--root", "${user_config.project_root}"]);
  assertEquals(c.env, { GITHUB_TOKEN: "${user_config.github_token}" });
  assertEquals(Object.keys(c.platform_overrides ?? {}), ["win32"]);
  assertEquals(c.platform_overrides!.win32!.command, "${__dirname}/server/code-review-mcp.exe");

  const uc = manifest.user_config;
  assertEquals(uc.project_root.type, "directory");
  assertEquals(uc.project_root.required, true);
  assert(!("multiple" in uc.project_root), "one root only");
  assertEquals(uc.github_token.type, "string");
  assertEquals(uc.github_token.sensitive, true);
  assertEquals(uc.github_token.required, false);
  for (const o of Object.values(uc) as { title: string; description: string }[]) {
    assert(o.title && o.description);
  }

  const used = variablesIn(JSON.stringify(c));
  for (const v of used) {
    if (v.startsWith("user_config.")) assert(v.slice(12) in uc, `${v} is not declared`);
    else assert(KNOWN_VARIABLES.includes(v), `unknown variable ${v}`);
  }
  for (const key of Object.keys(uc)) {
    assert(used.includes(`user_config.${key}`), `${key} is never used`);
  }

  assertEquals(manifest.tools.map((t: { name: string }) => t.name), TOOLS.map((t) => t.name));
  for (const p of manifest.compatibility.platforms) {
    assert(["darwin", "win32", "linux"].includes(p), p);
  }
});

Deno.test("pack-mcpb puts the manifest and the executable program in one bundle per target, and lists it in SHA256SUMS", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const linux = targetByTriple("x86_64-unknown-linux-gnu")!;
    const windows = targetByTriple("x86_64-pc-windows-msvc")!;
    for (const t of [linux, windows]) {
      await Deno.writeTextFile(path.join(tmp, binaryFileName(t)), `stand-in for ${t.triple}`);
    }
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        `--allow-write=${tmp}`,
        "--allow-env=SOURCE_DATE_EPOCH",
        "scripts/pack_mcpb.ts",
        "--binaries",
        tmp,
        "--out",
        tmp,
      ],
      cwd: APP_DIR,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert(out.success, new TextDecoder().decode(out.stderr));
    const script = [
      "import json, sys, zipfile",
      "z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None",
      "m = json.loads(z.read('manifest.json'))",
      "print(json.dumps({'files': [[i.filename, (i.external_attr >> 16) & 0o777] for i in z.infolist()],",
      "  'entry': m['server']['entry_point'], 'platforms': m['compatibility']['platforms'], 'version': m['version'],",
      "  'program': z.read(m['server']['entry_point']).decode()}))",
    ].join("\n");
    for (
      const [t, program] of [[linux, "code-review-mcp"], [windows, "code-review-mcp.exe"]] as const
    ) {
      const py = await new Deno.Command("python3", {
        args: ["-c", script, path.join(tmp, bundleFileName(t))],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert(py.success, new TextDecoder().decode(py.stderr));
      assertEquals(JSON.parse(new TextDecoder().decode(py.stdout)), {
        files: [["manifest.json", 0o644], [`server/${program}`, 0o755]],
        entry: `server/${program}`,
        platforms: [t.platform],
        version: VERSION,
        program: `stand-in for ${t.triple}`,
      });
    }
    const sums = await Deno.readTextFile(path.join(tmp, "SHA256SUMS"));
    assertEquals(
      sums.trim().split("\n").map((l) => l.split("  ")[1]),
      [bundleFileName(linux), bundleFileName(windows)].sort(),
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("the args and env the manifest produces start the server and confine it to the chosen folder (compiled-mode run)", async () => {
  const project = await makeProject();
  try {
    const resolved = resolveMcpConfig(manifest.server.mcp_config, "linux", {
      dirname: "/ext/code-review-mcp",
      userConfig: { project_root: project.root, github_token: "" },
      home: "/home/me",
    });
    assertEquals(resolved.command, "/ext/code-review-mcp/server/code-review-mcp");
    assertEquals(resolved.args, ["--root", project.root]);
    assertEquals(resolved.env, { GITHUB_TOKEN: "" });
    // The bundle's binary is the compiled main.ts: run main.ts with exactly the compile flags instead.
    const server = await spawnClient({
      command: Deno.execPath(),
      args: ["run", ...denoCompileFlags(), path.join(APP_DIR, "main.ts"), ...resolved.args],
      cwd: "/",
      env: resolved.env,
    });
    try {
      assertEquals((await server.client.listTools()).tools.length, TOOLS.length);
      const listed = await callTool(server, "list_directory", { dir_path: "." });
      assert(!listed.isError && resultText(listed).includes("src/"), resultText(listed));
      const outside = await callTool(server, "read_file", { file_path: "/etc/hostname" });
      assert(outside.isError);
    } finally {
      await server.close();
    }
    const win = resolveMcpConfig(manifest.server.mcp_config, "win32", {
      dirname: "C:\\ext",
      userConfig: { project_root: "C:\\proj" },
      home: "C:\\Users\\me",
    });
    assertEquals(win.command, "C:\\ext/server/code-review-mcp.exe");
    assertEquals(win.args, ["--root", "C:\\proj"]);
  } finally {
    await project.cleanup();
  }
});
