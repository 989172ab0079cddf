import { HttpErrorResponse } from '@angular/common/http';

/** ThingsBoard's error envelope (device-api.md §8.2). */
interface ErrorEnvelope {
  status: number;
  message: string;
  errorCode?: number;
}

function envelopeOf(body: unknown): ErrorEnvelope | undefined {
  if (typeof body === 'object' && body !== null && typeof (body as ErrorEnvelope).message === 'string') return body as ErrorEnvelope;
  if (typeof body === 'string' && body.trim()) {
    try {
      return envelopeOf(JSON.parse(body));
    } catch {
      // Some endpoints answer with plain text (e.g. RPC's 404): that text is the message.
      return { status: 0, message: body.trim() };
    }
  }
  return undefined;
}

/** The server's own words for an error response, when it gave any. */
export function serverMessage(error: unknown): string | undefined {
  return error instanceof HttpErrorResponse ? envelopeOf(error.error)?.message : undefined;
}

/**
 * One sentence a person can act on, for any failure of an API call: the server's message when it has one,
 * otherwise what the status means and what to try.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof HttpErrorResponse)) return error instanceof Error ? error.message : 'Something went wrong. Try again.';
  const message = serverMessage(error);
  if (error.status === 0)
    return 'The Edgewise server cannot be reached. Check that it is running and that your network is up, then try again.';
  if (message) return message;
  switch (error.status) {
    case 401:
      return 'Your session has ended. Log in again.';
    case 403:
      return "You don't have permission to do this. Ask a tenant administrator.";
    case 404:
      return 'It no longer exists: someone may have deleted it. Go back to the list.';
    case 409:
      return 'Someone else changed it meanwhile. Reload and try again.';
    case 429:
      return 'Too many requests. Wait a moment and try again.';
    default:
      return error.status >= 500
        ? `The server failed (HTTP ${error.status}). Try again; if it keeps failing, the server log has the details.`
        : `The request failed (HTTP ${error.status}).`;
  }
}
