/** healthcheck: the URL it probes and its exit codes against a real local listener. */
import { assertEquals } from "../../assert.ts";
import { HEALTH_PATH, healthcheckCommand, healthUrl } from "../../../src/cli/healthcheck.ts";

Deno.test("healthUrl() reaches a wildcard bind address over loopback", () => {
  assertEquals(healthUrl("0.0.0.0", 8000), `http://127.0.0.1:8000${HEALTH_PATH}`);
  assertEquals(healthUrl("::", 8000), `http://[::1]:8000${HEALTH_PATH}`);
  assertEquals(healthUrl("127.0.0.1", 9), `http://127.0.0.1:9${HEALTH_PATH}`);
  assertEquals(healthUrl("::1", 9), `http://[::1]:9${HEALTH_PATH}`);
});

Deno.test("healthcheckCommand() exits 0 on a healthy answer, 1 on an unhealthy one or none, 2 on a bad port", async () => {
  let healthy = true;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req) =>
      new URL(req.url).pathname === HEALTH_PATH && healthy
        ? new Response("ok")
        : new Response("no", { status: 503 }),
  );
  const port = server.addr.port;
  const env = (
    n: string,
  ) => (n === "CODE_REVIEW_PORT" ? String(port) : n === "CODE_REVIEW_HOST" ? "0.0.0.0" : undefined);
  try {
    assertEquals(await healthcheckCommand([], env), 0);
    healthy = false;
    assertEquals(await healthcheckCommand(["--port", String(port)], () => undefined), 1);
  } finally {
    await server.shutdown();
  }
  assertEquals(await healthcheckCommand(["--port", String(port)], () => undefined), 1);
  assertEquals(await healthcheckCommand(["--port", "0"], () => undefined), 2);
});
