import type { BatonClient } from "../client/index.ts";
import { InvalidInputError, NotPausedError, PauseExpiredError } from "../contract/errors.ts";
import type { ResumeResult } from "../contract/index.ts";
import { fieldErrorLine, InputNotJsonError, NoAnswerError } from "./cli-errors.ts";
import { type Asker, askAgain, askForInput, formFields } from "./input-form.ts";
import { localCheck } from "./local-check.ts";

/** Options of `resumeRun`. */
export interface ResumeRunOptions {
  /** The answer as JSON text, from `--input`. */
  input?: string | undefined;
  respondedBy?: string | undefined;
  /** A comment kept with the answer, from `--comment`. */
  comment?: string | undefined;
  /** Asks the pause's fields one by one when no `input` is given; absent when there is no terminal to ask in. */
  asker?: Asker | undefined;
  out?: (line: string) => void;
}

/**
 * Answers a paused run: with `--input` as given, else field by field when a terminal can ask, else with
 * no input at all (valid when every field has a default or nothing was asked). Asked in a terminal, an
 * answer the form's schema or the server refuses is not lost: the problems are printed, only the refused
 * fields are asked again, and the answer is sent again.
 */
export async function resumeRun(client: BatonClient, flowRunId: string, options: ResumeRunOptions = {}): Promise<void> {
  const out = options.out ?? ((line) => process.stdout.write(`${line}\n`));
  const by = {
    ...(options.respondedBy !== undefined ? { respondedBy: options.respondedBy } : {}),
    ...(options.comment !== undefined ? { comment: options.comment } : {}),
  };
  if (options.input !== undefined || !options.asker) {
    // Bad JSON is refused before the server is asked anything.
    const input = options.input === undefined ? undefined : parseJson(options.input);
    reportResumed(await client.resume(flowRunId, { input, ...by }), out);
    return;
  }
  const run = await client.getFlowRun(flowRunId);
  if (run.state.type !== "PAUSED") throw PauseExpiredError.of(run) ?? new NotPausedError(flowRunId, run.state.type, run.state.name);
  const { pauseKey, inputRequest } = run.state.details;
  out(`Flow run ${run.id} (${run.name}, flow ${run.flowName}) is waiting at pause "${pauseKey ?? "?"}".`);
  if (inputRequest?.description) out(inputRequest.description);
  const fields = formFields(inputRequest);
  // The server's check, here: a refusal is found before anything is sent.
  const check = await localCheck();
  try {
    let input = await askForInput(fields, options.asker);
    for (;;) {
      let refused = inputRequest ? check(inputRequest.schema, input) : [];
      if (refused.length > 0) {
        out("The answer does not fit the form yet:");
      } else {
        try {
          reportResumed(await client.resume(flowRunId, { input, ...by }), out);
          return;
        } catch (e) {
          if (!(e instanceof InvalidInputError)) throw e;
          refused = e.errors;
          out(`The answer was refused; flow run ${flowRunId} is still paused:`);
        }
      }
      for (const e of refused) out(`  ${fieldErrorLine(e)}`);
      out("Asking again only what was refused; every other answer is kept.");
      input = await askAgain(
        fields,
        input,
        refused.map((e) => e.path),
        options.asker,
      );
    }
  } catch (e) {
    if (e instanceof Error && e.name === "ExitPromptError") throw new NoAnswerError(flowRunId);
    throw e;
  }
}

function reportResumed(run: ResumeResult, out: (line: string) => void): void {
  out(`Resumed flow run ${run.id} (${run.name}); it is ${run.state.name} now.`);
  // No process holding the flow's code answered in time: the flow checks its own rules after resuming.
  if (run.validatedBy === "schema")
    out("The answer was checked against the pause's JSON Schema only: no process holding the flow's code checked it in time.");
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputNotJsonError((e as Error).message);
  }
}
