/**
 * How one call is cancelled, with an AbortSignal only if something asks for one. Every
 * direct call (Gateway.directCalls) can be cancelled and hardly any is, and in Node 20 an
 * AbortController with a listener on its signal costs more CPU and garbage per call than
 * the policy decision and the redaction together.
 */
export class Cancellation {
  /** Why the call was cancelled; undefined while it is not. */
  reason: Error | undefined;
  /** Called once, on cancellation: the one party that acts on it (the upstream request) sets it and clears it. */
  onCancel: ((reason: Error) => void) | undefined;
  private controller: AbortController | undefined;

  get cancelled(): boolean {
    return this.reason !== undefined;
  }

  /** A signal that aborts with this cancellation (made on first use, aborted already if it came late). */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.reason !== undefined) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  cancel(reason: Error): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    const listener = this.onCancel;
    this.onCancel = undefined;
    listener?.(reason);
    this.controller?.abort(reason);
  }
}
