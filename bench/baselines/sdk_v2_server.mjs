/**
 * The v2 SDK baseline: the same list_directory tool as sdk_server.mjs, written with the
 * official SDK's current line (@modelcontextprotocol/server 2.4.0) on Node. Over stdio by
 * default (serveStdio: both eras), or `--http PORT`: createMcpHandler (2026-07-28
 * stateless, and its stateless fallback for 2025 clients) on plain node:http.
 */
import { Buffer } from "node:buffer";
import * as fs from "node:fs";
import * as http from "node:http";
import process from "node:process";
import { createMcpHandler, McpServer } from "@modelcontextprotocol/server";
import { serveStdio } from "@modelcontextprotocol/server/stdio";
import { z } from "zod";
import { listDir } from "./list_dir.mjs";

const root = fs.realpathSync(process.argv[2] ?? ".");
const httpAt = process.argv.indexOf("--http");

function createServer() {
  const server = new McpServer({ name: "sdk-v2-baseline", version: "1.0.0" });
  server.registerTool("list_directory", {
    description: "List a folder inside the root",
    inputSchema: z.object({ dir_path: z.string().default(".").describe("Folder to list") }),
    outputSchema: z.object({
      path: z.string(),
      entries: z.array(z.object({ name: z.string(), type: z.string(), size: z.number().int().optional() })),
      total: z.number().int(),
      truncated: z.boolean(),
    }),
  }, ({ dir_path }) => {
    try {
      return listDir(root, dir_path);
    } catch (err) {
      return { isError: true, content: [{ type: "text", text: String(err.message) }] };
    }
  });
  return server;
}

if (httpAt === -1) {
  serveStdio(() => createServer());
} else {
  const port = Number(process.argv[httpAt + 1]);
  const handler = createMcpHandler(() => createServer());
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      try {
        const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
        const request = new Request(`http://127.0.0.1:${port}${req.url}`, {
          method: req.method,
          headers: Object.entries(req.headers).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : v === undefined ? [] : [[k, v]])),
          ...(body && req.method !== "GET" && req.method !== "HEAD" ? { body } : {}),
        });
        const answer = await handler.fetch(request);
        res.writeHead(answer.status, Object.fromEntries(answer.headers));
        if (answer.body) for await (const chunk of answer.body) res.write(chunk);
        res.end();
      } catch {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      }
    });
  });
  server.listen(port, "127.0.0.1", () => process.stderr.write(`sdk v2 baseline listening on 127.0.0.1:${port}\n`));
}
