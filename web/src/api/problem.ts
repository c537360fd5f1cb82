// RFC 9457 problem details as the services answer them, and what the app shows of them.

export interface FieldError {
  loc?: (string | number)[];
  msg?: string;
  type?: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
  conflicts?: unknown[];
  request_id?: string;
  [extension: string]: unknown;
}

/** A failed API call: the problem the server sent, or one made up for a network failure. */
export class ApiError extends Error {
  readonly problem: Problem;
  readonly retryAfterSeconds: number | null;

  constructor(problem: Problem, retryAfterSeconds: number | null = null) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
    this.name = "ApiError";
    this.problem = problem;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  get status(): number {
    return this.problem.status;
  }

  /** The server or the network failed, not the user: worth a toast and a retry later. */
  get isServerOrNetwork(): boolean {
    return this.status === 0 || this.status >= 500;
  }
}

export const NETWORK_FAILURE = 0;

export function networkProblem(): Problem {
  return {
    status: NETWORK_FAILURE,
    title: "Network failure",
    detail: "The server could not be reached. Check the connection; nothing you typed is lost.",
  };
}

function isProblem(value: unknown): value is Problem {
  return typeof value === "object" && value !== null && typeof (value as Problem).status === "number";
}

/** Reads Retry-After as seconds (delta form; an HTTP date is turned into seconds from now). */
export function retryAfterSeconds(header: string | null, now: number = Date.now()): number | null {
  if (header === null || header.trim() === "") return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - now) / 1000));
}

export async function problemFrom(response: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await response.clone().json();
  } catch {
    body = null;
  }
  const problem: Problem = isProblem(body)
    ? body
    : { status: response.status, title: response.statusText || `HTTP ${response.status}` };
  return new ApiError(problem, retryAfterSeconds(response.headers.get("Retry-After")));
}

/**
 * The 422 errors by field path: the names of each error's `loc` after its source ("body",
 * "procedure", "name" -> "procedure.name"; "body", "staff_roles_needed", 0, "count" ->
 * "staff_roles_needed.count"), the messages of one path joined. Errors naming no field go
 * under "_form".
 */
export function fieldErrors(problem: Problem | undefined | null): Record<string, string> {
  const byField: Record<string, string> = {};
  for (const error of problem?.errors ?? []) {
    const names = (error.loc ?? []).filter((part): part is string => typeof part === "string");
    const key = names.slice(1).join(".") || "_form";
    const message = error.msg ?? "Not valid.";
    byField[key] = byField[key] ? `${byField[key]} ${message}` : message;
  }
  return byField;
}

/** The message for a form field: its own errors and those of anything inside it. */
export function errorFor(errors: Record<string, string>, field: string): string | undefined {
  const messages = Object.entries(errors)
    .filter(([key]) => key === field || key.startsWith(`${field}.`))
    .map(([, message]) => message);
  return messages.length > 0 ? messages.join(" ") : undefined;
}
