import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RETRIED_MARKER } from "../../../scripts/test-report/failure-digest.ts";
import { type RunningOpenWebUi, startOpenWebUi } from "../src/open-webui.ts";
import { repoRoot } from "../src/repo-paths.ts";
import {
  JIRA_MODEL,
  type JiraStackFixture,
  startJiraStackFixture,
} from "../test/jira-stack-fixture.ts";

// Open WebUI, the client our users use, in a real browser in front of the real proxy, runtime
// and fake Gemini: what a person sees, not what the API returns. Run by `just test-e2e`, once
// per identity mode (docs/open-webui.md §2), one after the other: each Open WebUI takes a
// core and over a gigabyte while it starts.

const AGENT = "agno/demo-agent";
/** The color before the edit, as a word ("rememberedFor" holds the letters too). */
const RED = /\bred\b/i;

interface IdentityMode {
  /** Names the screenshot folder, tmp/test-results/e2e/<name>/. */
  readonly name: "headers" | "jwt";
  /** What the bridge logs as the source of the user id (bridge/README.md, "Identity"). */
  readonly source: "header" | "jwt";
  /** Shared by Open WebUI and the proxy; none in header mode. */
  readonly secret?: string;
}

const MODES: readonly IdentityMode[] = [
  { name: "headers", source: "header" },
  // A fresh 32-byte secret (RFC 7518 3.2's minimum for HS256) per run, never a fixed one.
  { name: "jwt", source: "jwt", secret: randomBytes(32).toString("base64url") },
];

describe.each(MODES)("Open WebUI in a real browser, identity by $name", (mode) => {
  const shots = path.join(repoRoot, "tmp/test-results/e2e", mode.name);
  let fx: JiraStackFixture;
  let webui: RunningOpenWebUi;
  let browser: Browser;
  let page: Page;
  let second: Page | undefined;
  /** The connect page, when Open WebUI opened the link in a tab of its own. */
  let connectTab: Page | undefined;

  /** How to stop what `setUp` started, in the order it started. */
  const started: (() => Promise<void>)[] = [];

  /** The stack with its fake Jira, Open WebUI in front of it, and a browser. */
  async function setUp(): Promise<void> {
    const secret = mode.secret;
    // The stack also serves the Jira fixture agent, with a fake Jira, for the connect steps.
    const stack = await startJiraStackFixture({
      env: secret ? { AGENTLLM_IDENTITY_JWT_SECRET: secret } : {},
      logLevel: "warn",
    });
    started.push(() => stack.close());
    fx = stack;
    const folder = mkdtempSync(path.join(os.tmpdir(), "agentllm-open-webui-"));
    started.push(async () => rmSync(folder, { recursive: true, force: true }));
    const openWebUi = await startOpenWebUi({
      openaiBaseUrl: `${stack.stack.proxyUrl}/v1`,
      apiKey: stack.stack.masterKey,
      dataDir: folder,
      env: secret ? { FORWARD_USER_INFO_HEADER_JWT_SECRET: secret } : {},
    });
    started.push(() => openWebUi.close());
    webui = openWebUi;
    const chromiumBrowser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      // No GPU and no QUIC on a headless machine without internet: fewer helper processes
      // that can fail or hang, and no connections the closed network refuses.
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic"],
    });
    started.push(() => chromiumBrowser.close());
    browser = chromiumBrowser;
    page = await newUserPage(browser);
  }

  /** Stops what `setUp` started, last first; safe to call after a set-up that failed halfway. */
  async function tearDown(): Promise<void> {
    for (const stop of started.splice(0).reverse()) await stop();
  }

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    try {
      await setUp();
    } catch (error) {
      // Five processes start on ports picked beforehand: one start in many can lose a race no
      // step is about. Its error is printed above CI's total (the failure digest keeps the
      // marked line), and a second failure fails the steps.
      console.warn(`${RETRIED_MARKER} e2e set-up, identity by ${mode.name}\n${String(error)}`);
      await tearDown();
      await setUp();
    }
  }, 600_000);

  afterAll(tearDown);

  // A failing step leaves a picture of what the browser showed, named after the step.
  afterEach(async (context) => {
    if (context.task.result?.state !== "fail") return;
    const name = context.task.name.replace(/[^a-z0-9]+/gi, "-").slice(0, 60);
    await page?.screenshot({ path: path.join(shots, `FAILED-${name}.png`), fullPage: true });
    await second?.screenshot({
      path: path.join(shots, `FAILED-${name}-second.png`),
      fullPage: true,
    });
    if (connectTab && !connectTab.isClosed()) {
      await connectTab.screenshot({
        path: path.join(shots, `FAILED-${name}-connect.png`),
        fullPage: true,
      });
    }
  });

  /** A screenshot named after the step, in this mode's artifacts folder. */
  async function shot(step: string, on: Page = page): Promise<void> {
    await on.screenshot({ path: path.join(shots, `${step}.png`), fullPage: true });
  }

  /** A new chat with the agent. */
  async function openChat(on: Page, model = AGENT): Promise<void> {
    await on.goto(`${webui.url}/?models=${encodeURIComponent(model)}`);
    await on.locator("#chat-input").waitFor();
  }

  /**
   * The messages of the chat `on` shows that Open WebUI stored with an error: what its red
   * notice under an answer shows (an error the page only renders, without a toast).
   */
  async function storedErrors(on: Page): Promise<unknown[]> {
    const chatId = /\/c\/([^/?#]+)/.exec(on.url())?.[1];
    if (chatId === undefined) return [];
    const response = await fetch(`${webui.url}/api/v1/chats/${chatId}`, {
      headers: { authorization: `Bearer ${await tokenOf(on)}` },
    });
    expect(response.status).toBe(200);
    const { chat } = (await response.json()) as {
      chat: { history: { messages: Record<string, { error?: unknown }> } };
    };
    return Object.values(chat.history.messages)
      .map((message) => message.error)
      .filter(Boolean);
  }

  /**
   * What every answer must look like once streamed: no raw markup of our tool cards, no text
   * said twice, no error toast, no error stored with the chat.
   */
  async function expectClean(answer: string, on: Page = page): Promise<void> {
    for (const raw of ["<details", "</details", "<summary", "&quot;", "&lt;", "&gt;", "&amp;"]) {
      expect(answer, `the answer shows raw markup ${raw}`).not.toContain(raw);
    }
    expect(repeatedLines(answer), "the answer repeats itself").toEqual([]);
    const opening = answer.trim().slice(0, 30);
    expect(answer.split(opening).length, "the answer starts over inside itself").toBe(2);
    expect(answer.split("I am the fake Gemini").length, "the greeting doubled").toBeLessThan(3);
    expect(await errorToasts(on)).toEqual([]);
    expect(await storedErrors(on)).toEqual([]);
  }

  it("step 1: the first user signs up through the page and becomes the admin", async () => {
    await page.goto(`${webui.url}/auth`);
    await page.getByRole("button", { name: "Get started" }).click();
    await page.locator("#name").fill("Ada Admin");
    await page.locator("#email").fill("ada@example.com");
    await page.locator("#password").fill("correct-horse-battery");
    await page.getByRole("button", { name: "Create Admin Account" }).click();
    await page.locator("#chat-input").waitFor({ timeout: 30_000 });
    expect((await whoAmI(page)).role).toBe("admin");
    expect(await errorToasts(page)).toEqual([]);
    await shot("01-signed-up");
  });

  it("step 2: a tool call renders as a tool card with its result, the answer has no raw markup", async () => {
    await openChat(page);
    await send(page, "Make me a palette from blue");
    const answer = await answerShows(page, "Here is what");
    await expect
      .poll(() => page.getByText("View Result from generate_color_palette").count(), {
        timeout: 30_000,
      })
      .toBeGreaterThan(0);
    // Said once: a streamed answer that doubled would show its opening twice.
    expect(answer.split("Here is what").length).toBe(2);
    await expectClean(answer);
    await shot("02-tool-card");
  });

  it("step 2b: the tool's status line shows above the answer, outside its text, and is stored", async () => {
    // Open WebUI draws the last status of a message above it (dimmed once done; a click shows
    // them all) and keeps every status event in the message's statusHistory.
    const status = page.locator(".status-description").last();
    await expect
      // biome-ignore lint/performance/useDomNodeTextContent: the rendered line a person reads
      .poll(() => status.innerText(), { timeout: 30_000 })
      .toContain("Generating a palette — done");
    expect(await lastAnswer(page)).not.toContain("Generating a palette");
    const chatId = /\/c\/([^/?#]+)/.exec(page.url())?.[1];
    const response = await fetch(`${webui.url}/api/v1/chats/${chatId}`, {
      headers: { authorization: `Bearer ${await tokenOf(page)}` },
    });
    const { chat } = (await response.json()) as {
      chat: { history: { messages: Record<string, { statusHistory?: unknown[] }> } };
    };
    const stored = Object.values(chat.history.messages).flatMap((m) => m.statusHistory ?? []);
    // Two lines that read as progress, not one line twice.
    expect(stored).toEqual([
      { description: "Generating a palette…", done: false },
      { description: "Generating a palette — done", done: true },
    ]);
    await page.getByRole("button", { name: "Toggle status history" }).last().click();
    await shot("02b-status-line");
  });

  it("step 2c: the agent's thoughts show in the collapsible thinking block, not in the answer", async () => {
    // The demo agent asks for thought summaries; the fake Gemini's default responder streams one
    // per step ("Picking a tool", then "Summing up the results"), which reach Open WebUI as
    // reasoning_content and which it draws as one collapsed block above the answer.
    const container = page.locator("#response-content-container").last();
    const block = container.getByText(/Thought for|Thinking/).first();
    await block.waitFor({ timeout: 30_000 });
    const collapsed = await lastAnswer(page);
    for (const thought of ["Picking a tool", "Summing up the results"]) {
      expect(collapsed, `the thought "${thought}" leaked into the answer`).not.toContain(thought);
    }
    expect(collapsed).toContain("Here is what");
    await block.click();
    await expect
      // biome-ignore lint/performance/useDomNodeTextContent: the rendered text a person reads
      .poll(() => container.innerText(), { timeout: 10_000 })
      .toContain("Picking a tool");
    // The block slides open: the picture waits until the last thought has stopped moving.
    await settled(container.getByText("Summing up the results"));
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text a person reads
    const expanded = await container.innerText();
    // One block for the answer's two steps, above the answer's text.
    expect(expanded.split(/Thought for/).length).toBe(2);
    expect(expanded.indexOf("Picking a tool")).toBeLessThan(expanded.indexOf("Here is what"));
    await shot("02c-thinking-block");
    // Collapsed again, and gone from the text, as the later steps read the answer.
    await block.click();
    await expect
      // biome-ignore lint/performance/useDomNodeTextContent: the rendered text a person reads
      .poll(() => container.innerText(), { timeout: 10_000 })
      .not.toContain("Picking a tool");
  });

  it("step 3: Continue (▷) appends to the answer, with no error", async () => {
    const before = await lastAnswer(page);
    const button = page.locator('button[aria-label="Continue Response"]').last();
    await button.hover();
    await button.click();
    const after = await answerShows(page, "(The fake Gemini continues an answer");
    expect(after.startsWith(before.trimEnd().slice(0, 40))).toBe(true);
    await expectClean(after);
    await shot("03-continued");
  });

  it("step 4: a follow-up reaches the model with the earlier tool call, from the session", async () => {
    const calls = chatTurns().length;
    await send(page, "Thanks! Now something calmer");
    await expect.poll(() => chatTurns().length, { timeout: 30_000 }).toBeGreaterThan(calls);
    const answer = await answerShows(page, "fake Gemini");
    const contents = JSON.stringify(chatTurns().at(-1)?.body.contents);
    expect(contents).toContain("Now something calmer");
    // The tool call is nowhere in what Open WebUI sent; only the stored session had it.
    expect(contents).toContain('"functionCall"');
    expect(contents).not.toContain("<details");
    await expectClean(answer);
    await shot("04-follow-up");
  });

  it("step 5: the chat got a title from a background task, without an error", async () => {
    await expect
      .poll(() => page.getByText("Chat with the fake Gemini").count(), { timeout: 30_000 })
      .toBeGreaterThan(0);
    expect(await errorToasts(page)).toEqual([]);
    await shot("05-titled");
  });

  it("step 6: Regenerate asks again from the same history, without the answer it replaces", async () => {
    await answerShows(page, "fake Gemini");
    const before = chatTurns().length;
    const regenerate = page.locator('button[aria-label="Regenerate"]').last();
    await regenerate.hover();
    await regenerate.click();
    // 0.12 opens a menu under the button: "Try Again" regenerates as it is.
    await page.getByText("Try Again", { exact: true }).click();
    await expect.poll(() => chatTurns().length, { timeout: 30_000 }).toBe(before + 1);
    const answer = await answerShows(page, "Now something calmer");
    const contents = JSON.stringify(chatTurns().at(-1)?.body.contents);
    expect(contents).toContain("Now something calmer");
    expect(contents).toContain('"functionCall"');
    // The answer being replaced is not part of what the model is asked again.
    expect(contents).not.toContain("I am the fake Gemini");
    await expectClean(answer);
    await shot("06-regenerated");
  });

  it("step 7: the admin's favorite color is remembered for the admin, in a new chat too", async () => {
    await send(page, "Remember that my favorite color is green");
    await expectClean(await answerShows(page, "set_favorite_color"));
    await openChat(page);
    await send(page, "Hello again");
    await expectClean(await answerShows(page, "fake Gemini"));
    expect(JSON.stringify(chatTurns().at(-1)?.body.systemInstruction)).toContain("**green**");
    await shot("07-admin-remembered");
  });

  it(`step 8: the proxy named the user from the ${mode.source === "jwt" ? "signed token" : "plain headers"}, and only from it`, async () => {
    // The bridge logs one line per agent call with the source of the user id, never the id.
    const sources = [...fx.stack.proxy.output().matchAll(/agent call .* identity=(\w+)/g)].map(
      (match) => match[1],
    );
    expect(sources.length).toBeGreaterThan(0);
    expect(new Set(sources)).toEqual(new Set([mode.source]));
    // A caller with the proxy key who claims to be the admin in a plain header: header mode
    // believes it (why it is for a proxy only Open WebUI reaches), token mode ignores it.
    const { id: adminId } = await whoAmI(page);
    const forged = await fx.client.chat.completions.create(
      { model: AGENT, messages: [{ role: "user", content: "What is my favorite color?" }] },
      { headers: { "X-OpenWebUI-User-Id": adminId } },
    );
    const reply = forged.choices[0]?.message.content ?? "";
    expect(reply).toContain("get_favorite_color");
    expect(reply.includes("green")).toBe(mode.source === "header");
  });

  it("step 9: the admin opens new sign-ups and shares the agent in the admin pages; a second user signs up", async () => {
    // Admin Settings → Authentication (0.12.4 keeps sign-ups and the default role there, not
    // under General): new accounts are users at once rather than pending the admin's approval.
    // 0.12.4 shows Admin Settings as a dialog over the chat page, at this address.
    await page.goto(`${webui.url}/admin/settings/general`);
    const settings = page.getByRole("dialog");
    await settings.getByText("Authentication", { exact: true }).first().click();
    await settings.getByLabel("Default User Role").selectOption("user");
    const signUps = settings.getByRole("switch", { name: "New Sign Ups" });
    if ((await signUps.getAttribute("aria-checked")) !== "true") await signUps.click();
    await expect.poll(() => signUps.getAttribute("aria-checked")).toBe("true");
    await settings.getByRole("button", { name: "Save", exact: true }).click();
    await expect
      .poll(async () => (await adminConfig()).ENABLE_SIGNUP, { timeout: 10_000 })
      .toBe(true);
    expect((await adminConfig()).DEFAULT_USER_ROLE).toBe("user");
    await shot("09a-sign-ups-opened");

    second = await newUserPage(browser);
    await second.goto(`${webui.url}/auth`);
    await second.getByText("Sign up", { exact: true }).click();
    await second.locator("#name").fill("Bea User");
    await second.locator("#email").fill("bea@example.com");
    await second.locator("#password").fill("another-horse-battery");
    await second.getByRole("button", { name: "Create Account" }).click();
    await second.locator("#chat-input").waitFor({ timeout: 30_000 });
    expect((await whoAmI(second)).role).toBe("user");
    // Models from a connection are the admin's alone until shared (docs/open-webui.md).
    expect(await agentVisibleTo(second)).toBe(false);

    await shareAgent(AGENT, "09b-agent-public");
    expect(await errorToasts(page)).toEqual([]);
    await shot("09c-second-user", second);
  });

  it("step 10: the second user's agent never sees the admin's memory", async () => {
    const on = second as Page;
    await openChat(on);
    const calls = chatTurns().length;
    await send(on, "What is my favorite color?");
    await expect.poll(() => chatTurns().length, { timeout: 30_000 }).toBeGreaterThan(calls);
    const turn = chatTurns().at(-1);
    expect(JSON.stringify(turn?.body.contents)).toContain("What is my favorite color?");
    expect(JSON.stringify(turn?.body.systemInstruction)).not.toContain("**green**");
    const answer = await answerShows(on, "get_favorite_color");
    expect(answer.toLowerCase()).not.toContain("green");
    await expectClean(answer, on);
    await shot("10-second-user-chat", on);
  });

  it("step 11: editing an earlier message forks the chat; the agent acts on the edited text only", async () => {
    const on = second as Page;
    await openChat(on);
    await send(on, "Remember that my favorite color is red");
    expect(await answerShows(on, "favoriteColor: red")).not.toMatch(/purple/i);
    await shot("11a-before-edit", on);

    // ✎ on the user's message, change the text, Send: Open WebUI asks again from there.
    const calls = chatTurns().length;
    const original = on.getByText("Remember that my favorite color is red", { exact: true });
    await original.hover();
    await on.locator('button[aria-label="Edit"]').first().click();
    const editor = on.locator('textarea[id^="message-edit-"]');
    await editor.fill("Remember that my favorite color is purple");
    await on.locator("#confirm-edit-message-button").click();
    await expect.poll(() => chatTurns().length, { timeout: 30_000 }).toBeGreaterThan(calls);
    const edited = await answerShows(on, "favoriteColor: purple");
    expect(edited).not.toMatch(RED);
    await expectClean(edited, on);
    const editedTurn = JSON.stringify(chatTurns().at(-1)?.body.contents);
    expect(editedTurn).toContain("favorite color is purple");
    expect(editedTurn).not.toContain("favorite color is red");

    // The next question is answered from the edited branch: the old one is not current.
    await send(on, "What is my favorite color?");
    const answer = await answerShows(on, "get_favorite_color");
    expect(answer).toContain("favoriteColor: purple");
    expect(answer).not.toMatch(RED);
    await expectClean(answer, on);
    const nextTurn = JSON.stringify(chatTurns().at(-1)?.body.contents);
    expect(nextTurn).toContain("favorite color is purple");
    expect(nextTurn).not.toContain("favorite color is red");
    expect(nextTurn).not.toContain('"red"');
    await shot("11b-after-edit", on);
  });

  it("step 12: the second user's edits leave the admin's memory alone", async () => {
    await openChat(page);
    await send(page, "What is my favorite color?");
    const answer = await answerShows(page, "get_favorite_color");
    expect(answer).toContain("green");
    expect(answer).not.toContain("purple");
    await expectClean(answer);
    await shot("12-admin-still-green");
  });

  it("step 13: the second user asks the Jira agent; the answer shows a clickable connect link", async () => {
    await shareAgent(JIRA_MODEL, "13a-jira-agent-public");
    const on = second as Page;
    await openChat(on, JIRA_MODEL);
    await send(on, "What is the status of issue DEMO-1?");
    const answer = await answerShows(on, "Connect Jira");
    // Rendered as a link, not as the markdown that makes one.
    expect(answer).not.toContain("](");
    await expectClean(answer, on);
    const link = on
      .locator("#response-content-container")
      .last()
      .getByRole("link", { name: "Connect Jira" });
    const href = (await link.getAttribute("href")) ?? "";
    expect(href.startsWith(`${fx.stack.publicUrl}/connect/jira?ticket=`)).toBe(true);
    expect(fx.jira.requests).toHaveLength(0);
    // The call did not fail, the user has a step to take: its card has no red ✗ (Open WebUI
    // draws one for a result with an `error` field).
    const card = on.locator("#response-content-container").last();
    await card.getByText("get_issue").filter({ visible: true }).first().waitFor();
    expect(await card.locator(".text-red-500 svg, .text-red-400 svg").count()).toBe(0);
    await shot("13b-connect-link", on);

    // Clicking it opens the connect page: in a new tab when the link says so, else in place.
    const opensTab = (await link.getAttribute("target")) === "_blank";
    const tab = opensTab ? on.context().waitForEvent("page") : undefined;
    await link.click();
    connectTab = tab ? await tab : on;
    await connectTab.getByRole("heading", { name: "Connect Jira" }).waitFor();
    // The page is for the user Open WebUI signed in, named by the ticket alone.
    await connectTab.getByText((await whoAmI(on)).id, { exact: true }).waitFor();
    await shot("13c-connect-page", connectTab);
  });

  it("step 14: the user fills the form and sees Connected; back in the chat, the agent reads the issue", async () => {
    const tab = connectTab as Page;
    await tab.locator("#field-serverUrl").fill(fx.jira.url);
    await tab.locator("#field-token").fill(fx.users[0].token);
    await tab.getByRole("button", { name: "Connect", exact: true }).click();
    await tab.getByRole("heading", { name: "Connected: go back to the chat" }).waitFor();
    await shot("14a-connected", tab);
    const on = second as Page;
    if (tab === on) await on.goBack();
    else await tab.close();
    await on.bringToFront();
    await on.locator("#chat-input").waitFor();

    await send(on, "I connected Jira. What is the status of issue DEMO-1 now?");
    const answer = await answerShows(on, "Export to CSV drops rows with non-ASCII names");
    await expectClean(answer, on);
    const reads = fx.jira.requests.filter((request) => request.path.includes("/issue/"));
    expect(reads.map((request) => [request.path, request.auth.userId])).toEqual([
      ["/rest/api/2/issue/DEMO-1", fx.users[0].id],
    ]);
    // The token went from the form to the vault and Jira, and nowhere the model or logs see.
    expect(JSON.stringify(fx.gemini.requests.map((r) => r.body))).not.toContain(fx.users[0].token);
    expect(fx.output()).not.toContain(fx.users[0].token);
    await shot("14b-issue-read", on);
  });

  it("step 15: the agent asks before commenting; the user approves in the chat and Jira gets one comment", async () => {
    const on = second as Page;
    await send(on, 'Add a comment to DEMO-1 saying "Verified on staging, ready to close."');
    const asked = await answerShows(on, "Reply approve");
    expect(asked).toContain("Approval needed.");
    expect(asked).toContain("Add a comment to DEMO-1 in Jira");
    await expectClean(asked, on);
    expect(fx.jira.writes).toEqual([]);
    await shot("15a-approval-asked", on);

    await send(on, "approve");
    const answer = await answerShows(on, "comment_id");
    await expectClean(answer, on);
    expect(fx.jira.writes).toHaveLength(1);
    expect(fx.jira.writes[0]).toMatchObject({
      kind: "comment",
      issueKey: "DEMO-1",
      userId: fx.users[0].id,
    });
    // The exact text the user was shown, nothing else.
    expect(asked).toContain((fx.jira.writes[0] as { body: string }).body);
    await shot("15b-approved", on);
  });

  /**
   * Admin Settings → Models → the agent → Access → Visibility: Public, then the second user
   * sees it. The access dialog saves the choice itself; there is nothing else to press.
   */
  async function shareAgent(model: string, step: string): Promise<void> {
    await page.goto(`${webui.url}/admin/settings/general`);
    const settings = page.getByRole("dialog");
    await settings.getByText("Models", { exact: true }).first().click();
    await settings.getByText(model, { exact: true }).click();
    await page.getByRole("button", { name: "Access", exact: true }).click();
    const access = page.getByRole("dialog").filter({ hasText: "Access Control" });
    await access.getByRole("button", { name: "Private" }).click();
    await page.getByRole("menuitemradio", { name: "Public" }).click();
    await access.getByText("Accessible to all users").waitFor();
    await page.getByRole("menu").waitFor({ state: "hidden" });
    await shot(step);
    await access.getByRole("button", { name: "Close" }).click();
    await expect.poll(() => agentVisibleTo(second as Page, model), { timeout: 10_000 }).toBe(true);
  }

  // Every action above goes through the pages. The API is only read, to check what a page did
  // (roles, settings saved, who sees the agent, errors stored with a chat): Open WebUI has a
  // page for each of these actions, so none of them is taken through the API.

  async function adminConfig(): Promise<{ ENABLE_SIGNUP?: boolean; DEFAULT_USER_ROLE?: string }> {
    const response = await fetch(`${webui.url}/api/v1/auths/admin/config`, {
      headers: { authorization: `Bearer ${await tokenOf(page)}` },
    });
    return (await response.json()) as { ENABLE_SIGNUP?: boolean; DEFAULT_USER_ROLE?: string };
  }

  async function whoAmI(on: Page): Promise<{ id: string; role: string }> {
    const response = await fetch(`${webui.url}/api/v1/auths/`, {
      headers: { authorization: `Bearer ${await tokenOf(on)}` },
    });
    return (await response.json()) as { id: string; role: string };
  }

  async function agentVisibleTo(on: Page, model = AGENT): Promise<boolean> {
    const response = await fetch(`${webui.url}/api/models`, {
      headers: { authorization: `Bearer ${await tokenOf(on)}` },
    });
    const { data } = (await response.json()) as { data: { id: string }[] };
    return data.map((entry) => entry.id).includes(model);
  }

  /** The fake's chat-turn requests (background tasks carry no tools). */
  function chatTurns() {
    return fx.gemini.requests.filter(
      (r) => r.method === "streamGenerateContent" && r.body.tools !== undefined,
    );
  }
});

async function tokenOf(on: Page): Promise<string | null> {
  return on.evaluate<string | null>("localStorage.getItem('token')");
}

/**
 * A browser page for one person. A new account sees Open WebUI's release notes once, in a dialog
 * over the page, whenever its settings have loaded (seconds later on a busy machine): Playwright
 * closes it before whichever action it would block ("Okay, Let's Go!" marks the notes read).
 */
async function newUserPage(browser: Browser): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.addLocatorHandler(page.getByRole("button", { name: "Okay, Let's Go!" }), (button) =>
    button.click(),
  );
  return page;
}

async function send(on: Page, text: string): Promise<void> {
  await on.locator("#chat-input").click();
  await on.keyboard.type(text);
  await on.keyboard.press("Enter");
}

/** The text the last answer shows, as a person reads it. */
async function lastAnswer(on: Page): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the rendered text a person reads, which is what is checked
  return on.locator("#response-content-container").last().innerText();
}

/**
 * Waits until the last answer shows `text` and has stopped changing (the stream has ended: the
 * fake streams a word every 30 ms), and returns it.
 */
async function answerShows(on: Page, text: string): Promise<string> {
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

/** Waits until `target` is on screen and in the same place on two looks in a row (a transition ended). */
async function settled(target: Locator): Promise<void> {
  let previous = "";
  await expect
    .poll(
      async () => {
        const box = await target.boundingBox();
        const current = JSON.stringify(box);
        const still = box !== null && box.height > 0 && current === previous;
        previous = current;
        return still;
      },
      { timeout: 10_000, interval: 300 },
    )
    .toBe(true);
}

/** Error toasts on screen (Open WebUI shows failures as sonner toasts; success ones are fine). */
async function errorToasts(on: Page): Promise<string[]> {
  return on.locator('[data-sonner-toast][data-type="error"]').allInnerTexts();
}

/** Lines of some length shown more than once: a stream rendered twice repeats its lines. */
function repeatedLines(text: string): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const line of text.split("\n").map((l) => l.trim())) {
    if (line.length < 12) continue;
    if (seen.has(line)) repeated.add(line);
    seen.add(line);
  }
  return [...repeated];
}
