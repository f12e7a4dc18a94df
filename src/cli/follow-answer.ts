import type { BatonClient } from "../client/index.ts";
import { isTerminal, type State } from "../contract/index.ts";

/** How long `baton flow-run resume` follows a run after its answer, unless `--wait` says otherwise. */
export const DEFAULT_FOLLOW_SECONDS = 10;

/** Where an answered run got to: it asks again, it ended, or it was still going when the wait ran out. */
export type AnswerOutcome = { settled: true; state: State } | { settled: false; state: State };

/** A state a run rests in after an answer: waiting for a person again, or ended. */
function settles(state: State): boolean {
  return state.type === "PAUSED" || isTerminal(state.type);
}

/**
 * Follows a run from its answer until it waits for a person again or ends, at most `waitMs`, over the
 * event stream (push: the run's next state arrives as it is stored). The state is read again on every
 * (re)connection, so a change made before the stream opened is not missed.
 */
export function followAnswer(client: BatonClient, flowRunId: string, waitMs: number): Promise<AnswerOutcome> {
  return new Promise((resolve, reject) => {
    let last: State | undefined;
    let done = false;
    const finish = (outcome: AnswerOutcome | Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      stream.close();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const see = (state: State) => {
      last = state;
      if (settles(state)) finish({ settled: true, state });
    };
    const timer = setTimeout(() => {
      if (last) finish({ settled: false, state: last });
      else finish(new Error(`The server did not say how flow run ${flowRunId} stands within ${waitMs / 1000} s.`));
    }, waitMs);
    const stream = client.events(
      {
        flowRunId,
        types: ["flow-run.state-changed"],
        onOpen: () => {
          client.getFlowRun(flowRunId).then((run) => see(run.state), finish);
        },
      },
      (event) => {
        if (event.type === "flow-run.state-changed") see(event.payload.state);
      },
    );
  });
}

/** What a person reads about an answered run's outcome (the refusal of a run that asks again is told by the caller). */
export function describeOutcome(flowRunId: string, outcome: AnswerOutcome, waitSeconds: number): string {
  const { state } = outcome;
  const because = state.message ? `: ${state.message}` : "";
  if (!outcome.settled)
    return `Flow run ${flowRunId} is ${state.name} ${waitSeconds} s after the answer; follow it with \`baton flow-run logs ${flowRunId} --follow\`.`;
  switch (state.type) {
    case "COMPLETED":
      return `Flow run ${flowRunId} completed.`;
    case "PAUSED":
      return `Flow run ${flowRunId} waits for a person again, at pause "${state.details.pauseKey ?? "?"}"; answer it with \`baton flow-run resume ${flowRunId}\`.`;
    case "CANCELLED":
      return `Flow run ${flowRunId} was cancelled${because}.`;
    default:
      return `Flow run ${flowRunId} ended ${state.name}${because}; see why with \`baton flow-run logs ${flowRunId}\`.`;
  }
}
