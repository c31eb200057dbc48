import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningOpenWebUi, startOpenWebUi } from "../src/open-webui.ts";
import { repoRoot } from "../src/repo-paths.ts";
import { type StackFixture, startStackFixture } from "../test/stack-fixture.ts";

// Open WebUI, the client our users use, in a real browser in front of the real proxy, runtime
// and fake Gemini: what a person sees, not what the API returns. Run by `just test-e2e`.

const SHOTS = path.join(repoRoot, "tmp/test-results/e2e");
const AGENT = "agno/demo-agent";

let fx: StackFixture;
let webui: RunningOpenWebUi;
let browser: Browser;
let page: Page;
let dataDir: string;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  fx = await startStackFixture();
  dataDir = mkdtempSync(path.join(os.tmpdir(), "agentllm-open-webui-"));
  webui = await startOpenWebUi({
    openaiBaseUrl: `${fx.stack.proxyUrl}/v1`,
    apiKey: fx.stack.masterKey,
    dataDir,
  });
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await webui?.close();
  await fx?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** A screenshot named after the step, in the test artifacts folder. */
async function shot(step: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${step}.png`), fullPage: true });
}

/** The text the last answer shows, as a person reads it. */
async function lastAnswer(): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the rendered text a person reads, which is what is checked
  return page.locator("#response-content-container").last().innerText();
}

/** Error toasts on screen (Open WebUI shows failures as sonner toasts). */
async function toasts(): Promise<string[]> {
  return page.locator("[data-sonner-toast]").allInnerTexts();
}

async function send(text: string): Promise<void> {
  await page.locator("#chat-input").click();
  await page.keyboard.type(text);
  await page.keyboard.press("Enter");
}

/**
 * Waits until the last answer shows `text` and has stopped changing (the stream has ended: the
 * fake streams a word every 30 ms), and returns it.
 */
async function answerShows(text: string): Promise<string> {
  let previous = "";
  await expect
    .poll(
      async () => {
        const current = await lastAnswer();
        const settled = current === previous && current.includes(text);
        previous = current;
        return settled;
      },
      { timeout: 30_000, interval: 700 },
    )
    .toBe(true);
  return previous;
}

describe("Open WebUI in a real browser", () => {
  it("step 1: the first user signs up through the page and becomes the admin", async () => {
    await page.goto(`${webui.url}/auth`);
    await page.getByRole("button", { name: "Get started" }).click();
    await page.locator("#name").fill("Ada Admin");
    await page.locator("#email").fill("ada@example.com");
    await page.locator("#password").fill("correct-horse-battery");
    await page.getByRole("button", { name: "Create Admin Account" }).click();
    await page.locator("#chat-input").waitFor({ timeout: 30_000 });
    await page.keyboard.press("Escape"); // the release-notes dialog
    await shot("01-signed-up");
  });

  it("step 2: a tool call renders as a tool card with its result, the answer has no raw markup", async () => {
    await page.goto(`${webui.url}/?models=${encodeURIComponent(AGENT)}`);
    await page.locator("#chat-input").waitFor();
    await page.keyboard.press("Escape");
    await send("Make me a palette from blue");
    const answer = await answerShows("Here is what");
    await expect
      .poll(() => page.getByText("View Result from generate_color_palette").count(), {
        timeout: 30_000,
      })
      .toBeGreaterThan(0);
    expect(answer).not.toContain("<details");
    expect(answer).not.toContain("&quot;");
    // Said once: a streamed answer that doubled would show its opening twice.
    expect(answer.split("Here is what").length).toBe(2);
    await shot("02-tool-card");
    expect(await toasts()).toEqual([]);
  });

  it("step 3: Continue (▷) appends to the answer, with no error", async () => {
    const before = await lastAnswer();
    const button = page.locator('button[aria-label="Continue Response"]').last();
    await button.hover();
    await button.click();
    const after = await answerShows("(The fake Gemini continues an answer");
    expect(after.startsWith(before.trimEnd().slice(0, 40))).toBe(true);
    await shot("03-continued");
    expect(await toasts()).toEqual([]);
  });

  it("step 4: a follow-up reaches the model with the earlier tool call, from the session", async () => {
    const modelCalls = () =>
      fx.gemini.requests.filter((r) => r.method === "streamGenerateContent").length;
    const calls = modelCalls();
    await send("Thanks! Now something calmer");
    await expect.poll(modelCalls, { timeout: 30_000 }).toBeGreaterThan(calls);
    await answerShows("fake Gemini");
    const chatTurn = fx.gemini.requests
      .filter((r) => r.method === "streamGenerateContent" && r.body.tools !== undefined)
      .at(-1);
    const contents = JSON.stringify(chatTurn?.body.contents);
    expect(contents).toContain("Now something calmer");
    // The tool call is nowhere in what Open WebUI sent; only the stored session had it.
    expect(contents).toContain('"functionCall"');
    expect(contents).not.toContain("<details");
    await shot("04-follow-up");
    expect(await toasts()).toEqual([]);
  });

  it("step 5: the chat got a title from a background task, without an error", async () => {
    await expect
      .poll(() => page.getByText("Chat with the fake Gemini").count(), { timeout: 30_000 })
      .toBeGreaterThan(0);
    await shot("05-titled");
  });

  it("step 6: Regenerate asks again from the same history, without the answer it replaces", async () => {
    await answerShows("fake Gemini");
    const chatTurns = () =>
      fx.gemini.requests.filter(
        (r) => r.method === "streamGenerateContent" && r.body.tools !== undefined,
      );
    const before = chatTurns().length;
    const regenerate = page.locator('button[aria-label="Regenerate"]').last();
    await regenerate.hover();
    await regenerate.click();
    // 0.12 opens a menu under the button: "Try Again" regenerates as it is.
    await page.getByText("Try Again", { exact: true }).click();
    await expect.poll(() => chatTurns().length, { timeout: 30_000 }).toBe(before + 1);
    await answerShows("Now something calmer");
    const chatTurn = chatTurns().at(-1);
    const contents = JSON.stringify(chatTurn?.body.contents);
    expect(contents).toContain("Now something calmer");
    expect(contents).toContain('"functionCall"');
    // The answer being replaced is not part of what the model is asked again.
    expect(contents).not.toContain("I am the fake Gemini");
    await shot("06-regenerated");
    expect(await toasts()).toEqual([]);
  });
});
