import { HttpEventType, HttpHeaderResponse, HttpResponse, HttpUploadProgressEvent } from '@angular/common/http';
import { firstValueFrom, of, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { uploadProgress } from './upload-progress';

const progress = (loaded: number, total?: number): HttpUploadProgressEvent => ({ type: HttpEventType.UploadProgress, loaded, total });

describe('uploadProgress', () => {
  it('reports the fraction sent, then the server’s answer, skipping the other events', async () => {
    const events = of(
      { type: HttpEventType.Sent } as const,
      progress(0, 4000),
      progress(1000, 4000),
      progress(4000, 4000),
      new HttpHeaderResponse({ status: 200 }),
      new HttpResponse({ status: 200, body: { id: 'p1' } }),
    );
    expect(await firstValueFrom(uploadProgress(events).pipe(toArray()))).toEqual([
      { done: false, loaded: 0, total: 4000, fraction: 0 },
      { done: false, loaded: 1000, total: 4000, fraction: 0.25 },
      { done: false, loaded: 4000, total: 4000, fraction: 1 },
      { done: true, value: { id: 'p1' } },
    ]);
  });

  it('has no fraction while the size is unknown', async () => {
    expect(await firstValueFrom(uploadProgress(of(progress(512))))).toEqual({ done: false, loaded: 512, total: null, fraction: null });
  });
});
