/** Each Claude Desktop bundle's manifest names its own platform and program, and nothing else. */
import { assert, assertEquals } from "../../assert.ts";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { bundleManifest, MANIFEST_TEMPLATE } from "../../../scripts/pack_mcpb.ts";
import { resolveMcpConfig } from "../../../scripts/lib/mcpb_config.ts";
import { programName, TARGETS } from "../../../scripts/lib/targets.ts";

const template = JSON.parse(await Deno.readTextFile(MANIFEST_TEMPLATE));

/** Where Claude Desktop unpacks a bundle, per platform (any absolute folder would do). */
const DIRNAME: Record<string, string> = {
  darwin: "/Users/me/Library/Application Support/Claude/Claude Extensions/code-review-mcp",
  win32: "C:\\Users\\Me Too\\AppData\\Roaming\\Claude\\Claude Extensions\\code-review-mcp",
  linux: "/home/me/.config/Claude/Claude Extensions/code-review-mcp",
};

Deno.test("bundleManifest() gives each target's bundle its own platform, entry point and command", () => {
  for (const t of TARGETS) {
    const m = bundleManifest(template, t);
    const program = programName(t);
    assertEquals(program.endsWith(".exe"), t.platform === "win32", t.triple);
    assertEquals(m.compatibility.platforms, [t.platform], t.triple);
    assertEquals(m.server.entry_point, `server/${program}`, t.triple);
    assertEquals(m.server.mcp_config.command, `\${__dirname}/server/${program}`, t.triple);
    assert(!("platform_overrides" in m.server.mcp_config), t.triple);
    const launch = resolveMcpConfig(m.server.mcp_config, t.platform, {
      dirname: DIRNAME[t.platform]!,
      userConfig: { project_root: t.platform === "win32" ? "C:\\Program Files\\proj" : "/p q" },
      home: "/home/me",
    });
    assertEquals(launch.command, `${DIRNAME[t.platform]}/server/${program}`, t.triple);
    assertEquals(launch.args.length, 2);
    assertEquals(launch.args[0], "--root");
    assertEquals(launch.env, { GITHUB_TOKEN: "" });
    // The template leaves the universal fields alone.
    assertEquals(m.version, template.version);
    assertEquals(m.user_config, template.user_config);
  }
});

Deno.test("the universal template resolves to the same program as each bundle on each platform", () => {
  for (const t of TARGETS) {
    const s = { dirname: DIRNAME[t.platform]!, userConfig: { project_root: "r" }, home: "/h" };
    assertEquals(
      resolveMcpConfig(template.server.mcp_config, t.platform, s),
      resolveMcpConfig(bundleManifest(template, t).server.mcp_config, t.platform, s),
      t.triple,
    );
  }
  // Every platform the template declares has at least one target, and every target's platform is declared.
  assertEquals(
    [...new Set(TARGETS.map((t) => t.platform))].sort(),
    [...template.compatibility.platforms].sort(),
  );
});

Deno.test("resolveMcpConfig() spells ${/} as the platform's separator", () => {
  const c = { command: "${__dirname}${/}server${/}x", args: ["a${pathSeparator}b"] };
  const s = { dirname: "D", userConfig: {}, home: "/h" };
  assertEquals(resolveMcpConfig(c, "win32", s).command, "D\\server\\x");
  assertEquals(resolveMcpConfig(c, "win32", s).args, ["a\\b"]);
  assertEquals(resolveMcpConfig(c, "darwin", s).command, "D/server/x");
});

Deno.test("the manifest template is the one pack-mcpb reads", () => {
  const app = fileURLToPath(new URL("../../../", import.meta.url));
  assertEquals(path.resolve(MANIFEST_TEMPLATE), path.resolve(app, "mcpb", "manifest.json"));
});
