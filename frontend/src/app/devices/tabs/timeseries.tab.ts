import { ChangeDetectionStrategy, Component, computed, effect, ElementRef, inject, untracked } from '@angular/core';
import { MatButton } from '@angular/material/button';
import { MatFormField, MatLabel } from '@angular/material/form-field';
import { MatProgressBar } from '@angular/material/progress-bar';
import { MatOption, MatSelect } from '@angular/material/select';
import type { EChartsCoreOption } from 'echarts/core';
import { NgxEchartsDirective, provideEchartsCore } from 'ngx-echarts';
import { follow } from '../../core/follow';
import type { TelemetryMessage } from '../../core/live-messages';
import { urlState } from '../../core/url-state';
import { ThemeService } from '../../shell/theme.service';
import { Clock } from '../../ui/clock';
import { absoluteTime, RelativeTime } from '../../ui/relative-time';
import { StateMessage } from '../../ui/state-message';
import { applySeries, bucketMs, RANGES, SeriesData } from '../chart-series';
import { ConnectivitySnippets } from '../connectivity-snippets';
import { DeviceContext } from '../device-context';
import { echarts } from '../echarts-setup';
import { applyLatest, LiveValues } from '../live-values';

/** At most this many keys are charted by default (the first numeric ones). */
const DEFAULT_KEYS = 3;
/** Live points beyond this multiple of the history budget trigger a fresh, re-aggregated history read. */
const LIVE_GROWTH_LIMIT = 3;

/** A line chart of the device's numeric telemetry over a time range (both in the URL), with new points appended live. */
@Component({
  selector: 'ew-timeseries-tab',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    NgxEchartsDirective,
    MatFormField,
    MatLabel,
    MatSelect,
    MatOption,
    MatButton,
    MatProgressBar,
    RelativeTime,
    StateMessage,
    ConnectivitySnippets,
  ],
  providers: [provideEchartsCore({ echarts })],
  templateUrl: './timeseries.tab.html',
  styleUrl: './timeseries.tab.scss',
})
export default class TimeseriesTab {
  private readonly context = inject(DeviceContext);
  private readonly url = urlState();
  private readonly clock = inject(Clock);
  private readonly theme = inject(ThemeService);
  private readonly width = inject<ElementRef<HTMLElement>>(ElementRef).nativeElement.clientWidth || 1000;
  protected readonly ranges = RANGES;

  /** Every key with data, live, so a key that appears while the page is open can be charted too. */
  private readonly latest = follow<string, TelemetryMessage, LiveValues>(
    this.context.deviceId,
    (entityId) => ({ type: 'TIMESERIES', entityType: 'DEVICE', entityId, scope: 'LATEST_TELEMETRY' }),
    applyLatest,
  );
  protected readonly latestState = this.latest.state;
  protected readonly keys = computed(() => [...(this.latest.state().value?.keys() ?? [])]);
  protected readonly range = computed(() => RANGES.find((r) => r.id === this.url.params().get('range')) ?? RANGES[2]);
  protected readonly selectedKeys = computed(
    () => {
      const chosen = (this.url.params().get('keys') ?? '').split(',').filter(Boolean);
      if (chosen.length) return chosen;
      const latest = this.latest.state().value;
      return [...(latest ?? [])]
        .filter(([, { value }]) => value.trim() !== '' && Number.isFinite(Number(value)))
        .slice(0, DEFAULT_KEYS)
        .map(([key]) => key);
    },
    // New values of the same keys must not restart the chart's subscription.
    { equal: (a, b) => a.join() === b.join() },
  );
  private readonly budgetMs = computed(() => bucketMs(this.range().ms, this.width));
  private readonly request = computed(() => {
    const keys = this.selectedKeys();
    return keys.length
      ? { entityId: this.context.deviceId(), keys: keys.join(','), rangeMs: this.range().ms, intervalMs: this.budgetMs() }
      : undefined;
  });
  /** The window's start, moving with the clock for live ranges. */
  private readonly windowStart = () => Date.now() - this.range().ms;
  protected readonly series = follow(
    this.request,
    ({ entityId, keys, rangeMs, intervalMs }) => ({
      type: 'TIMESERIES',
      entityType: 'DEVICE',
      entityId,
      keys,
      startTs: Date.now() - rangeMs,
      timeWindow: rangeMs,
      interval: intervalMs,
      limit: Math.ceil(rangeMs / intervalMs) + 1,
      agg: 'AVG',
    }),
    applySeries(this.windowStart),
  );

  /** Per charted key: its newest value and when it came (the data's age), whatever the chart's averaging. */
  protected readonly summary = computed(() =>
    this.selectedKeys().map((key) => {
      const latest = this.latest.state().value?.get(key);
      return { key, value: latest?.value, ts: latest?.ts };
    }),
  );
  /** What the chart shows, for screen readers: its keys, range, averaging, and each line's last point. */
  protected readonly description = computed(() => {
    const data = this.series.state().value;
    const lines = this.selectedKeys().map((key) => {
      const points = data?.get(key) ?? [];
      const last = points[points.length - 1];
      return last
        ? `${key}: ${points.length} ${points.length === 1 ? 'point' : 'points'}, last point ${last[1]} at ${absoluteTime(last[0])}`
        : `${key}: no numeric data in this range`;
    });
    const averaging = `history averaged over ${Math.round(this.budgetMs() / 1000)} s buckets`;
    return `Line chart of ${this.selectedKeys().join(', ')} over the ${this.range().label.toLowerCase()}, ${averaging}. ${lines.join('; ')}.`;
  });
  /** The x axis ends at now; moved every 5 s rather than on every tick. */
  private readonly axisEnd = computed(() => Math.ceil(this.clock.now() / 5000) * 5000);
  protected readonly chartTheme = computed(() => (this.theme.dark() ? 'dark' : ''));
  protected readonly options = computed<EChartsCoreOption>(() => {
    const data: SeriesData = this.series.state().value ?? new Map();
    const end = this.axisEnd();
    return {
      backgroundColor: 'transparent',
      animation: false,
      aria: { enabled: true, label: { description: this.description() } },
      grid: { left: 56, right: 24, top: 40, bottom: 32 },
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      xAxis: { type: 'time', min: end - this.range().ms, max: end },
      yAxis: { type: 'value', scale: true },
      series: this.selectedKeys().map((key) => ({
        name: key,
        type: 'line',
        data: data.get(key) ?? [],
        showSymbol: (data.get(key)?.length ?? 0) < 50,
        sampling: 'lttb',
      })),
    };
  });

  constructor() {
    // Live points pile up over a long window: read the history again, re-aggregated, before they get too many.
    effect(() => {
      const limit = LIVE_GROWTH_LIMIT * Math.ceil(this.range().ms / this.budgetMs());
      if ([...(this.series.state().value?.values() ?? [])].some((points) => points.length > limit)) untracked(() => this.series.retry());
    });
  }

  setRange(id: string): void {
    this.url.patch({ range: id === RANGES[2].id ? null : id });
  }

  setKeys(keys: string[]): void {
    this.url.patch({ keys: keys.length ? keys.join(',') : null });
  }
}
