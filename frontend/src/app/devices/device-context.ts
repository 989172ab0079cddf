import { inject, Injectable } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { ActivatedRoute } from '@angular/router';
import { map } from 'rxjs';
import { loader } from '../core/loader';
import { DevicesApi } from './devices.api';

/** The device a device page shows, shared by its tabs (provided by the page). */
@Injectable()
export class DeviceContext {
  private readonly api = inject(DevicesApi);
  readonly deviceId = toSignal(inject(ActivatedRoute).paramMap.pipe(map((params) => params.get('deviceId')!)), { requireSync: true });
  readonly device = loader(this.deviceId, (id) => this.api.get(id));
  readonly credentials = loader(this.deviceId, (id) => this.api.credentials(id));
}
