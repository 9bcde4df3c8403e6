/**
 * The names this project takes from the official MCP server SDK (v2,
 * `@modelcontextprotocol/server`), in one place: a plain re-export with the SDK's own
 * types (v1 needed a `@ts-types` shim per module; v2 does not).
 */
export {
  completable,
  createMcpHandler,
  deserializeMessage,
  isLegacyRequest,
  LOG_LEVEL_META_KEY,
  McpServer,
  ProtocolError,
  ProtocolErrorCode,
  ResourceNotFoundError,
  ResourceTemplate,
  serializeMessage,
  STDIO_DEFAULT_MAX_BUFFER_SIZE,
  SUPPORTED_PROTOCOL_VERSIONS,
  UriTemplate,
  WebStandardStreamableHTTPServerTransport,
} from "@modelcontextprotocol/server";
export type {
  AuthInfo,
  CallToolResult,
  GetPromptResult,
  JSONRPCMessage,
  LoggingLevel,
  McpRequestContext,
  McpServerFactory,
  ReadResourceResult,
  ServerContext,
  ToolAnnotations,
  Transport,
} from "@modelcontextprotocol/server";
