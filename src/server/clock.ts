/**
 * The server's clock: every time the server stores or compares with a deadline (state timestamps, pause
 * timeouts, when a scheduled run is due) comes from here, so that a test can move it forward.
 *
 * Signs of life (heartbeats, when a deployment was last served) and connection timeouts stay on the
 * system clock instead: moved with this one, every process would look dead after a jump.
 */

/** How far this process's server clock runs ahead of the system clock, in milliseconds. */
let offsetMs = 0;
let lastMs = 0;
let sequence = 0;
/** `lastMs` as ISO text down to the millisecond, made once per millisecond. */
let lastMsText = "";

/** Milliseconds since the epoch on the server's clock. */
export function nowMs(): number {
  return Date.now() + offsetMs;
}

/**
 * The current time on the server's clock as ISO-8601 text with microsecond digits, strictly increasing
 * within this process, so that states written in the same millisecond still sort in the order they
 * happened. The last three digits count calls within one millisecond; they never push the time ahead of
 * the clock (unless over a thousand calls land in one millisecond), and text of this fixed width sorts
 * like the times it holds.
 */
export function now(): string {
  const ms = nowMs();
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

/** The system clock's time as ISO-8601 text, for signs of life: never moved by `advanceClock`. */
export function systemNow(): string {
  return new Date().toISOString();
}

/**
 * Moves the server's clock `ms` forward, for tests (`advanceTime` of `baton/testing`): pauses whose
 * timeout falls within the jump are due at the next expiry sweep. The offset belongs to the process, so
 * every server started in it shares it.
 */
export function advanceClock(ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`The clock can only move forward; got ${ms} ms.`);
  offsetMs += ms;
}

/**
 * Puts the server's clock back in step with the system clock, for a fresh server after a test moved it.
 * Times taken afterwards may sort before those taken while it was ahead, so a server that keeps its
 * database must not be running meanwhile.
 */
export function resetClock(): void {
  offsetMs = 0;
  lastMs = 0;
  sequence = 0;
}
