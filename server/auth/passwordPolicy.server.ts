// What a new password must be: long enough, not too long, not one of the most common passwords
// (server/auth/common-passwords.txt, built by scripts/build-common-passwords.ts) and not the e-mail itself.
import { readFileSync } from "node:fs";
import path from "node:path";
import { AppError } from "../errors.ts";
import { REPO_ROOT } from "../repoPaths.ts";

export const MAX_PASSWORD_LENGTH = 256;
export const COMMON_PASSWORDS_PATH = path.join(REPO_ROOT, "server", "auth", "common-passwords.txt");

let common: Set<string> | null = null;
function commonPasswords(): Set<string> {
  return (common ??= new Set(readFileSync(COMMON_PASSWORDS_PATH, "utf8").split("\n").filter(Boolean)));
}

/** Throws a 400 AppError naming what is wrong with a new password; `email` is already normalised. */
export function checkNewPassword(password: string, email: string, minLength: number, field = "password", minDistinct = 4): void {
  if (password.length < minLength) {
    throw new AppError("BAD_REQUEST", "auth.passwordTooShort", `Password must be at least ${minLength} characters`, field);
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new AppError("BAD_REQUEST", "auth.passwordTooLong", `Password must be at most ${MAX_PASSWORD_LENGTH} characters`, field);
  }
  const folded = password.normalize("NFC").trim().toLowerCase();
  if (folded === email || folded === email.split("@")[0]) {
    throw new AppError("BAD_REQUEST", "auth.passwordIsEmail", "Password must not be your email address", field);
  }
  if (commonPasswords().has(folded)) {
    throw new AppError("BAD_REQUEST", "auth.passwordTooCommon", "This password is one of the most common ones and easy to guess; choose another", field);
  }
  // Length alone lets "        " or "ơơơơơơơơ" through: a password needs a letter or digit and some variety.
  const distinct = new Set(password.normalize("NFC").toLowerCase()).size;
  if (!/[\p{L}\p{N}]/u.test(password) || distinct < minDistinct) {
    throw new AppError(
      "BAD_REQUEST",
      "auth.passwordTooSimple",
      `Password is too easy to guess: it needs at least one letter or digit (not only spaces or punctuation) and at least ${minDistinct} different characters`,
      field,
    );
  }
}
