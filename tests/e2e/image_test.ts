/**
 * The container image, built and run the way this machine allows: container/build_image.sh
 * builds the Containerfile with buildah (vfs storage in a temporary folder, chroot
 * isolation, a local build-stage base: nothing pulled), then the image is mounted and its
 * entrypoint run under chroot as the image's user, in private network, mount and pid
 * namespaces, with a test project bind-mounted read-only at /workspace and /proc mounted as
 * a runtime would. The SDK client then talks to it over Streamable HTTP.
 * Needs root, buildah, unshare and ip (.ci/run installs them); without them it fails.
 */
import { assert, assertEquals, assertMatch } from "../assert.ts";
import * as path from "node:path";
import { APP_DIR, makeProject } from "./harness.ts";
import { shellQuote } from "../../src/cli/client_entries.ts";
import { CONTAINER } from "../../src/permissions.ts";
import { denoImageCommand } from "../container_command.ts";

const decode = (b: Uint8Array) => new TextDecoder().decode(b);

async function sh(
  cmd: string,
  args: string[],
  opts: { cwd?: string; timeoutMs?: number } = {},
): Promise<string> {
  const out = await new Deno.Command(cmd, {
    args,
    cwd: opts.cwd ?? APP_DIR,
    // The deno-run image copies the deno running this test (not whatever `deno` PATH finds).
    env: { DENO_BIN: Deno.execPath() },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(opts.timeoutMs ?? 600_000),
  }).output();
  if (!out.success) {
    throw new Error(
      `${cmd} ${args.join(" ")} failed (${out.code}):\n${decode(out.stderr)}\n${
        decode(out.stdout)
      }`,
    );
  }
  return decode(out.stdout);
}

interface DockerConfig {
  User: string;
  Env: string[];
  Entrypoint: string[];
  Cmd: string[] | null;
  ExposedPorts: Record<string, unknown>;
  WorkingDir: string;
  Healthcheck: { Test: string[] };
}

/** Every file below `dir`, relative, symlinks listed as such and not followed. */
async function listTree(dir: string, rel = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(path.join(dir, rel))) {
    const p = rel === "" ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory) out.push(...(await listTree(dir, p)));
    else out.push(p);
  }
  return out;
}

Deno.test("container image: FROM scratch, ldd's libraries only, user 65532, read-only /workspace; health, initialize and tool calls over HTTP under chroot", async () => {
  assertEquals(
    (await sh("id", ["-u"])).trim(),
    "0",
    "the image test needs root (buildah's vfs storage, chroot, namespaces)",
  );
  const storage = await Deno.makeTempDir({ dir: "/var/tmp", prefix: "crm-image-" });
  const buildah = [
    "--storage-driver",
    "vfs",
    "--root",
    `${storage}/root`,
    "--runroot",
    `${storage}/runroot`,
  ];
  const tag = "localhost/code-review-mcp:test";
  const project = await makeProject();
  const work = await Deno.makeTempDir({ prefix: "crm-image-run-" });
  let ctr: string | undefined;
  try {
    const built = await sh("sh", ["container/build_image.sh", "--storage", storage, "--tag", tag]);
    const summary = built.trim().split("\n").at(-1)!;
    assertMatch(
      summary,
      /^build_image: localhost\/code-review-mcp:test \((binary|deno-run) stage\) \d/,
    );
    console.error(summary);
    const binaryStage = summary.includes("(binary stage)");
    const program = binaryStage ? ["/code-review-mcp"] : denoImageCommand();

    const inspected = JSON.parse(
      await sh("buildah", [...buildah, "inspect", "--type", "image", tag]),
    );
    const config: DockerConfig = inspected.Docker.config;
    assertEquals(config.User, "65532:65532");
    assertEquals(Object.keys(config.ExposedPorts), [`${CONTAINER.port}/tcp`]);
    assertEquals(config.Entrypoint, program);
    assertEquals(config.Healthcheck.Test, ["CMD", ...program, "healthcheck"]);
    assertEquals(config.WorkingDir, CONTAINER.root);
    for (
      const kv of [
        `CODE_REVIEW_ROOT=${CONTAINER.root}`,
        "CODE_REVIEW_TRANSPORT=http",
        "CODE_REVIEW_HOST=0.0.0.0",
      ]
    ) {
      assert(config.Env.includes(kv), kv);
    }
    assertEquals(
      inspected.Docker.rootfs.diff_ids.length,
      1,
      "one layer: scratch plus the staged file system",
    );

    ctr = (await sh("buildah", [...buildah, "from", "--pull-never", tag])).trim();
    const mnt = (await sh("buildah", [...buildah, "mount", ctr])).trim();

    // Nothing but the program, its data, the libraries ldd names for it, /tmp, /workspace, passwd and group.
    const exe = binaryStage ? "code-review-mcp" : "deno";
    const libs = (await sh("ldd", [path.join(mnt, exe)])).split("\n")
      .map((l) => l.trim().match(/(?:=> )?(\/\S+) \(0x/)?.[1])
      .filter((p): p is string => p !== undefined)
      .map((p) => p.slice(1));
    assert(libs.some((l) => l.includes("libc.so")), libs.join(" "));
    const files = (await listTree(mnt)).filter((f) =>
      !f.startsWith("app/") && !f.startsWith("deno-dir/")
    );
    assertEquals(files.sort(), [exe, "etc/group", "etc/passwd", ...libs].sort());
    assertEquals((await Deno.stat(path.join(mnt, "tmp"))).mode! & 0o7777, 0o1777);
    for (const shell of ["bin/sh", "usr/bin/sh", "bin/busybox"]) {
      assert(
        !(await Deno.stat(path.join(mnt, shell)).then(() => true, () => false)),
        `${shell} in the image`,
      );
    }
    const size = Number((await sh("du", ["-sb", mnt])).split(/\s/)[0]);
    console.error(
      `image file system: ${(size / 1048576).toFixed(1)} MiB (${exe}, ${libs.length} libraries)`,
    );

    // Run the entrypoint as the image says: its user, its environment, /proc, the project read-only.
    const apiKey = crypto.randomUUID().replaceAll("-", "");
    const env = [...config.Env, `CODE_REVIEW_API_KEYS=image-test:${apiKey}`];
    const chrootBin = (await sh("sh", ["-c", "command -v chroot || echo /usr/sbin/chroot"])).trim(); // env -i drops the host's PATH
    const chroot = (argv: string[]) =>
      ["env", "-i", ...env, chrootBin, `--userspec=${config.User}`, mnt, ...argv].map(shellQuote)
        .join(" ");
    const script = [
      "set -eu",
      "ip link set lo up",
      `mkdir -p ${shellQuote(mnt)}/proc`,
      `mount -t proc proc ${shellQuote(mnt)}/proc`,
      `mount --bind ${shellQuote(project.root)} ${shellQuote(mnt)}/workspace`,
      `mount -o remount,bind,ro ${shellQuote(mnt)}/workspace`,
      `${chroot(config.Entrypoint)} > ${shellQuote(work)}/server.log 2>&1 &`,
      "server=$!",
      `cd ${shellQuote(APP_DIR)}`,
      `${
        shellQuote(Deno.execPath())
      } run --allow-net=127.0.0.1:${CONTAINER.port} tests/fixtures/image_client.ts ${apiKey} > ${
        shellQuote(work)
      }/client.json || true`,
      `if ${chroot(config.Healthcheck.Test.slice(1))} > ${
        shellQuote(work)
      }/health.log 2>&1; then echo 0; else echo $?; fi > ${shellQuote(work)}/health.code`,
      `(echo probe > ${shellQuote(mnt)}/workspace/written-by-root) 2> ${
        shellQuote(work)
      }/write.log || true`,
      'kill -TERM "$server" 2>/dev/null || true',
      'wait "$server" || true',
    ].join("\n");
    await sh("timeout", [
      "180",
      "unshare",
      "--net",
      "--mount",
      "--propagation",
      "private",
      "--pid",
      "--fork",
      "--kill-child",
      "sh",
      "-c",
      script,
    ]);

    const serverLog = await Deno.readTextFile(path.join(work, "server.log"));
    const raw = await Deno.readTextFile(path.join(work, "client.json"));
    assert(raw.trim() !== "", `no answer from the client; server log:\n${serverLog}`);
    const r = JSON.parse(raw);
    assertEquals(r.healthy, true, serverLog);
    assertEquals(r.unauthenticatedStatus, 401);
    assertEquals(r.server.name, "code-review-mcp");
    assertEquals(r.tools, [
      "fetch_github_file",
      "find_references",
      "find_symbol",
      "get_diff",
      "list_directory",
      "outline",
      "read_file",
      "review_changes",
      "run_linter",
      "search_code",
    ]);
    assertEquals(r.listed.isError, false, r.listed.text);
    assert(r.listed.text.includes("src/"), r.listed.text);
    assertEquals(r.outside.isError, true);
    assert(!r.outside.text.includes("root:x:0:0"), r.outside.text);
    assertEquals(r.lint.isError, false, r.lint.text);
    assertMatch(r.lint.text, /ruff (\S+ )?found \d+ issues? in src\/app\.py/);
    assertEquals(
      (await Deno.readTextFile(path.join(work, "health.code"))).trim(),
      "0",
      await Deno.readTextFile(path.join(work, "health.log")),
    );
    assertMatch(await Deno.readTextFile(path.join(work, "write.log")), /Read-only file system/);
    assert(
      !(await Deno.stat(path.join(project.root, "written-by-root")).then(() => true, () => false)),
    );
  } finally {
    if (ctr) await sh("buildah", [...buildah, "rm", ctr]).catch(() => {});
    await sh("buildah", [...buildah, "rmi", "--all", "--force"]).catch(() => {});
    await Deno.remove(storage, { recursive: true }).catch(() => {});
    await Deno.remove(work, { recursive: true });
    await project.cleanup();
  }
});
