import { spawn } from "node:child_process";
import { once } from "node:events";
import http from "node:http";
import { type Summary, summarize } from "./stats.ts";

/**
 * The machine's floor for one process hop: HTTP round trips on loopback to a trivial server in
 * another Node process, with the same pause between them as between the fake model's tokens.
 * Path b has one more process than path a (bridge → runtime), so at one stream it pays this
 * once on the way in and once on the first token's way out, whatever the runtime does. On a
 * VM whose idle vCPUs sleep, waking the other process costs far more than the syscalls.
 */
export async function measureHopFloor(idleMs: number, samples = 60): Promise<Summary> {
  const child = spawn(
    process.execPath,
    [
      "-e",
      `require("node:http").createServer((q, s) => { q.resume(); q.on("end", () => s.end("ok")); })
        .listen(0, "127.0.0.1", function () { console.log(this.address().port); });`,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  try {
    const [data] = (await once(child.stdout, "data")) as [Buffer];
    const port = Number(String(data).trim());
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const roundTrip = () =>
      new Promise<number>((resolve, reject) => {
        const start = performance.now();
        const req = http.request(
          { host: "127.0.0.1", port, method: "POST", path: "/", agent },
          (res) => {
            res.resume();
            res.on("end", () => resolve(performance.now() - start));
          },
        );
        req.on("error", reject);
        req.end("x");
      });
    await roundTrip(); // connect
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      await new Promise((resolve) => setTimeout(resolve, idleMs));
      times.push(await roundTrip());
    }
    agent.destroy();
    return summarize(times);
  } finally {
    child.kill();
  }
}
