// A network failure or a server error (5xx) is told in a toast; the page keeps what the user
// typed, so they can try again. Refusals (4xx) are the page's to explain where they belong.
import { useToast } from "primevue/usetoast";
import { ApiError } from "@/api/problem";

export function failureSummary(error: unknown): string {
  if (!(error instanceof ApiError)) return "Something went wrong in the app. Nothing was lost; try again.";
  if (error.status === 0) return "The server could not be reached. Check the connection; nothing you typed is lost.";
  if (error.status === 503 || error.status === 502 || error.status === 504) {
    return "A service is not answering right now. Nothing you typed is lost; try again in a moment.";
  }
  return `The server failed (${error.status}). Nothing you typed is lost; try again.${
    error.problem.request_id ? ` Reference: ${error.problem.request_id}` : ""
  }`;
}

export function useFailureToast() {
  const toast = useToast();
  return {
    /** Shows a toast when the error is the network's or the server's; true when it did. */
    report(error: unknown): boolean {
      if (error instanceof ApiError && !error.isServerOrNetwork) return false;
      toast.add({ severity: "error", summary: "Not saved", detail: failureSummary(error), life: 8000 });
      return true;
    },
    success(summary: string, detail?: string) {
      toast.add({ severity: "success", summary, detail, life: 4000 });
    },
  };
}
