// What a Remix page shows for a failed call (a message key it translates, the field, the status), carried on
// the thrown error under a registered symbol: the server's bundle sets it, the app's bundle reads it, and no
// class has to be the same object in both.
export type ActionError = { messageKey: string; params: Record<string, string | number>; field: string | null; status: number };

const ACTION_ERROR = Symbol.for("cam-xuc.actionError");

export function attachActionError<E extends object>(error: E, actionError: ActionError): E {
  Object.defineProperty(error, ACTION_ERROR, { value: actionError, enumerable: false });
  return error;
}

export function actionErrorOf(error: unknown): ActionError | null {
  return typeof error === "object" && error !== null && ACTION_ERROR in error ? ((error as Record<symbol, ActionError>)[ACTION_ERROR] ?? null) : null;
}

export const INTERNAL_ACTION_ERROR: ActionError = { messageKey: "error.internal", params: {}, field: null, status: 500 };
