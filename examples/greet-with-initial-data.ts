// The seed's second scenario: the form starts at "anonymous", so a person may resume without typing a name.
import { z } from "zod";
import { flow, getRunLogger, pauseFlowRun, RunInput } from "baton";

const UserName = RunInput.from(z.object({ name: z.string().min(1).describe("Your name") }));

/** Greets the person who resumes it, or a stranger when the name is left at "anonymous". */
export const greetWithInitialData = flow("greet-with-initial-data", async () => {
  const logger = getRunLogger();
  const input = await pauseFlowRun({
    waitForInput: UserName.withInitialData({ name: "anonymous" }, { description: "**Who are you?** Leave the name as it is to stay anonymous." }),
  });
  if (input.name === "anonymous") logger.info("Hello, stranger!");
  else logger.info(`Hello, ${input.name}!`);
});

if (import.meta.main) await greetWithInitialData();
