// Started by the tests as a child process: a real server on a random port, announcing its URL on stdout.
import { startServer } from "../../src/server/index.ts";

const server = await startServer({ port: Number(process.env.BATON_PORT ?? 0) });
process.stdout.write(`${JSON.stringify({ apiUrl: server.apiUrl })}\n`);
const stop = async () => {
  await server.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
