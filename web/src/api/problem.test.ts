import { describe, expect, it } from "vitest";
import { ApiError, errorFor, fieldErrors, problemFrom, retryAfterSeconds } from "./problem";

describe("problem details", () => {
  it("names each 422 error by its field path after the body", () => {
    const errors = fieldErrors({
      status: 422,
      errors: [
        { loc: ["body", "procedure", "name"], msg: "Field required" },
        { loc: ["body", "staff_roles_needed", 0, "count"], msg: "Input should be greater than 0" },
        { loc: ["body"], msg: "The due date is before the earliest date." },
      ],
    });
    expect(errors).toEqual({
      "procedure.name": "Field required",
      "staff_roles_needed.count": "Input should be greater than 0",
      _form: "The due date is before the earliest date.",
    });
    expect(errorFor(errors, "procedure")).toBe("Field required");
    expect(errorFor(errors, "priority")).toBeUndefined();
  });

  it("reads Retry-After in seconds or as an HTTP date", () => {
    expect(retryAfterSeconds("17")).toBe(17);
    expect(retryAfterSeconds(new Date(60_000).toUTCString(), 0)).toBe(60);
    expect(retryAfterSeconds(null)).toBeNull();
    expect(retryAfterSeconds("soon")).toBeNull();
  });

  it("keeps the server's problem and the wait of a throttled answer", async () => {
    const response = new Response(JSON.stringify({ status: 429, title: "Too Many Requests", detail: "Wait." }), {
      status: 429,
      headers: { "Content-Type": "application/problem+json", "Retry-After": "30" },
    });
    const error = await problemFrom(response);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(429);
    expect(error.retryAfterSeconds).toBe(30);
    expect(error.message).toBe("Wait.");
    expect(error.isServerOrNetwork).toBe(false);
  });

  it("makes a problem of an answer that is not problem+json", async () => {
    const error = await problemFrom(new Response("<html>bad gateway</html>", { status: 502, statusText: "Bad Gateway" }));
    expect(error.status).toBe(502);
    expect(error.isServerOrNetwork).toBe(true);
  });
});
