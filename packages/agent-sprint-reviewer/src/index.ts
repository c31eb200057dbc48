export { default as sprintReviewerAgent } from "./agent.ts";
export {
  MAX_TEAM_MAPPING_URL_CHARS,
  sprintReviewerInstructions,
  TEAM_MAPPING_URL_VARIABLE,
} from "./instructions.ts";
