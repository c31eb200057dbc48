import type { EvalCase } from "../eval-case.ts";

// agno/demo-agent and its color tools. The hex codes are what the tools compute (HSL math,
// deterministic), so an answer holding them quoted the tool rather than inventing colors.

export const demoAgentCases: EvalCase[] = [
  {
    id: "demo-save-favorite",
    agent: "demo-agent",
    messages: [{ role: "user", content: "Please remember that my favorite color is purple." }],
    expectedTools: [{ name: "set_favorite_color", args: { color: "purple" } }],
    facts: ["purple"],
  },
  {
    id: "demo-complementary-palette",
    agent: "demo-agent",
    messages: [{ role: "user", content: "Make me a complementary palette from #3366CC." }],
    expectedTools: [
      { name: "generate_color_palette", args: { paletteType: "complementary", color: "3366CC" } },
    ],
    facts: ["#CC9933", "#99B3E6", "#7A5C1F"],
  },
  {
    id: "demo-triadic-red",
    agent: "demo-agent",
    messages: [{ role: "user", content: "Which colors make a triadic palette with red?" }],
    expectedTools: [{ name: "generate_color_palette", args: { paletteType: "triadic" } }],
    facts: ["#FF0000", "#00FF00", "#0000FF"],
  },
  {
    id: "demo-meditation-scheme",
    agent: "demo-agent",
    messages: [
      {
        role: "user",
        content: "Design a color scheme for a calming meditation app, starting from #4A90A4.",
      },
    ],
    expectedTools: [
      { name: "design_color_scheme_for_purpose", args: { purpose: "meditation", color: "4A90A4" } },
    ],
    facts: ["#549FB4", "#F2F6F8", "#29393D"],
    rubric:
      "The answer gives a primary, a background and a text color with hex codes and explains why they suit a calm app.",
  },
  {
    id: "demo-conversation-analogous",
    agent: "demo-agent",
    messages: [
      { role: "user", content: "I really like orange." },
      {
        role: "assistant",
        content: "Orange is a warm, energetic color! Shall I build a palette from it?",
      },
      { role: "user", content: "Yes please, an analogous one." },
    ],
    expectedTools: [{ name: "generate_color_palette", args: { paletteType: "analogous" } }],
    facts: ["#FF2500", "#FFA500", "#DAFF00"],
  },
  {
    id: "demo-no-favorite-asks",
    agent: "demo-agent",
    messages: [{ role: "user", content: "Make me a palette from my favorite color." }],
    expectedTools: [],
    facts: [],
    rubric:
      "The user has no saved favorite color. The answer asks which color they like (or offers choices) and does not present a palette of hex codes as if it knew their favorite.",
  },
];
