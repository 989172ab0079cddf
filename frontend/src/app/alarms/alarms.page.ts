import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { MatButton } from '@angular/material/button';
import { MatButtonToggle, MatButtonToggleGroup } from '@angular/material/button-toggle';
import { MatFormField, MatLabel } from '@angular/material/form-field';
import { MatPaginator, PageEvent } from '@angular/material/paginator';
import { MatProgressBar } from '@angular/material/progress-bar';
import { MatOption, MatSelect } from '@angular/material/select';
import { Sort } from '@angular/material/sort';
import { AuthService } from '../auth/auth.service';
import { ALARM_SEVERITIES, AlarmSearchStatus, AlarmSeverity } from '../core/api-models';
import { intParam, listParam, urlState } from '../core/url-state';
import { SearchBox } from '../ui/search-box';
import { StateMessage } from '../ui/state-message';
import { AlarmActions } from './alarm-actions';
import { AlarmTable } from './alarm-table';
import { AlarmSortProperty, followAlarms } from './live-alarms';

/** The status filter choices: what people ask ("what is still wrong?"), mapped to ThingsBoard's AlarmSearchStatus. */
const STATUS_FILTERS: Record<string, { label: string; statuses: AlarmSearchStatus[] }> = {
  active: { label: 'Active', statuses: ['ACTIVE'] },
  unack: { label: 'Unacknowledged', statuses: ['UNACK'] },
  cleared: { label: 'Cleared', statuses: ['CLEARED'] },
  any: { label: 'All', statuses: [] },
};
const SORTABLE: readonly AlarmSortProperty[] = ['createdTime', 'severity', 'type', 'status'];
const PAGE_SIZES = [20, 50, 100];

/** Every alarm of the tenant (or the customer), filtered by status and severity, live. */
@Component({
  selector: 'ew-alarms-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    AlarmTable,
    SearchBox,
    MatButton,
    StateMessage,
    MatButtonToggleGroup,
    MatButtonToggle,
    MatFormField,
    MatLabel,
    MatSelect,
    MatOption,
    MatPaginator,
    MatProgressBar,
  ],
  providers: [AlarmActions],
  templateUrl: './alarms.page.html',
})
export default class AlarmsPage {
  private readonly url = urlState();
  protected readonly actions = inject(AlarmActions);
  private readonly auth = inject(AuthService);
  protected readonly canAct = computed(() => this.auth.user()?.authority !== 'SYS_ADMIN');
  protected readonly statusFilters = Object.entries(STATUS_FILTERS).map(([value, { label }]) => ({ value, label }));
  protected readonly severities = ALARM_SEVERITIES;
  protected readonly pageSizes = PAGE_SIZES;

  protected readonly status = computed(() => {
    const value = this.url.params().get('status') ?? 'active';
    return value in STATUS_FILTERS ? value : 'active';
  });
  protected readonly severityFilter = computed(() => listParam(this.url.params(), 'severity', ALARM_SEVERITIES));
  protected readonly textSearch = computed(() => this.url.params().get('q') ?? '');
  protected readonly sort = computed(() => {
    const active = this.url.params().get('sort') as AlarmSortProperty | null;
    return {
      active: active && SORTABLE.includes(active) ? active : 'createdTime',
      direction: this.url.params().get('dir') === 'asc' ? ('asc' as const) : ('desc' as const),
    };
  });
  protected readonly pageIndex = computed(() => intParam(this.url.params(), 'page', 0));
  protected readonly pageSize = computed(() => {
    const size = intParam(this.url.params(), 'size', PAGE_SIZES[0], 1);
    return PAGE_SIZES.includes(size) ? size : PAGE_SIZES[0];
  });

  protected readonly live = followAlarms(() => ({
    page: this.pageIndex(),
    pageSize: this.pageSize(),
    statuses: STATUS_FILTERS[this.status()].statuses,
    severities: this.severityFilter(),
    textSearch: this.textSearch(),
    sortProperty: this.sort().active,
    sortOrder: this.sort().direction === 'asc' ? 'ASC' : 'DESC',
  }));
  protected readonly page = computed(() => this.live.state().value);
  protected readonly filtered = computed(() => this.status() !== 'any' || this.severityFilter().length > 0 || !!this.textSearch());
  protected readonly emptyHeading = computed(() =>
    this.status() === 'active' && !this.severityFilter().length && !this.textSearch() ? 'No active alarms' : 'No alarms match the filters',
  );

  setStatus(status: string): void {
    this.url.patch({ status: status === 'active' ? null : status, page: null });
  }

  setSeverities(severities: AlarmSeverity[]): void {
    this.url.patch({ severity: severities.length ? severities.join(',') : null, page: null });
  }

  setSearch(text: string): void {
    this.url.patch({ q: text || null, page: null }, { replaceUrl: true });
  }

  setSort(sort: Sort): void {
    this.url.patch({ sort: sort.direction ? sort.active : null, dir: sort.direction === 'asc' ? 'asc' : null, page: null });
  }

  setPage(event: PageEvent): void {
    this.url.patch({ page: event.pageIndex || null, size: event.pageSize === PAGE_SIZES[0] ? null : event.pageSize });
  }

  clearFilters(): void {
    this.url.patch({ status: 'any', severity: null, q: null, page: null });
  }
}
