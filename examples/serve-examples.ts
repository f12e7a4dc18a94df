// Serves the four example flows as deployments, so that runs of them start from the CLI, the API or
// the UI and run here: `node examples/serve-examples.ts`, then `baton deployment run greet-user`.
// `npm start` runs this beside the server. Ctrl+C stops it; runs waiting for an answer are suspended,
// and the next serving process picks them up once they are answered.
import { serve } from "baton";
import { greetUser } from "./greet-user.ts";
import { greetWithInitialData } from "./greet-with-initial-data.ts";
import { shirtOrderRetry } from "./shirt-order-retry.ts";
import { shirtOrder } from "./shirt-order.ts";

/** The example flows, in the order `baton deployment ls` lists them once served. */
export const exampleFlows = [greetUser, greetWithInitialData, shirtOrder, shirtOrderRetry];

if (import.meta.main) await serve(...exampleFlows);
