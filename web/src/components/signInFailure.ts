// What the sign-in form says when the server refuses: words for the person, not status codes.
import type { ApiError } from "@/api/problem";

function waitWords(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}

export function signInFailureMessage(error: ApiError | null): string {
  if (error === null) return "Signing in failed unexpectedly. Please try again.";
  if (error.status === 401) return "The email or the password is wrong.";
  if (error.status === 422) return "Enter your email and your password.";
  if (error.status === 429) {
    const wait = error.retryAfterSeconds;
    const when = wait === null ? "in a little while" : `in ${waitWords(wait)}`;
    return `Too many sign-in attempts. Try again ${when}.${error.problem.detail ? ` (${error.problem.detail})` : ""}`;
  }
  if (error.isServerOrNetwork) return "The server could not be reached. Check the connection and try again.";
  return error.message;
}
