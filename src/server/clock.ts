let last = 0;

/**
 * The current time as ISO-8601 text, strictly increasing within this process, so that states written
 * in the same millisecond still sort in the order they happened.
 */
export function now(): string {
  let t = Date.now();
  if (t <= last) t = last + 1;
  last = t;
  return new Date(t).toISOString();
}
