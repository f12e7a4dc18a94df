import type { State, StateType } from "../api/types.ts";

/** The colour family of each state type; the same in badges, timelines and filters. */
export function stateTone(type: StateType): string {
  return type.toLowerCase();
}

/** A run's or task's state as a coloured pill: its name ("Suspended"), coloured by its type (PAUSED). */
export function StateBadge({ state, size = "normal" }: { state: Pick<State, "type" | "name">; size?: "normal" | "large" }) {
  return (
    <span className={`state-badge tone-${stateTone(state.type)} ${size === "large" ? "state-badge-large" : ""}`} data-state={state.type}>
      <span className="state-dot" aria-hidden="true" />
      {state.name}
    </span>
  );
}
