import { describe, expect, it } from "vitest";
import { ApiError } from "@/api/problem";
import { signInFailureMessage } from "./signInFailure";

describe("the sign-in form's failure messages", () => {
  it("says the email or password is wrong on a 401", () => {
    expect(signInFailureMessage(new ApiError({ status: 401 }))).toBe("The email or the password is wrong.");
  });

  it("says how long to wait when throttled", () => {
    const throttled = new ApiError({ status: 429, detail: "Too many failed sign-ins for this account." }, 90);
    expect(signInFailureMessage(throttled)).toBe(
      "Too many sign-in attempts. Try again in 2 minutes. (Too many failed sign-ins for this account.)",
    );
    expect(signInFailureMessage(new ApiError({ status: 429 }, 1))).toBe("Too many sign-in attempts. Try again in 1 second.");
  });

  it("tells a network failure from a refusal", () => {
    expect(signInFailureMessage(new ApiError({ status: 0 }))).toMatch(/could not be reached/);
  });
});
