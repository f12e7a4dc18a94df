import type { Stores } from "../storage/storage.ts";

/**
 * Moves the answer of pause `key` of a run, which its flow rejected, to `<key>-rejected-<n>`, so that the
 * pause can be asked again while the rejected answer stays in the run's history. In the caller's transaction.
 */
export async function setAsideAnswer(tx: Stores, flowRunId: string, key: string): Promise<void> {
  const count = (await tx.inputs.list(flowRunId)).length;
  await tx.inputs.rename(flowRunId, key, `${key}-rejected-${count}`);
}
