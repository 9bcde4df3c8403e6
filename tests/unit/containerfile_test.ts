/**
 * The Containerfile agrees with the permission module: its deno-run stage starts main.ts
 * with exactly denoContainerFlags(), both final stages are FROM scratch, run as a numeric
 * user, and use exec-form commands (there is no shell to run any other form).
 */
import { assert, assertEquals } from "../assert.ts";
import * as path from "node:path";
import { CONTAINER } from "../../src/permissions.ts";
import { denoImageCommand } from "../container_command.ts";
import { APP_DIR } from "../e2e/harness.ts";

interface Stage {
  name: string;
  from: string;
  lines: string[];
}

function stages(): Stage[] {
  const text = Deno.readTextFileSync(path.join(APP_DIR, "Containerfile")).replace(/\\\n\s*/g, " ");
  const out: Stage[] = [];
  for (
    const line of text.split("\n").map((l) => l.trim()).filter((l) =>
      l !== "" && !l.startsWith("#")
    )
  ) {
    const from = line.match(/^FROM (\S+)(?: AS (\S+))?$/);
    if (from) out.push({ from: from[1]!, name: from[2] ?? "", lines: [] });
    else out.at(-1)?.lines.push(line);
  }
  return out;
}

function instruction(stage: Stage, name: string): string | undefined {
  return stage.lines.find((l) => l.startsWith(`${name} `))?.slice(name.length + 1);
}

Deno.test("the deno-run stage starts main.ts with exactly the permission module's container flags", () => {
  const s = stages().find((x) => x.name === "deno-run")!;
  assertEquals(JSON.parse(instruction(s, "ENTRYPOINT")!), denoImageCommand());
  const health = instruction(s, "HEALTHCHECK")!;
  assertEquals(JSON.parse(health.slice(health.indexOf("CMD ") + 4)), [
    ...denoImageCommand(),
    "healthcheck",
  ]);
});

Deno.test("the binary stage runs the compiled binary and its healthcheck subcommand", () => {
  const s = stages().find((x) => x.name === "binary")!;
  assertEquals(JSON.parse(instruction(s, "ENTRYPOINT")!), ["/code-review-mcp"]);
  const health = instruction(s, "HEALTHCHECK")!;
  assertEquals(JSON.parse(health.slice(health.indexOf("CMD ") + 4)), [
    "/code-review-mcp",
    "healthcheck",
  ]);
});

Deno.test("both final stages are FROM scratch, numeric non-root, HTTP on 0.0.0.0:8000, project at /workspace", () => {
  const all = stages();
  assertEquals(all.map((s) => [s.name, s.from]), [["build", "${BUILD_BASE}"], [
    "deno-run",
    "scratch",
  ], ["binary", "scratch"]]);
  for (const s of all.slice(1)) {
    assertEquals(instruction(s, "USER"), "65532:65532", s.name);
    assertEquals(instruction(s, "EXPOSE"), String(CONTAINER.port), s.name);
    const env = instruction(s, "ENV")!;
    for (
      const kv of [
        `CODE_REVIEW_ROOT=${CONTAINER.root}`,
        "CODE_REVIEW_TRANSPORT=http",
        "CODE_REVIEW_HOST=0.0.0.0",
        `CODE_REVIEW_PORT=${CONTAINER.port}`,
      ]
    ) {
      assert(env.split(/\s+/).includes(kv), `${s.name}: ${kv}`);
    }
    for (const l of s.lines) {
      if (/^(RUN|CMD|ENTRYPOINT) /.test(l)) assert(/^\w+ \[/.test(l), `exec form only: ${l}`);
    }
  }
});
