let lastMs = 0;
let sequence = 0;
/** `lastMs` as ISO text down to the millisecond, made once per millisecond. */
let lastMsText = "";

/**
 * The current time as ISO-8601 text with microsecond digits, strictly increasing within this process,
 * so that states written in the same millisecond still sort in the order they happened. The last three
 * digits count calls within one millisecond; they never push the time ahead of the clock (unless over a
 * thousand calls land in one millisecond), and text of this fixed width sorts like the times it holds.
 */
export function now(): string {
  const ms = Date.now();
  if (ms > lastMs) {
    lastMs = ms;
    sequence = 0;
  } else if (++sequence > 999) {
    lastMs++;
    sequence = 0;
  }
  if (sequence === 0) lastMsText = new Date(lastMs).toISOString().slice(0, 23);
  return `${lastMsText}${String(sequence).padStart(3, "0")}Z`;
}
