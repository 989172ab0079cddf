import { computed, Signal } from '@angular/core';
import { toObservable, toSignal } from '@angular/core/rxjs-interop';
import { BehaviorSubject, catchError, combineLatest, map, Observable, of, scan, startWith, switchMap } from 'rxjs';
import { describeError } from './api-error';

/** What a page knows about data it loads: the value (kept while the next one loads), whether a load runs, and why the last one failed. */
export interface LoadState<T> {
  loading: boolean;
  value: T | undefined;
  error: string | null;
}

export interface Loader<T> {
  readonly state: Signal<LoadState<T>>;
  /** Loads again with the same request (after a change the page made, or when the user asks to retry). */
  reload(): void;
}

/**
 * Loads data for a request signal: again whenever the request changes (the newest request wins, older
 * answers are dropped) or `reload()` is called. An `undefined` request loads nothing. Errors become a
 * sentence for the page to show (`describeError`). Must be created in an injection context.
 */
export function loader<R, T>(request: () => R | undefined, load: (request: R) => Observable<T>): Loader<T> {
  const reloads = new BehaviorSubject<void>(undefined);
  const initial: LoadState<T> = { loading: true, value: undefined, error: null };
  const state = toSignal(
    combineLatest([toObservable(computed(request)), reloads]).pipe(
      switchMap(([current]) =>
        current === undefined
          ? of<Partial<LoadState<T>>>({ loading: false })
          : load(current).pipe(
              map((value): Partial<LoadState<T>> => ({ loading: false, value, error: null })),
              catchError((error: unknown) => of<Partial<LoadState<T>>>({ loading: false, error: describeError(error) })),
              startWith<Partial<LoadState<T>>>({ loading: true }),
            ),
      ),
      scan((previous: LoadState<T>, change: Partial<LoadState<T>>) => ({ ...previous, ...change }), initial),
    ),
    { initialValue: initial },
  );
  return { state, reload: () => reloads.next() };
}
