// What a Remix action shows for what the tRPC caller threw: the server's caller (remixCaller in
// server/http/errorAnswers.server.ts) converted it once; this only reads that conversion.
import { actionErrorOf, INTERNAL_ACTION_ERROR, type ActionError } from "#common/actionError.ts";

export type { ActionError };

export function toActionError(error: unknown): ActionError {
  // A Response is Remix's to render (the database's 503 page): pass it on.
  if (error instanceof Response) throw error;
  return actionErrorOf(error) ?? INTERNAL_ACTION_ERROR;
}
