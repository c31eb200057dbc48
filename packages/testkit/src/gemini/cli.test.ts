import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { GoogleGenAI } from "@google/genai";
import { afterEach, expect, it } from "vitest";

const cli = fileURLToPath(new URL("./cli.ts", import.meta.url));
const children: ChildProcess[] = [];

function start(args: string[]): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", cli, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  return child;
}

async function firstLine(child: ChildProcess): Promise<string> {
  if (!child.stdout) throw new Error("no stdout");
  const lines = createInterface({ input: child.stdout });
  const [line] = (await once(lines, "line")) as [string];
  return line;
}

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

it("prints its url when ready, answers scripted turns then the default responder, stops on SIGTERM", async () => {
  const dir = await mkdtemp(join(tmpdir(), "fake-gemini-"));
  const script = join(dir, "script.json");
  await writeFile(script, JSON.stringify({ turns: [{ parts: ["from", " the", " script"] }] }));
  const child = start(["--port", "0", "--delay-ms", "0", "--script", script, "--quiet"]);

  const line = await firstLine(child);
  expect(line).toMatch(/^fake gemini listening on http:\/\/127\.0\.0\.1:\d+$/);
  const ai = new GoogleGenAI({
    apiKey: "any",
    httpOptions: { baseUrl: line.replace("fake gemini listening on ", "") },
  });
  const first = await ai.models.generateContent({ model: "gemini-2.5-flash", contents: "x" });
  expect(first.text).toBe("from the script");
  const second = await ai.models.generateContent({ model: "gemini-2.5-flash", contents: "hello" });
  expect(second.text).toContain('You said: "hello"');

  child.kill("SIGTERM");
  const [code] = await once(child, "exit");
  expect(code).toBe(0);
}, 30_000);

it("refuses a bad script before listening", async () => {
  const dir = await mkdtemp(join(tmpdir(), "fake-gemini-"));
  const script = join(dir, "bad.json");
  await writeFile(script, JSON.stringify([{ error: { status: 200 } }]));
  const child = start(["--port", "0", "--script", script]);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (data) => {
    stdout += data;
  });
  child.stderr?.on("data", (data) => {
    stderr += data;
  });
  const [code] = await once(child, "exit");
  expect(code).toBe(1);
  expect(stdout).toBe("");
  expect(stderr).toContain("invalid fake gemini script");
}, 30_000);
