import { z } from "zod";
import { FieldErrorShape } from "./pause.ts";

/**
 * What the server pushes down a process's event stream (`event: flow-run.input-check`) to have an answer
 * checked by the flow's own Zod schema before the run resumes. Not kept: it is for one process, now.
 */
export const InputCheck = z.object({
  checkId: z.string(),
  flowRunId: z.string(),
  key: z.string(),
  input: z.unknown(),
  /** The pause's `inputRequest.schemaId`: how a serving process finds the schema of a suspended run. */
  schemaId: z.string().nullable(),
});
export type InputCheck = z.infer<typeof InputCheck>;

/**
 * Body of `POST /api/flow-runs/{id}/input-checks/{checkId}`: the process's verdict. `accepted` and
 * `refused` (with the Zod issues as JSON pointers) decide; `unavailable` (the process does not know the
 * schema, or the check threw something other than a validation error) leaves the answer to the JSON Schema.
 */
export const InputCheckReply = z.discriminatedUnion("outcome", [
  z.object({ outcome: z.literal("accepted") }),
  z.object({ outcome: z.literal("refused"), errors: z.array(FieldErrorShape).min(1).max(100) }),
  z.object({ outcome: z.literal("unavailable"), reason: z.string().max(2000) }),
]);
export type InputCheckReply = z.infer<typeof InputCheckReply>;
