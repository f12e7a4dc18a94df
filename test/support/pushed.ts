/**
 * How long what is pushed may take in a test (an answer reaching its waiting flow): far under the SDK's
 * 30 s re-read of the runs waiting in it, so that a lost push fails the test instead of slowing it down.
 */
export const PUSHED_MS = 5000;

/** `promise`, or a rejection saying that `what` did not happen within `ms`. */
export async function pushed<T>(promise: Promise<T>, what: string, ms = PUSHED_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms: was it pushed?`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
