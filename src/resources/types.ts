import type { Config } from "../config.ts";
import type { SandboxClient } from "../sandbox/client.ts";

/** What resource and prompt handlers may use: configuration and the sandbox, nothing else. */
export interface ResourceContext {
  config: Config;
  sandbox: SandboxClient;
}
