import { inject, Injectable, signal } from '@angular/core';
import { MatSnackBar } from '@angular/material/snack-bar';
import { firstValueFrom, Observable } from 'rxjs';
import { describeError } from '../core/api-error';
import type { AlarmInfo } from '../core/api-models';
import { AlarmsApi } from './alarms.api';

/**
 * Acknowledge and clear for a page that lists alarms. The list itself is live, so it shows the new state as
 * soon as the server has it; this only tracks the request in flight and reports failures.
 */
@Injectable()
export class AlarmActions {
  private readonly api = inject(AlarmsApi);
  private readonly snackBar = inject(MatSnackBar);
  /** The alarm a request is on its way for. */
  readonly busyId = signal<string | null>(null);

  acknowledge(alarm: AlarmInfo): Promise<void> {
    return this.run(alarm, this.api.acknowledge(alarm.id.id), 'acknowledged');
  }

  clear(alarm: AlarmInfo): Promise<void> {
    return this.run(alarm, this.api.clear(alarm.id.id), 'cleared');
  }

  private async run(alarm: AlarmInfo, request: Observable<AlarmInfo>, done: string): Promise<void> {
    this.busyId.set(alarm.id.id);
    try {
      await firstValueFrom(request);
      this.snackBar.open(`${alarm.type} on ${alarm.originatorName} ${done}`, undefined, { duration: 3000 });
    } catch (e) {
      this.snackBar.open(`Could not update the alarm: ${describeError(e)}`, 'Dismiss', { duration: 8000 });
    } finally {
      this.busyId.set(null);
    }
  }
}
