import type { BatonClient } from "../client/index.ts";
import { type FieldError, InvalidInputError, NotPausedError, PauseExpiredError } from "../contract/errors.ts";
import type { ResumeResult, State } from "../contract/index.ts";
import { AnswerRefusedByFlowError, fieldErrorLine, InputNotJsonError, NoAnswerError } from "./cli-errors.ts";
import { DEFAULT_FOLLOW_SECONDS, describeOutcome, followAnswer } from "./follow-answer.ts";
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
  /** Seconds to follow the run after the answer, until it asks again or ends (default 10); 0 returns at once. */
  wait?: number | undefined;
  out?: (line: string) => void;
}

/**
 * Answers a paused run: with `--input` as given, else field by field when a terminal can ask, else with
 * no input at all (valid when every field has a default or nothing was asked). Asked in a terminal, an
 * answer the form's schema or the server refuses is not lost: the problems are printed, only the refused
 * fields are asked again, and the answer is sent again. Then it follows the run (`wait`) and says whether
 * it completed, failed or waits again; when the flow itself refused the answer and asks again, it says
 * why and, in a terminal, asks again the refused fields; else it fails with the flow's reasons.
 */
export async function resumeRun(client: BatonClient, flowRunId: string, options: ResumeRunOptions = {}): Promise<void> {
  const out = options.out ?? ((line) => process.stdout.write(`${line}\n`));
  const by = {
    ...(options.respondedBy !== undefined ? { respondedBy: options.respondedBy } : {}),
    ...(options.comment !== undefined ? { comment: options.comment } : {}),
  };
  const waitSeconds = options.wait ?? DEFAULT_FOLLOW_SECONDS;
  /** Follows the answered run; the state it asks again in when the flow refused the answer. */
  const follow = async (resumed: ResumeResult, asked: State): Promise<State | undefined> => {
    out(`Resumed flow run ${resumed.id} (${resumed.name}); it is ${resumed.state.name} now.`);
    // The pause has rules beyond its JSON Schema, and no process holding the flow's code checked them in time.
    if (resumed.validatedBy === "schema" && asked.details.inputRequest?.schemaId)
      out("The answer was checked against the pause's JSON Schema only: no process holding the flow's code checked it in time.");
    if (waitSeconds <= 0) return undefined;
    const outcome = await followAnswer(client, flowRunId, waitSeconds * 1000);
    const rejected = outcome.settled && outcome.state.type === "PAUSED" ? outcome.state.details.rejected : undefined;
    if (!rejected) {
      out(describeOutcome(flowRunId, outcome, waitSeconds));
      return undefined;
    }
    if (!options.asker) throw new AnswerRefusedByFlowError(flowRunId, outcome.state.details.pauseKey ?? "?", issuesOf(rejected.issues));
    out(`The flow refused the answer; flow run ${flowRunId} asks again at pause "${outcome.state.details.pauseKey ?? "?"}":`);
    for (const e of issuesOf(rejected.issues)) out(`  ${fieldErrorLine(e)}`);
    return outcome.state;
  };

  if (options.input !== undefined || !options.asker) {
    // Bad JSON is refused before the server is asked anything.
    const input = options.input === undefined ? undefined : parseJson(options.input);
    const { state } = await client.getFlowRun(flowRunId);
    await follow(await client.resume(flowRunId, { input, ...by }), state);
    return;
  }
  const run = await client.getFlowRun(flowRunId);
  if (run.state.type !== "PAUSED") throw PauseExpiredError.of(run) ?? new NotPausedError(flowRunId, run.state.type, run.state.name);
  out(`Flow run ${run.id} (${run.name}, flow ${run.flowName}) is waiting at pause "${run.state.details.pauseKey ?? "?"}".`);
  // The server's check, here: a refusal is found before anything is sent.
  const check = await localCheck();
  try {
    let asked = run.state;
    if (asked.details.inputRequest?.description) out(asked.details.inputRequest.description);
    let fields = formFields(asked.details.inputRequest);
    let input = await askForInput(fields, options.asker);
    for (;;) {
      const schema = asked.details.inputRequest?.schema;
      let refused = schema ? check(schema, input) : [];
      if (refused.length > 0) {
        out("The answer does not fit the form yet:");
        for (const e of refused) out(`  ${fieldErrorLine(e)}`);
      } else {
        try {
          const askedAgain = await follow(await client.resume(flowRunId, { input, ...by }), asked);
          if (!askedAgain) return;
          // The flow's new pause may ask for something else: its form, with the refused answer kept.
          asked = askedAgain;
          fields = formFields(asked.details.inputRequest);
          refused = issuesOf(asked.details.rejected?.issues ?? []);
        } catch (e) {
          if (!(e instanceof InvalidInputError)) throw e;
          refused = e.errors;
          out(`The answer was refused; flow run ${flowRunId} is still paused:`);
          for (const r of refused) out(`  ${fieldErrorLine(r)}`);
        }
      }
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

/** A flow's reasons (paths as lists of keys) as field errors (JSON Pointers), as the server's refusals are. */
function issuesOf(issues: readonly { path: readonly string[]; message: string }[]): FieldError[] {
  return issues.map((i) => ({ path: i.path.map((k) => `/${k.replaceAll("~", "~0").replaceAll("/", "~1")}`).join(""), message: i.message }));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputNotJsonError((e as Error).message);
  }
}
