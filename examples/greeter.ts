// Two flows talking: the client sends names to a greeter run, which answers each one with a greeting
// through `respond`, until the client sends the sentinel "stop". The greeter is a served deployment: kill
// its process mid-conversation and the next serving process replays it, reading on after the last name it
// had read, and answering no name twice.
//
//   node examples/greeter.ts            serves the greeter, starts one, and talks to it ten times
import { z } from "zod";
import { flow, getRunLogger, receiveInput, runDeployment, sendInput, serve } from "baton";

const STOP = "stop";

/** Answers each name it is sent with a greeting, to the run that sent it, until it is sent "stop". */
export const greeter = flow("greeter", async () => {
  let greeted = 0;
  for await (const name of receiveInput(z.string().min(1), { withMetadata: true, keyPrefix: "name" })) {
    if (name.value === STOP) break;
    await name.respond(`Hello, ${name.value}!`, { key: "greeting" });
    greeted++;
  }
  return greeted;
});

/** Sends each name to the greeter run `greeterRunId` and waits for its greeting before the next; then "stop". */
export const greeterClient = flow(
  { name: "greeter-client", parameters: z.object({ greeterRunId: z.string(), names: z.array(z.string().min(1)) }) },
  async ({ greeterRunId, names }) => {
    const logger = getRunLogger();
    const greetings: string[] = [];
    const replies = receiveInput(z.string(), { keyPrefix: "greeting" })[Symbol.asyncIterator]();
    for (const name of names) {
      await sendInput(name, { flowRunId: greeterRunId, key: "name" });
      const reply = await replies.next();
      if (reply.done) throw new Error("The greeter stopped answering");
      logger.info(reply.value);
      greetings.push(reply.value);
    }
    await sendInput(STOP, { flowRunId: greeterRunId, key: "name" });
    return greetings;
  },
);

export const NAMES = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "John", "Margaret", "Ken"];

if (import.meta.main) {
  const stop = new AbortController();
  const serving = serve(greeter, { signal: stop.signal });
  const run = await runDeployment("greeter");
  console.log(await greeterClient({ greeterRunId: run.id, names: NAMES }));
  stop.abort();
  await serving;
}
