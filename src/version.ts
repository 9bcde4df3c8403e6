/** The server's version, shown by --version, in the MCP initialize result and in release names. */
export const VERSION = "0.1.0";
export const SERVER_NAME = "code-review-mcp";
