import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButton } from '@angular/material/button';
import { MatButtonToggle, MatButtonToggleGroup } from '@angular/material/button-toggle';
import { MatPaginator, PageEvent } from '@angular/material/paginator';
import { MatProgressBar } from '@angular/material/progress-bar';
import { RouterLink } from '@angular/router';
import { interval } from 'rxjs';
import { loader } from '../core/loader';
import { intParam, listParam, urlState } from '../core/url-state';
import { SearchBox } from '../ui/search-box';
import { StateMessage } from '../ui/state-message';
import { RefreshError } from '../ui/table-state';
import { OTA_PACKAGE_TYPES, OtaApi } from './ota.api';
import { OtaTabs } from './ota-tabs';
import { UpdateTimeline } from './update-timeline.component';

const PAGE_SIZE = 10;
/** The list of devices with an assignment is read again this often (assignments are no WebSocket event); each timeline is live. */
const LIST_REFRESH_MS = 15_000;

/** Per device with an assigned package: what it should get, what it runs, and its update as a live timeline. */
@Component({
  selector: 'ew-ota-updates-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    RouterLink,
    MatButton,
    MatButtonToggleGroup,
    MatButtonToggle,
    MatPaginator,
    MatProgressBar,
    SearchBox,
    StateMessage,
    RefreshError,
    OtaTabs,
    UpdateTimeline,
  ],
  templateUrl: './ota-updates.page.html',
  styleUrl: './ota-updates.page.scss',
})
export default class OtaUpdatesPage {
  private readonly api = inject(OtaApi);
  private readonly url = urlState();
  protected readonly pageSize = PAGE_SIZE;

  protected readonly type = computed(() => listParam(this.url.params(), 'type', OTA_PACKAGE_TYPES)[0] ?? 'FIRMWARE');
  protected readonly textSearch = computed(() => this.url.params().get('q') ?? '');
  protected readonly pageIndex = computed(() => intParam(this.url.params(), 'page', 0));
  protected readonly statuses = loader(
    () => ({ type: this.type(), page: this.pageIndex(), textSearch: this.textSearch() || undefined }),
    ({ type, ...query }) => this.api.status(type, { ...query, pageSize: PAGE_SIZE }),
  );
  protected readonly page = computed(() => this.statuses.state().value);

  constructor() {
    interval(LIST_REFRESH_MS)
      .pipe(takeUntilDestroyed())
      .subscribe(() => this.statuses.reload());
  }

  setType(type: string): void {
    this.url.patch({ type: type === 'FIRMWARE' ? null : type, page: null });
  }

  setSearch(text: string): void {
    this.url.patch({ q: text || null, page: null }, { replaceUrl: true });
  }

  setPage(event: PageEvent): void {
    this.url.patch({ page: event.pageIndex || null });
  }
}
