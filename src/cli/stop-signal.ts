/**
 * Calls `onStop` at the first Ctrl+C (SIGINT) or SIGTERM, and from then on a second Ctrl+C ends the
 * process at once (exit 130), for a person who does not want to wait for a clean stop. Returns a function
 * that removes the handlers, for a command that stopped by itself.
 */
export function onStopSignal(onStop: (signal: NodeJS.Signals) => void): () => void {
  const handle = (signal: NodeJS.Signals) => {
    remove();
    process.once("SIGINT", () => process.exit(130));
    onStop(signal);
  };
  const remove = () => {
    process.off("SIGINT", handle);
    process.off("SIGTERM", handle);
  };
  process.once("SIGINT", handle);
  process.once("SIGTERM", handle);
  return remove;
}
