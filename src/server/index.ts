/** The Baton server, for embedding and tests. */
export { startServer, createApp, isLoopback } from "./app.ts";
export type { BatonServer } from "./app.ts";
export { resolveServerConfig } from "./config.ts";
export type { ServerConfig, ServerOptions } from "./config.ts";
