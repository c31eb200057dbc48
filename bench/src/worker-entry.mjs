// Worker threads do not inherit the parent's `--import tsx` loader hooks (on Node 20), so a
// TypeScript worker starts here: register tsx on this thread, then load the real entry.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData.entry);
