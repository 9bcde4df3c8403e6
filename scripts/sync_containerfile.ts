/**
 * `deno task sync-containerfile`: rewrites the deno-run stage's ENTRYPOINT and HEALTHCHECK
 * from the permission module, after its flags change (tests/unit/containerfile_test.ts
 * fails until they agree). Exec form only: the image has no shell.
 */
import { fileURLToPath } from "node:url";
import { denoImageCommand } from "../tests/container_command.ts";

const file = fileURLToPath(new URL("../Containerfile", import.meta.url));
const text = await Deno.readTextFile(file);
const start = text.indexOf("FROM scratch AS deno-run");
const end = text.indexOf("FROM scratch AS binary");
if (start < 0 || end < start) {
  throw new Error("Containerfile: deno-run stage not found before the binary stage");
}
const command = denoImageCommand();
const stage = text.slice(start, end)
  .replace(/^ENTRYPOINT .*$/m, `ENTRYPOINT ${JSON.stringify(command)}`)
  .replace(
    /^(HEALTHCHECK .*CMD ).*$/m,
    (_, head: string) => `${head}${JSON.stringify([...command, "healthcheck"])}`,
  );
await Deno.writeTextFile(file, text.slice(0, start) + stage + text.slice(end));
console.log("Containerfile: deno-run stage synced with denoContainerFlags()");
