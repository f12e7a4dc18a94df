// An expense approval: a run starts with an amount, waits for a person to approve or reject it, logs
// the decision and returns it. `npm run worker` serves it; start a run with
// `npx baton deployment run approve --param amount=120` and answer it in the browser (the inbox at
// http://127.0.0.1:4200) or with `npx baton flow-run resume <id>`.
import { z } from "zod";
import { flow, getRunLogger, pauseFlowRun, RunInput } from "baton";

/** What the approver answers. */
export const Decision = RunInput.from(
  z.object({
    approved: z.boolean().describe("Approve this expense?"),
    comment: z.string().describe("Why, for the record"),
  }),
);

/** Asks a person to approve an expense, and returns their decision. */
export const approve = flow(
  {
    name: "approve",
    description: "Approve or reject an expense",
    parameters: z.object({
      amount: z.number().positive().describe("The amount, in euros"),
      note: z.string().default("").describe("What it was for"),
    }),
  },
  async ({ amount, note }) => {
    // pauseFlowRun, not suspendFlowRun: a suspend needs a run started from a deployment, and the test
    // calls this flow directly. Served by `npm run worker`, a pause still survives restarts: a worker
    // stopped with Ctrl+C, or one that dies, turns it into a suspend, and the next worker resumes the run
    // once it is answered. When approvals wait for days on a busy worker, suspendFlowRun frees the process.
    const decision = await pauseFlowRun({
      waitForInput: Decision.withInitialData(
        { approved: false, comment: "" },
        { description: `## Expense of €${amount}\n\n${note ? `For: *${note}*.\n\n` : ""}Approve it, or say why not.` },
      ),
      timeout: "7d",
    });
    getRunLogger().info(`Expense of €${amount} ${decision.approved ? "approved" : "rejected"}: ${decision.comment || "(no comment)"}`);
    return { amount, approved: decision.approved, comment: decision.comment };
  },
);
