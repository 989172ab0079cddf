import { inject, Signal } from '@angular/core';
import { scan } from 'rxjs';
import { loader, LoadState } from './loader';
import { SocketCommand, SocketMessage, SocketUpdate, TelemetrySocket } from './telemetry-socket';

export interface Followed<T> {
  readonly state: Signal<LoadState<T>>;
  /** Subscribes again (after the server refused the command, or to start over). */
  retry(): void;
}

/**
 * Keeps a value current over the WebSocket API: subscribes with the command for `request()`, folds every
 * update into the value with `reduce` (the first update after each (re)subscription carries the whole
 * state), and subscribes anew when the request changes. `toCommand` runs at each (re)send, so a time
 * window like "the last hour" means the last hour as of the reconnection. Must be created in an injection context.
 */
export function follow<R, M extends SocketMessage, T>(
  request: () => R | undefined,
  toCommand: (request: R) => SocketCommand,
  reduce: (value: T | undefined, update: SocketUpdate<M>) => T,
): Followed<T> {
  const socket = inject(TelemetrySocket);
  const live = loader<R, T>(request, (current) =>
    socket.subscribe<M>(() => toCommand(current)).pipe(scan<SocketUpdate<M>, T, undefined>(reduce, undefined)),
  );
  return { state: live.state, retry: live.reload };
}
