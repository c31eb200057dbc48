export { default as demoAgent } from "./agent.ts";
