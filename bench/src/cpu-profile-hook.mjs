// Loaded into the runtime with NODE_OPTIONS="--import …" by `just bench --profile`
// (Node refuses --cpu-prof in NODE_OPTIONS). Profiles the whole process life and writes
// `<BENCH_CPU_PROFILE_DIR>/runtime-<pid>.cpuprofile` on exit, as --cpu-prof would. Sampling
// starts on SIGUSR2 (the bench sends it after the warm-up), so start-up and compiling stay out.
import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import path from "node:path";

const dir = process.env.BENCH_CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post("Profiler.setSamplingInterval", { interval: 1000 });
  session.post("Profiler.enable");
  process.on("SIGUSR2", () => session.post("Profiler.start"));
  // The main-thread session answers synchronously, so this works inside an "exit" handler.
  process.on("exit", () => {
    session.post("Profiler.stop", (error, result) => {
      if (error) return;
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        path.join(dir, `runtime-${process.pid}.cpuprofile`),
        JSON.stringify(result.profile),
      );
    });
  });
}
