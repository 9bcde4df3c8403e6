/**
 * The floor: a hand-written JSON-RPC responder with no SDK, no schema validation and
 * no worker. It answers initialize, tools/list and tools/call for list_directory (the
 * same work as the SDK baseline), read_file and run_linter (flake8 with our argv), over
 * stdio (default) or stateless HTTP (`--http PORT`): what the work costs on Node alone.
 */
import { Buffer } from "node:buffer";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import process from "node:process";
import * as readline from "node:readline";
import { listDir } from "./list_dir.mjs";

const root = fs.realpathSync(process.argv[2] ?? ".");
const httpAt = process.argv.indexOf("--http");

const TOOLS = [
  { name: "list_directory", description: "List a folder", inputSchema: { type: "object", properties: { dir_path: { type: "string" } } } },
  { name: "read_file", description: "Read a text file", inputSchema: { type: "object", properties: { file_path: { type: "string" } } } },
  { name: "run_linter", description: "Run flake8 on a file", inputSchema: { type: "object", properties: { file_path: { type: "string" } } } },
];

function inside(requested) {
  const real = fs.realpathSync(path.resolve(root, requested));
  if (real !== root && !real.startsWith(root + path.sep)) throw new Error("path is outside the project root");
  return real;
}

function readFile(requested) {
  const text = fs.readFileSync(inside(requested), "utf8");
  return { content: [{ type: "text", text }], structuredContent: { path: requested, content: text } };
}

/** flake8 with the argv our allowlist uses (isolated configuration, `--` before the path). */
function runLinter(requested) {
  const file = inside(requested);
  return new Promise((resolve) => {
    execFile("flake8", ["--isolated", "--format=%(row)d:%(col)d:%(code)s:%(text)s", "--", file], { env: { PATH: process.env.PATH } }, (_err, stdout) => {
      const diagnostics = stdout.split("\n").filter((l) => l !== "").map((l) => {
        const [line, column, code, ...text] = l.split(":");
        return { file: requested, line: Number(line), column: Number(column), code, message: text.join(":") };
      });
      resolve({ content: [{ type: "text", text: stdout }], structuredContent: { diagnostics, count: diagnostics.length } });
    });
  });
}

const HANDLERS = { list_directory: (a) => listDir(root, a?.dir_path), read_file: (a) => readFile(a?.file_path), run_linter: (a) => runLinter(a?.file_path) };

/** The answer to one message: an object, a promise of one (run_linter), or undefined for a notification. */
function answer(msg) {
  if (msg.id === undefined) return undefined; // a notification
  try {
    switch (msg.method) {
      case "initialize":
        return { jsonrpc: "2.0", id: msg.id, result: { protocolVersion: msg.params?.protocolVersion ?? "2025-06-18", capabilities: { tools: {} }, serverInfo: { name: "floor", version: "1.0.0" } } };
      case "tools/list":
        return { jsonrpc: "2.0", id: msg.id, result: { tools: TOOLS } };
      case "tools/call": {
        const handler = HANDLERS[msg.params?.name];
        if (!handler) break;
        const fail = (err) => ({ jsonrpc: "2.0", id: msg.id, result: { isError: true, content: [{ type: "text", text: String(err.message) }] } });
        try {
          const result = handler(msg.params.arguments);
          if (result instanceof Promise) return result.then((r) => ({ jsonrpc: "2.0", id: msg.id, result: r }), fail);
          return { jsonrpc: "2.0", id: msg.id, result };
        } catch (err) {
          return fail(err);
        }
      }
      case "ping":
        return { jsonrpc: "2.0", id: msg.id, result: {} };
    }
    return { jsonrpc: "2.0", id: msg.id, error: { code: -32601, message: "Method not found" } };
  } catch (err) {
    return { jsonrpc: "2.0", id: msg.id, error: { code: -32603, message: String(err) } };
  }
}

if (httpAt === -1) {
  const rl = readline.createInterface({ input: process.stdin });
  rl.on("line", (line) => {
    if (line.trim() === "") return;
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      process.stdout.write(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } }) + "\n");
      return;
    }
    const out = answer(msg);
    if (out instanceof Promise) out.then((o) => process.stdout.write(JSON.stringify(o) + "\n"));
    else if (out) process.stdout.write(JSON.stringify(out) + "\n");
  });
  // After EOF Node exits by itself once the last linter run has answered.
} else {
  const port = Number(process.argv[httpAt + 1]);
  const server = http.createServer((req, res) => {
    if (req.method !== "POST") {
      res.writeHead(405).end();
      return;
    }
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      let msg;
      try {
        msg = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        res.writeHead(400, { "content-type": "application/json" }).end('{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}');
        return;
      }
      const send = (out) => {
        if (!out) res.writeHead(202).end();
        else res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(out));
      };
      const out = answer(msg);
      if (out instanceof Promise) out.then(send);
      else send(out);
    });
  });
  server.listen(port, "127.0.0.1", () => process.stderr.write(`floor listening on 127.0.0.1:${port}\n`));
}
