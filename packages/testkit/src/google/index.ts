export type { FakeGoogleClient, FakeGoogleUser } from "./oauth-state.ts";
export type { FakeGoogle, FakeGoogleOptions, RecordedGoogleRequest } from "./server.ts";
export { startFakeGoogle } from "./server.ts";
