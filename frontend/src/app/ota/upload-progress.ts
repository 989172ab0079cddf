import { HttpEvent, HttpEventType } from '@angular/common/http';
import { filter, map, Observable } from 'rxjs';

/** Where an upload stands: bytes sent so far (`fraction` 0–1, or null while the size is unknown), then the server's answer. */
export type UploadProgress<T> = { done: false; loaded: number; total: number | null; fraction: number | null } | { done: true; value: T };

/** The progress events of an HttpClient request made with `reportProgress: true, observe: 'events'`, as UploadProgress. */
export function uploadProgress<T>(events: Observable<HttpEvent<T>>): Observable<UploadProgress<T>> {
  return events.pipe(
    map((event): UploadProgress<T> | undefined => {
      if (event.type === HttpEventType.UploadProgress) {
        const total = event.total ?? null;
        return { done: false, loaded: event.loaded, total, fraction: total ? Math.min(event.loaded / total, 1) : null };
      }
      if (event.type === HttpEventType.Response) return { done: true, value: event.body as T };
      return undefined;
    }),
    filter((progress): progress is UploadProgress<T> => progress !== undefined),
  );
}
