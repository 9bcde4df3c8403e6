/**
 * The deployment files agree with the program: every variable the Deployment sets is
 * one the server reads and parses, and the manifest keeps its safety properties.
 */
import * as path from "node:path";
import { assert, assertEquals, assertMatch } from "../assert.ts";
import { parseConfigArgs } from "../../src/config.ts";
import {
  denoContainerFlags,
  ENV_VARS,
  HTTP_ENV_VARS,
  REDIS_SERVICE_NET,
  urlNet,
} from "../../src/permissions.ts";

const APP_DIR = path.resolve(decodeURIComponent(new URL("../../", import.meta.url).pathname));
const read = (p: string) => Deno.readTextFileSync(path.join(APP_DIR, p));

Deno.test("the Deployment's variables are ones the server reads, and its args and values parse", () => {
  const yaml = read("deploy/kubernetes/deployment.yaml");
  const known = new Set<string>([...ENV_VARS, ...HTTP_ENV_VARS]);
  const env: Record<string, string> = {};
  for (
    const m of yaml.matchAll(/name: (CODE_REVIEW_[A-Z_]+|GITHUB_TOKEN)(?:, value: "([^"]*)")?/g)
  ) {
    assert(known.has(m[1]!), `${m[1]} is not a variable the server reads`);
    if (m[2] !== undefined) env[m[1]!] = m[2];
  }
  const args = JSON.parse(yaml.match(/args: (\[.*\])/)![1]!) as string[];
  const r = parseConfigArgs(args, (n) => env[n], "/");
  assert(r.ok, r.ok ? "" : r.reason);
  assert(r.value.config.http.auth.mode === "jwt");
});

Deno.test("the Deployment runs non-root on a read-only root, with probes, limits, a Secret and the project read-only", () => {
  const yaml = read("deploy/kubernetes/deployment.yaml");
  for (
    const needle of [
      /runAsNonRoot: true/,
      /readOnlyRootFilesystem: true/,
      /allowPrivilegeEscalation: false/,
      /drop: \["ALL"\]/,
      /livenessProbe:\s+httpGet: \{ path: \/health/,
      /readinessProbe:\s+httpGet: \{ path: \/ready/,
      /requests: \{ cpu: [^}]+memory: [^}]+\}/,
      /limits: \{ cpu: [^}]+memory: [^}]+\}/,
      /secretKeyRef: \{ name: code-review-mcp/,
      /\{ name: project, mountPath: \/project, readOnly: true \}/,
      /persistentVolumeClaim: \{ claimName: [a-z-]+, readOnly: true \}/,
    ]
  ) assertMatch(yaml, needle);
  assertMatch(read("deploy/kubernetes/service.yaml"), /targetPort: http/);
});

Deno.test("nginx keeps SSE working: HTTP/1.1 upstream, no buffering, a long read timeout", () => {
  const proxy = read("deploy/nginx/mcp_proxy.conf");
  for (
    const needle of [
      /proxy_http_version 1\.1;/,
      /proxy_buffering off;/,
      /proxy_cache off;/,
      /proxy_read_timeout \d{4,}s;/,
      /proxy_set_header Connection "";/,
    ]
  ) {
    assertMatch(proxy, needle);
  }
  assertMatch(read("deploy/nginx/nginx.conf"), /include \/etc\/nginx\/mcp_proxy\.conf;/);
});

Deno.test("the Deployment's Redis URL names the Service of redis.yaml, which the image may reach", () => {
  const deployment = read("deploy/kubernetes/deployment.yaml");
  const redis = read("deploy/kubernetes/redis.yaml");
  const url = deployment.match(/name: CODE_REVIEW_REDIS_URL, value: "([^"]+)"/)![1]!;
  const service = redis.match(/kind: Service\nmetadata:\n {2}name: ([a-z-]+)/)![1]!;
  assertEquals(urlNet(url), `${service}:6379`);
  assertEquals(urlNet(url), REDIS_SERVICE_NET);
  assert(
    denoContainerFlags().some((f) => f.startsWith("--allow-net=") && f.includes(REDIS_SERVICE_NET)),
  );
  assertMatch(redis, /--save", "", "--appendonly", "no"/);
  assertMatch(redis, /kind: NetworkPolicy/);
});
