import type { BatonClient } from "../client/index.ts";
import { NotPausedError, PauseExpiredError } from "../contract/errors.ts";
import { InputNotJsonError, NoAnswerError } from "./cli-errors.ts";
import { askForInput, formFields, type AskField } from "./input-form.ts";

/** Options of `resumeRun`. */
export interface ResumeRunOptions {
  /** The answer as JSON text, from `--input`. */
  input?: string | undefined;
  respondedBy?: string | undefined;
  /** A comment kept with the answer, from `--comment`. */
  comment?: string | undefined;
  /** Asks the pause's fields one by one when no `input` is given; absent when there is no terminal to ask in. */
  ask?: AskField | undefined;
  out?: (line: string) => void;
}

/**
 * Answers a paused run: with `--input` as given, else field by field when a terminal can ask, else with
 * no input at all (valid when every field has a default or nothing was asked).
 */
export async function resumeRun(client: BatonClient, flowRunId: string, options: ResumeRunOptions = {}): Promise<void> {
  const out = options.out ?? ((line) => process.stdout.write(`${line}\n`));
  // Bad JSON is refused before the server is asked anything.
  let input = options.input === undefined ? undefined : parseJson(options.input);
  if (options.input === undefined && options.ask) {
    const run = await client.getFlowRun(flowRunId);
    if (run.state.type !== "PAUSED") throw PauseExpiredError.of(run) ?? new NotPausedError(flowRunId, run.state.type, run.state.name);
    const { pauseKey, inputRequest } = run.state.details;
    out(`Flow run ${run.id} (${run.name}, flow ${run.flowName}) is waiting at pause "${pauseKey ?? "?"}".`);
    if (inputRequest?.description) out(inputRequest.description);
    try {
      input = await askForInput(formFields(inputRequest), options.ask);
    } catch (e) {
      if (e instanceof Error && e.name === "ExitPromptError") throw new NoAnswerError(flowRunId);
      throw e;
    }
  }
  const run = await client.resume(flowRunId, {
    input,
    ...(options.respondedBy !== undefined ? { respondedBy: options.respondedBy } : {}),
    ...(options.comment !== undefined ? { comment: options.comment } : {}),
  });
  out(`Resumed flow run ${run.id} (${run.name}); it is ${run.state.name} now.`);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputNotJsonError((e as Error).message);
  }
}
