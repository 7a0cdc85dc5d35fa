// What one HTTP request may still do, shared by every procedure of a tRPC batch: the texts it may still
// classify (MAX_TEXTS_PER_REQUEST for the whole request, not per call) and the rate limit it came closest to,
// which becomes the RateLimit-* headers of the answer.
import { AppError } from "../errors.ts";
import type { LimitState } from "./rateLimits.server.ts";

export class RequestBudget {
  private textsLeft: number;
  private closest: LimitState | null = null;

  constructor(private readonly maxTexts: number) {
    this.textsLeft = maxTexts;
  }

  /** Takes `count` texts from this request's allowance, or refuses the call (nothing is classified). */
  takeTexts(count: number, field = "texts"): void {
    if (count > this.textsLeft) {
      const used = this.maxTexts - this.textsLeft;
      const earlier = used > 0 ? ` (${used} already in other calls of this request)` : "";
      throw new AppError("BAD_REQUEST", "predict.tooManyTexts", `Too many texts: ${count + used}${earlier}, the limit is ${this.maxTexts} per request (use a batch job for more)`, field);
    }
    this.textsLeft -= count;
  }

  readonly report = (state: LimitState): void => {
    const share = (s: LimitState) => s.remaining / s.limit;
    if (!this.closest || share(state) < share(this.closest)) this.closest = state;
  };

  /** The IETF RateLimit-* fields (draft-ietf-httpapi-ratelimit-headers), plus Retry-After when the request was refused. */
  headers(refused: { retryAfterSeconds?: number } | null): Record<string, string> {
    const headers: Record<string, string> = {};
    if (this.closest) {
      headers["RateLimit-Limit"] = String(this.closest.limit);
      headers["RateLimit-Remaining"] = String(this.closest.remaining);
      headers["RateLimit-Reset"] = String(this.closest.resetSeconds);
    }
    if (refused?.retryAfterSeconds) headers["Retry-After"] = String(refused.retryAfterSeconds);
    return headers;
  }
}
