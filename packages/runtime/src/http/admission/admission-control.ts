/** The limits admission control keeps; see docs/configuration.md for how the defaults were chosen. */
export interface AdmissionLimits {
  /** Chat completions in progress at once. */
  readonly maxConcurrentRuns: number;
  /** Sum of the bodies of the requests being read or run. */
  readonly maxInflightBytes: number;
}

/** What one admitted request holds; `release()` gives it back (more than once is harmless). */
export interface AdmissionTicket {
  /** Bytes this request counts against the in-flight budget. */
  readonly bytes: number;
  /** Counts `total` bytes for this request in all; false (and nothing taken) when they do not fit. */
  growTo(total: number): boolean;
  release(): void;
}

export interface AdmissionObserver {
  /** Called for each refusal (a 503), with which limit refused it; for metrics. */
  readonly onRefused?: (reason: "runs" | "bytes") => void;
}

/**
 * Counts the work the runtime holds: runs in progress and the request bytes behind them. Past
 * either limit a request is refused before it costs anything, so a burst gets clean 503s rather
 * than a heap that overflows and takes every other conversation down with it.
 */
export class AdmissionControl {
  readonly #limits: AdmissionLimits;
  readonly #onRefused: ((reason: "runs" | "bytes") => void) | undefined;
  #runs = 0;
  #bytes = 0;

  constructor(limits: AdmissionLimits, observer: AdmissionObserver = {}) {
    this.#limits = Object.freeze({ ...limits });
    this.#onRefused = observer.onRefused;
  }

  get limits(): AdmissionLimits {
    return this.#limits;
  }

  /** Runs in progress now. */
  get runs(): number {
    return this.#runs;
  }

  /** In-flight request bytes now. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Admits a request of `bytes` (its declared length, 0 when unknown), taking a run slot when
   * `run`. Returns why not when it does not fit; takes nothing then.
   */
  admit(bytes: number, run: boolean): AdmissionTicket | "runs" | "bytes" {
    if (run && this.#runs >= this.#limits.maxConcurrentRuns) return this.#refuse("runs");
    if (!this.#fits(bytes)) return this.#refuse("bytes");
    if (run) this.#runs += 1;
    this.#bytes += bytes;
    let held = bytes;
    let released = false;
    return {
      get bytes() {
        return held;
      },
      growTo: (total) => {
        if (released) return false;
        const extra = total - held;
        if (extra <= 0) return true;
        if (!this.#fits(extra)) {
          this.#refuse("bytes");
          return false;
        }
        this.#bytes += extra;
        held = total;
        return true;
      },
      release: () => {
        if (released) return;
        released = true;
        this.#bytes -= held;
        if (run) this.#runs -= 1;
      },
    };
  }

  #refuse(reason: "runs" | "bytes"): "runs" | "bytes" {
    this.#onRefused?.(reason);
    return reason;
  }

  #fits(bytes: number): boolean {
    return this.#bytes + bytes <= this.#limits.maxInflightBytes;
  }
}
