/** The typed client of the Baton API, for programs and scripts. */
export { BatonClient, createClient, DEFAULT_API_URL } from "./http-client.ts";
export type { ClientOptions, ListFlowRunsOptions, MessageListOptions } from "./http-client.ts";
export type { EventStream, EventStreamOptions } from "./event-stream.ts";
