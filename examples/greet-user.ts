// The seed's first scenario: pause until someone tells us their name, then greet them.
import { z } from "zod";
import { flow, getRunLogger, pauseFlowRun, RunInput } from "baton";

const UserName = RunInput.from(z.object({ name: z.string().min(1).describe("Your name") }));

export const greetUser = flow("greet-user", async () => {
  const logger = getRunLogger();
  const input = await pauseFlowRun({ waitForInput: UserName });
  logger.info(`Hello, ${input.name}!`);
});

if (import.meta.main) await greetUser();
