import { demoAgentCases } from "./demo-agent.ts";
import { releaseManagerCases } from "./release-manager.ts";
import { sprintReviewerCases } from "./sprint-reviewer.ts";

/** Every evaluation case, per agent: the cases `just test-eval` runs. */
export const allCases = [...demoAgentCases, ...releaseManagerCases, ...sprintReviewerCases];
