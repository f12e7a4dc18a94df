// The seed's third scenario: a check the JSON Schema cannot express (a `refine`). The waiting process checks
// each answer with it before the server takes it: a green small shirt is refused (422) on its color field,
// and the run keeps waiting. Only an answer the server took without that check (no process answered in
// time) reaches the flow unchecked: then `pauseFlowRun` throws RunInputValidationError, failing the run.
import { z } from "zod";
import { flow, getRunLogger, pauseFlowRun, RunInput } from "baton";

/** A shirt size and color; green is not stocked in small. */
export const ShirtOrder = RunInput.from(
  z
    .object({
      size: z.enum(["small", "medium", "large", "xlarge"]),
      color: z.enum(["red", "green", "black"]),
    })
    .refine((order) => !(order.color === "green" && order.size === "small"), {
      message: "Green is only in-stock for medium, large, and XL sizes.",
      path: ["color"],
    }),
);

/** Takes one shirt order and logs it; fails if an order that cannot be filled gets past the server. */
export const shirtOrder = flow("shirt-order", async () => {
  const order = await pauseFlowRun({ waitForInput: ShirtOrder });
  getRunLogger().info(`Shirt order: ${order.size}, ${order.color}`);
});

if (import.meta.main) await shirtOrder();
