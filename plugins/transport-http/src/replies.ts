/** What the HTTP device API answers (device-api.md §2.7), as values the transport sends once. */
import type { SessionCloseReason } from '@edgewise/plugin-api';

export interface Reply {
  status: number;
  /** Absent → empty body; bytes for downloads (device-api.md §2.6). */
  body?: string | Uint8Array;
  headers?: Record<string, string>;
}

export const OK: Reply = { status: 200 };
/** Unknown or wrong token: empty body, as in the reference. */
export const UNKNOWN_TOKEN: Reply = { status: 401 };
/** Long poll or client-side RPC timed out: empty body. */
export const TIMED_OUT: Reply = { status: 408 };

/** ThingsBoard's `errorCode` for a bad request (§8.2). */
const BAD_REQUEST_PARAMS = 31;
const GENERAL = 2;
const RETRY_AFTER_SECONDS = '5';

/** The REST error envelope (§8.2), so that device API errors read like the rest of the API. */
function errorReply(status: number, errorCode: number, message: string, headers?: Record<string, string>): Reply {
  return { status, body: JSON.stringify({ status, message, errorCode, timestamp: Date.now() }), headers };
}

/** Malformed or mis-shaped input: 400 with the reason (the reference answers 500; see the deliberate differences). */
export const badRequest = (reason: string): Reply => errorReply(400, BAD_REQUEST_PARAMS, reason);

/** The core or the transport cannot serve right now; the device should send the request again. */
export const unavailable = (reason: string): Reply =>
  errorReply(503, GENERAL, `${reason}; send the request again in a few seconds`, { 'Retry-After': RETRY_AFTER_SECONDS });

export const internalError = (): Reply => errorReply(500, GENERAL, 'Edgewise failed to handle the request; the server log has the details');

/** 413 with the JSON string body of the reference: `"Payload size exceeds the limit of N bytes"`. */
export const tooLarge = (limitBytes: number): Reply => ({
  status: 413,
  body: JSON.stringify(`Payload size exceeds the limit of ${limitBytes} bytes`),
});

/** What a request gets when the core ends its session while it waits (reference: `HttpSessionListener`). */
export function closedReply(reason: SessionCloseReason): Reply {
  switch (reason) {
    case 'DEVICE_DELETED':
      return { status: 403, body: 'Device was deleted!', headers: { 'content-type': 'text/plain; charset=utf-8' } };
    case 'SHUTDOWN':
      return unavailable('Edgewise is shutting down');
    default:
      // The reference answers every other close of a waiting request (credentials changed, session timeout) with 408.
      return TIMED_OUT;
  }
}
