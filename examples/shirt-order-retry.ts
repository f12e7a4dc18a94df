// The seed's fourth scenario: instead of failing on an order it cannot fill, the flow logs why and asks
// again. Each new pause takes the next key ("1", "2", ...), so every attempt and its answer is kept.
// While this process waits, the server has it check each answer first, and refuses a bad one before the
// run resumes; the loop is for an answer the server took on its JSON Schema alone (this process did not
// answer in time, or a suspended run had no serving process knowing the schema).
import { flow, getRunLogger, type InputOf, pauseFlowRun, RunInputValidationError } from "baton";
import { ShirtOrder } from "./shirt-order.ts";

/** Takes a shirt order, asking again until it is one that can be filled. */
export const shirtOrderRetry = flow("shirt-order-retry", async () => {
  const logger = getRunLogger();
  let order: InputOf<typeof ShirtOrder> | undefined;
  while (!order) {
    try {
      order = await pauseFlowRun({ waitForInput: ShirtOrder });
    } catch (error) {
      if (!(error instanceof RunInputValidationError)) throw error;
      logger.error(`Invalid size and color combination: ${error.message}`);
    }
  }
  logger.info(`Shirt order: ${order.size}, ${order.color}`);
});

if (import.meta.main) await shirtOrderRetry();
