import type { ConnectLinks } from "./connect-links.ts";
import type { TicketSigner } from "./ticket-signer.ts";

/** `${publicUrl}/connect/<toolkit>?ticket=…`, a fresh signed ticket per link. */
export class TicketConnectLinks implements ConnectLinks {
  readonly #base: string;
  readonly #signer: TicketSigner;

  constructor(publicUrl: string, signer: TicketSigner) {
    // Kept with its path (a reverse proxy may serve the listener under a prefix), minus "/".
    const url = new URL(publicUrl);
    this.#base = `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
    this.#signer = signer;
  }

  async linkFor(userId: string, toolkit: string): Promise<string> {
    const ticket = this.#signer.issue(userId, toolkit);
    return `${this.#base}/connect/${encodeURIComponent(toolkit)}?ticket=${ticket}`;
  }
}
