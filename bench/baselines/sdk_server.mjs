/**
 * The SDK baseline: what a developer writes with the official TypeScript SDK on Node,
 * one list_directory tool with input and output schemas like ours. Over stdio by
 * default, or `--http PORT` in stateless mode: a fresh server and transport per POST,
 * as the SDK documents, on plain node:http (leaner than its Express example).
 */
import { Buffer } from "node:buffer";
import * as fs from "node:fs";
import * as http from "node:http";
import process from "node:process";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";
import { listDir } from "./list_dir.mjs";

const root = fs.realpathSync(process.argv[2] ?? ".");
const httpAt = process.argv.indexOf("--http");

function createServer() {
  const server = new McpServer({ name: "sdk-baseline", version: "1.0.0" });
  server.registerTool("list_directory", {
    description: "List a folder inside the root",
    inputSchema: { dir_path: z.string().default(".").describe("Folder to list") },
    outputSchema: {
      path: z.string(),
      entries: z.array(z.object({ name: z.string(), type: z.string(), size: z.number().int().optional() })),
      total: z.number().int(),
      truncated: z.boolean(),
    },
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
  await createServer().connect(new StdioServerTransport());
} else {
  const port = Number(process.argv[httpAt + 1]);
  const server = http.createServer((req, res) => {
    if (req.method !== "POST") {
      res.writeHead(405).end();
      return;
    }
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const mcp = createServer();
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      res.on("close", () => {
        transport.close();
        mcp.close();
      });
      try {
        await mcp.connect(transport);
        await transport.handleRequest(req, res, JSON.parse(Buffer.concat(chunks).toString("utf8")));
      } catch {
        if (!res.headersSent) res.writeHead(500).end();
      }
    });
  });
  server.listen(port, "127.0.0.1", () => process.stderr.write(`sdk baseline listening on 127.0.0.1:${port}\n`));
}
