// Runs in a worker thread beside a server on SQLite: copies the write-ahead log into the database file
// on its own connection, so that a checkpoint's two fsyncs (tens to hundreds of ms on a slow disk) do not
// stop the server's event loop. Plain JavaScript, so that the worker needs no TypeScript loader (which
// would cost it about 15 MB more).
import { DatabaseSync } from "node:sqlite";
import { parentPort, workerData } from "node:worker_threads";

const { file, intervalMs } = workerData;
const db = new DatabaseSync(file);
db.exec("PRAGMA synchronous = NORMAL");

const timer = setInterval(() => {
  try {
    // PASSIVE never waits for the writer; what it cannot copy yet, it copies next time.
    db.exec("PRAGMA wal_checkpoint(PASSIVE)");
  } catch {
    // Busy: the next tick tries again.
  }
}, intervalMs);

parentPort.once("message", () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
