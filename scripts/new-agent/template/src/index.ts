export { default as __CAMEL_NAME__Agent } from "./agent.ts";
export { __CAMEL_NAME__Toolkit } from "./toolkit.ts";
