import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
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
let second: Page;
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

// A failing step leaves a picture of what the browser showed, named after the step.
afterEach(async (context) => {
  if (context.task.result?.state !== "fail") return;
  const name = context.task.name.replace(/[^a-z0-9]+/gi, "-").slice(0, 60);
  await page?.screenshot({ path: path.join(SHOTS, `FAILED-${name}.png`), fullPage: true });
  await second?.screenshot({ path: path.join(SHOTS, `FAILED-${name}-second.png`), fullPage: true });
});

/** A screenshot named after the step, in the test artifacts folder. */
async function shot(step: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${step}.png`), fullPage: true });
}

/** The text the last answer shows, as a person reads it. */
async function lastAnswer(on: Page = page): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the rendered text a person reads, which is what is checked
  return on.locator("#response-content-container").last().innerText();
}

/** Error toasts on screen (Open WebUI shows failures as sonner toasts). */
async function toasts(): Promise<string[]> {
  return page.locator("[data-sonner-toast]").allInnerTexts();
}

/** A new chat with the agent; the release-notes dialog of a new account is closed for good. */
async function openChat(on: Page): Promise<void> {
  await on.goto(`${webui.url}/?models=${encodeURIComponent(AGENT)}`);
  await on.locator("#chat-input").waitFor();
  const dismiss = on.getByRole("button", { name: "Okay, Let's Go!" });
  const shown = await dismiss
    .waitFor({ state: "visible", timeout: 3_000 })
    .then(() => true)
    .catch(() => false);
  if (shown) await dismiss.click();
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
async function answerShows(text: string, on: Page = page): Promise<string> {
  let previous = "";
  await expect
    .poll(
      async () => {
        const current = await lastAnswer(on);
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
    await shot("01-signed-up");
  });

  it("step 2: a tool call renders as a tool card with its result, the answer has no raw markup", async () => {
    await openChat(page);
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

  it("step 7: the admin's favorite color is remembered for the admin, in a new chat too", async () => {
    await send("Remember that my favorite color is green");
    await answerShows("set_favorite_color");
    await openChat(page);
    await send("Hello again");
    await answerShows("fake Gemini");
    expect(JSON.stringify(lastChatTurn()?.body.systemInstruction)).toContain("**green**");
    await shot("07-admin-remembered");
  });

  it("step 8: a second user signs up through the page and sees the agent once the admin shares it", async () => {
    const adminToken = await page.evaluate<string | null>("localStorage.getItem('token')");
    const admin = { authorization: `Bearer ${adminToken}`, "content-type": "application/json" };
    // 0.12 turns sign-ups off once the first account exists; the admin turns them back on
    // (Admin Settings → General → New sign-ups), through the API that page calls.
    const config = (await (
      await fetch(`${webui.url}/api/v1/auths/admin/config`, { headers: admin })
    ).json()) as Record<string, unknown>;
    const enabled = await fetch(`${webui.url}/api/v1/auths/admin/config`, {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ ...config, ENABLE_SIGNUP: true }),
    });
    expect(enabled.status).toBe(200);
    second = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await second.goto(`${webui.url}/auth`);
    await second.getByText("Sign up", { exact: true }).click();
    await second.locator("#name").fill("Bea User");
    await second.locator("#email").fill("bea@example.com");
    await second.locator("#password").fill("another-horse-battery");
    await second.getByRole("button", { name: "Create Account" }).click();
    await second.locator("#chat-input").waitFor({ timeout: 30_000 });
    const token = await second.evaluate<string | null>("localStorage.getItem('token')");
    const visible = async () => {
      const response = await fetch(`${webui.url}/api/models`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const { data } = (await response.json()) as { data: { id: string }[] };
      return data.map((model) => model.id).includes(AGENT);
    };
    // Models from a connection are the admin's alone until shared (docs/open-webui.md).
    expect(await visible()).toBe(false);
    // What Admin Settings → Models → Visibility: Public does, through the API it calls.
    const shared = await fetch(`${webui.url}/api/v1/models/model/access/update`, {
      method: "POST",
      headers: admin,
      body: JSON.stringify({
        id: AGENT,
        name: AGENT,
        access_grants: [{ principal_type: "user", principal_id: "*", permission: "read" }],
      }),
    });
    expect(shared.status).toBe(200);
    expect(await visible()).toBe(true);
    await second.screenshot({ path: path.join(SHOTS, "08-second-user.png"), fullPage: true });
  });

  it("step 9: the second user's agent never sees the admin's memory", async () => {
    await openChat(second);
    const calls = chatTurns().length;
    await second.locator("#chat-input").click();
    await second.keyboard.type("What is my favorite color?");
    await second.keyboard.press("Enter");
    await expect.poll(() => chatTurns().length, { timeout: 30_000 }).toBeGreaterThan(calls);
    const turn = chatTurns().at(-1);
    expect(JSON.stringify(turn?.body.contents)).toContain("What is my favorite color?");
    expect(JSON.stringify(turn?.body.systemInstruction)).not.toContain("**green**");
    const answer = await answerShows("get_favorite_color", second);
    expect(answer.toLowerCase()).not.toContain("green");
    await second.screenshot({ path: path.join(SHOTS, "09-second-user-chat.png"), fullPage: true });
    expect(await second.locator("[data-sonner-toast]").allInnerTexts()).toEqual([]);
  });
});

/** The fake's chat-turn requests (background tasks carry no tools). */
function chatTurns() {
  return fx.gemini.requests.filter(
    (r) => r.method === "streamGenerateContent" && r.body.tools !== undefined,
  );
}

function lastChatTurn() {
  return chatTurns().at(-1);
}
