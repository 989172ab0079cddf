import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButton } from '@angular/material/button';
import { MatIcon } from '@angular/material/icon';
import { MatPaginator, PageEvent } from '@angular/material/paginator';
import { MatProgressBar } from '@angular/material/progress-bar';
import { MatTableModule } from '@angular/material/table';
import { RouterLink } from '@angular/router';
import { interval } from 'rxjs';
import { follow } from '../core/follow';
import { loader } from '../core/loader';
import { intParam, urlState } from '../core/url-state';
import { shellQuote } from '../devices/connectivity';
import { DevicesApi } from '../devices/devices.api';
import { CodeSnippet } from '../ui/code-snippet';
import { FlashOnChange } from '../ui/flash-on-change';
import { RelativeTime } from '../ui/relative-time';
import { SearchBox } from '../ui/search-box';
import { StateMessage } from '../ui/state-message';
import { RefreshError } from '../ui/table-state';
import { GatewaysApi } from './gateways.api';
import { applyConnectivity, Connectivity, connectivityCommand, EntityDataMessage, isConnected } from './live-connectivity';

const PAGE_SIZE = 20;
/**
 * How often the lists are read again: a gateway connecting a new child, or a device becoming a gateway, is no
 * event the WebSocket API announces. Connection states in between are live.
 */
const LIST_REFRESH_MS = 5_000;

/** Follows the connection state of a list of devices, live. */
const followConnectivity = (ids: () => readonly string[] | undefined) =>
  follow<readonly string[], EntityDataMessage, ReadonlyMap<string, Connectivity>>(
    () => (ids()?.length ? ids() : undefined),
    connectivityCommand,
    applyConnectivity,
  );

/** Gateways with their connection state, and the devices the selected one connects (`?gateway=`), live. */
@Component({
  selector: 'ew-gateways-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    RouterLink,
    MatTableModule,
    MatPaginator,
    MatProgressBar,
    MatButton,
    MatIcon,
    SearchBox,
    StateMessage,
    RefreshError,
    RelativeTime,
    FlashOnChange,
    CodeSnippet,
  ],
  templateUrl: './gateways.page.html',
  styleUrls: ['../ui/list-page.scss', './gateways.page.scss'],
})
export default class GatewaysPage {
  private readonly api = inject(GatewaysApi);
  private readonly devicesApi = inject(DevicesApi);
  private readonly url = urlState();
  protected readonly pageSize = PAGE_SIZE;
  protected readonly childColumns = ['name', 'type', 'state', 'lastActivityTime', 'lastConnectTime'];

  protected readonly gateways = loader(
    () => true,
    () => this.api.gateways(),
  );
  protected readonly gatewayLive = followConnectivity(() => this.gateways.state().value?.map((g) => g.id.id));

  protected readonly selectedId = computed(() => this.url.params().get('gateway') ?? this.gateways.state().value?.[0]?.id.id);
  protected readonly selected = computed(() => this.gateways.state().value?.find((g) => g.id.id === this.selectedId()));
  protected readonly textSearch = computed(() => this.url.params().get('q') ?? '');
  protected readonly pageIndex = computed(() => intParam(this.url.params(), 'page', 0));

  protected readonly children = loader(
    () =>
      this.selected() && {
        gatewayId: this.selected()!.id.id,
        page: this.pageIndex(),
        textSearch: this.textSearch() || undefined,
      },
    ({ gatewayId, ...query }) => this.api.children(gatewayId, { ...query, pageSize: PAGE_SIZE, sortProperty: 'name', sortOrder: 'ASC' }),
  );
  /** The children of the selected gateway only: the previous gateway's stay in the loader while the next ones load. */
  protected readonly childPage = computed(() => {
    const page = this.children.state().value;
    return page && page.data.every((child) => child.additionalInfo?.['lastConnectedGateway'] === this.selectedId()) ? page : undefined;
  });
  protected readonly childLive = followConnectivity(() => this.childPage()?.data.map((c) => c.id.id));

  /** For the "no children yet" hint: how the gateway announces a device. */
  private readonly credentials = loader(
    () => (this.childPage()?.totalElements === 0 && !this.textSearch() ? this.selected()?.id.id : undefined),
    (id) => this.devicesApi.credentials(id),
  );
  private readonly transports = loader(
    () => (this.credentials.state().value ? true : undefined),
    () => this.devicesApi.transports(),
  );
  protected readonly connectCommand = computed(() => {
    const token = this.credentials.state().value;
    const port = this.transports.state().value?.['mqtt']?.['mqtt'];
    if (token?.credentialsType !== 'ACCESS_TOKEN' || !token.credentialsId || !port) return undefined;
    return `mosquitto_pub -h ${location.hostname} -p ${port} -t v1/gateway/connect -u ${shellQuote(token.credentialsId)} -m '{"device":"Sensor A"}'`;
  });

  constructor() {
    interval(LIST_REFRESH_MS)
      .pipe(takeUntilDestroyed())
      .subscribe(() => {
        this.gateways.reload();
        this.children.reload();
      });
  }

  /** The live state where known, else what the REST answer said. */
  protected gatewayState(gateway: { id: { id: string }; active: boolean }): { connected: boolean; lastActivityTime?: number } {
    const live = this.gatewayLive.state().value?.get(gateway.id.id);
    return live ? { connected: isConnected(live), lastActivityTime: live.lastActivityTime } : { connected: gateway.active };
  }

  protected childState(child: Connectivity & { id: { id: string }; connected: boolean }): Connectivity & { connected: boolean } {
    const live = this.childLive.state().value?.get(child.id.id);
    return live ? { ...live, connected: isConnected(live) } : child;
  }

  select(gatewayId: string): void {
    this.url.patch({ gateway: gatewayId, q: null, page: null });
  }

  setSearch(text: string): void {
    this.url.patch({ q: text || null, page: null }, { replaceUrl: true });
  }

  setPage(event: PageEvent): void {
    this.url.patch({ page: event.pageIndex || null });
  }
}
