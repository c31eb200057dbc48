import { type FakeGoogle, startFakeGoogle } from "@agentllm/testkit";
import { type GoogleGrant, GoogleOAuth } from "../oauth/google-oauth.ts";

export const FAKE_REDIRECT_URI = "http://127.0.0.1:9502/oauth/callback/google";
export const DRIVE_SCOPE = "https://www.googleapis.com/auth/drive.readonly";

/** The testkit's fake Google and a `GoogleOAuth` client pointed at it, as the runtime makes one. */
export async function googleOAuthOnFake(): Promise<{
  google: FakeGoogle;
  oauth: GoogleOAuth;
  /** The user's browser at the consent screen: where Google sends it back to. */
  consent(url: URL): Promise<URL>;
  /** A whole sign-in: consent URL, consent, callback. */
  signIn(scopes?: readonly string[]): Promise<GoogleGrant>;
}> {
  const google = await startFakeGoogle();
  const oauth = new GoogleOAuth({
    clientId: "fake-google-client-id",
    clientSecret: "fake-google-client-secret",
    redirectUri: FAKE_REDIRECT_URI,
    baseUrl: google.url,
  });
  const consent = async (url: URL): Promise<URL> => {
    const response = await fetch(url, { redirect: "manual" });
    if (response.status !== 302) throw new Error(`consent screen answered ${response.status}`);
    return new URL(response.headers.get("location") ?? "");
  };
  return {
    google,
    oauth,
    consent,
    async signIn(scopes = [DRIVE_SCOPE]) {
      const { url, pending } = await oauth.begin(scopes);
      return oauth.finish(await consent(url), pending);
    },
  };
}
