import { describe, expect, it } from "vitest";
import { detectMood } from "./purpose-mood.ts";

describe("detectMood", () => {
  it.each([
    ["calming meditation app", "calm"],
    ["Energetic fitness tracker", "energetic"],
    ["website for a corporate law firm", "professional"],
    ["kids' birthday party invitations", "playful"],
    ["luxury wedding boutique", "elegant"],
    ["a recipe blog", "balanced"],
  ])("%s → %s", (purpose, mood) => {
    expect(detectMood(purpose).mood).toBe(mood);
  });

  it("reports the words that decided", () => {
    expect(detectMood("A relaxing, calm yoga studio")).toEqual({
      mood: "calm",
      matchedKeywords: ["relaxing", "calm", "yoga"],
    });
  });

  it("lets the mood with the most hits win", () => {
    expect(detectMood("a playful, fun game for kids").mood).toBe("playful");
  });

  it("breaks ties by the order moods are listed", () => {
    expect(detectMood("calm gaming").mood).toBe("calm");
  });

  it("matches short keywords only as whole words", () => {
    expect(detectMood("space exploration fundraising").mood).toBe("balanced");
    expect(detectMood("a day spa").mood).toBe("calm");
  });
});
