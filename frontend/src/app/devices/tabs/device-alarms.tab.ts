import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { MatButton } from '@angular/material/button';
import { MatButtonToggle, MatButtonToggleGroup } from '@angular/material/button-toggle';
import { MatPaginator, PageEvent } from '@angular/material/paginator';
import { MatProgressBar } from '@angular/material/progress-bar';
import { AlarmActions } from '../../alarms/alarm-actions';
import { AlarmTable } from '../../alarms/alarm-table';
import { followAlarms } from '../../alarms/live-alarms';
import { intParam, urlState } from '../../core/url-state';
import { StateMessage } from '../../ui/state-message';
import { DeviceContext } from '../device-context';

const PAGE_SIZE = 20;

/** The device's alarms, live: active ones by default, or all. */
@Component({
  selector: 'ew-device-alarms-tab',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [AlarmTable, StateMessage, MatButtonToggleGroup, MatButtonToggle, MatButton, MatPaginator, MatProgressBar],
  providers: [AlarmActions],
  template: `
    <div class="ew-toolbar">
      <mat-button-toggle-group [value]="status()" (change)="setStatus($event.value)" aria-label="Status" hideSingleSelectionIndicator>
        <mat-button-toggle value="active">Active</mat-button-toggle>
        <mat-button-toggle value="any">All</mat-button-toggle>
      </mat-button-toggle-group>
    </div>
    @let state = live.state();
    @if (state.error) {
      <ew-state-message kind="error" heading="Alarms could not be loaded" icon="error">
        <p>{{ state.error }}</p>
        <button mat-flat-button type="button" (click)="live.retry()">Try again</button>
      </ew-state-message>
    } @else if (!state.value) {
      <mat-progress-bar mode="indeterminate" aria-label="Loading alarms" />
    } @else if (state.value.data.length === 0) {
      <ew-state-message [heading]="status() === 'active' ? 'No active alarms' : 'No alarms'" icon="notifications_off">
        <p>Alarms of this device appear here as they are raised, by alarm rules of its profile or by a rule chain.</p>
      </ew-state-message>
    } @else {
      <div class="ew-card">
        <ew-alarm-table
          [alarms]="state.value.data"
          [showDevice]="false"
          [busyId]="actions.busyId()"
          (acknowledge)="actions.acknowledge($event)"
          (clear)="actions.clear($event)"
        />
        @if (state.value.totalElements > pageSize) {
          <mat-paginator
            [length]="state.value.totalElements"
            [pageIndex]="pageIndex()"
            [pageSize]="pageSize"
            (page)="setPage($event)"
            aria-label="Alarm pages"
          />
        }
      </div>
    }
  `,
})
export default class DeviceAlarmsTab {
  private readonly context = inject(DeviceContext);
  private readonly url = urlState();
  protected readonly actions = inject(AlarmActions);
  protected readonly pageSize = PAGE_SIZE;
  protected readonly status = computed(() => (this.url.params().get('status') === 'any' ? 'any' : 'active'));
  protected readonly pageIndex = computed(() => intParam(this.url.params(), 'page', 0));
  protected readonly live = followAlarms(() => ({
    deviceId: this.context.deviceId(),
    page: this.pageIndex(),
    pageSize: PAGE_SIZE,
    statuses: this.status() === 'active' ? ['ACTIVE'] : [],
    severities: [],
    sortProperty: 'createdTime',
    sortOrder: 'DESC',
  }));

  setStatus(status: string): void {
    this.url.patch({ status: status === 'active' ? null : status, page: null });
  }

  setPage(event: PageEvent): void {
    this.url.patch({ page: event.pageIndex || null });
  }
}
