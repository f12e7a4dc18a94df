// The bench's server process: a real Baton server on a random port of 127.0.0.1, announcing its API URL
// as the first line of stdout. Settings come from the BATON_* environment the bench gives it.
import { startServer } from "../src/server/index.ts";

const server = await startServer({ host: "127.0.0.1", port: 0 });
process.stdout.write(JSON.stringify({ apiUrl: server.apiUrl }) + "\n");
const stop = async () => {
  await server.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
