/** A pass of a background loop, run one at a time. */
export interface Serialized<T> {
  /** Runs a pass after the one in progress, if any, and resolves with its result. */
  run(): Promise<T>;
  /** Whether a pass is running or waiting: a timer skips its tick then. */
  readonly busy: boolean;
  /** Resolves once no pass is running or waiting, whatever their outcome. */
  idle(): Promise<void>;
}

/**
 * Runs `pass` one call at a time. A call made while a pass runs starts after it rather than beside it:
 * a pass may have read the clock, or the database, before what the caller wants it to see.
 */
export function oneAtATime<T>(pass: () => Promise<T>): Serialized<T> {
  let current: Promise<T> | undefined;
  return {
    run() {
      const next = (current ?? Promise.resolve()).then(pass, pass);
      current = next;
      const clear = () => void (current === next && (current = undefined));
      next.then(clear, clear);
      return next;
    },
    get busy() {
      return current !== undefined;
    },
    async idle() {
      await current?.then(
        () => {},
        () => {},
      );
    },
  };
}
