import { ChangeDetectionStrategy, Component, DestroyRef, effect, inject, input, signal } from '@angular/core';
import { MatIcon } from '@angular/material/icon';
import { catchError, forkJoin, map, of, Subscription, switchMap, timer } from 'rxjs';
import { AuthService } from '../auth/auth.service';
import { describeError } from '../core/api-error';
import { RelativeTime } from '../ui/relative-time';
import type { DebugEvent } from './rule-chain.models';
import { RuleChainsApi } from './rule-chains.api';

/** How often the panel asks for new debug events (the server stores them; there is no push for them). */
const POLL_MS = 2000;

export interface DebugEventRow {
  event: DebugEvent;
  nodeName: string;
}

/** Newest first, at most `limit`, across the nodes. */
export function mergeDebugEvents(perNode: { nodeName: string; events: DebugEvent[] }[], limit: number): DebugEventRow[] {
  return perNode
    .flatMap(({ nodeName, events }) => events.map((event) => ({ event, nodeName })))
    .sort((a, b) => b.event.createdTime - a.event.createdTime)
    .slice(0, limit);
}

/** The debug events of the chain's nodes with debug on, newest first, following as they arrive. */
@Component({
  selector: 'ew-debug-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatIcon, RelativeTime],
  template: `@if (error()) {
      <p class="ew-banner ew-banner-error" role="alert">{{ error() }}</p>
    }
    @if (!nodes().length) {
      <p class="ew-muted">Turn on "Debug all messages" for a node and save: its messages appear here as they pass.</p>
    } @else {
      <table aria-label="Debug events">
        <thead>
          <tr>
            <th>Time</th>
            <th>Node</th>
            <th>In/out</th>
            <th>Type</th>
            <th>Relation</th>
            <th>Data</th>
          </tr>
        </thead>
        <tbody>
          @for (row of rows(); track row.event.id.id) {
            <tr [class.failed]="row.event.body.error">
              <td><ew-relative-time [ts]="row.event.createdTime" /></td>
              <td>{{ row.nodeName }}</td>
              <td>
                <mat-icon [attr.aria-label]="row.event.body.type">{{ row.event.body.type === 'IN' ? 'login' : 'logout' }}</mat-icon>
              </td>
              <td>{{ row.event.body.msgType }}</td>
              <td>{{ row.event.body.relationType }}</td>
              <td class="ew-mono">{{ row.event.body.error ?? row.event.body.data }}</td>
            </tr>
          } @empty {
            <tr>
              <td colspan="6" class="ew-muted">Waiting for messages…</td>
            </tr>
          }
        </tbody>
      </table>
    }`,
  styles: `
    :host {
      display: block;
      overflow: auto;
      padding: 8px 16px;
    }
    table {
      width: 100%;
      border-collapse: collapse;
      font: var(--mat-sys-body-small);
    }
    th,
    td {
      padding: 4px 8px;
      text-align: left;
      border-bottom: 1px solid var(--mat-sys-outline-variant);
      vertical-align: top;
    }
    td.ew-mono {
      word-break: break-all;
    }
    tr.failed td {
      color: var(--mat-sys-error);
    }
    mat-icon {
      width: 18px;
      height: 18px;
      font-size: 18px;
    }
  `,
})
export class DebugPanel {
  /** The saved nodes whose debug is on. */
  readonly nodes = input.required<{ id: string; name: string }[]>();
  private readonly api = inject(RuleChainsApi);
  protected readonly rows = signal<DebugEventRow[]>([]);
  protected readonly error = signal<string | null>(null);

  constructor() {
    const auth = inject(AuthService);
    let polling = new Subscription();
    effect(() => {
      const nodes = this.nodes();
      const tenantId = auth.user()?.tenantId ?? '';
      polling.unsubscribe();
      if (!nodes.length || !tenantId) return;
      polling = timer(0, POLL_MS)
        .pipe(
          // A failed poll shows why and the next one tries again.
          switchMap(() =>
            forkJoin(
              nodes.map((node) =>
                this.api.debugEvents(tenantId, node.id).pipe(map((page) => ({ nodeName: node.name, events: page.data }))),
              ),
            ).pipe(
              map((perNode) => ({ rows: mergeDebugEvents(perNode, 50), error: null })),
              catchError((e: unknown) => of({ rows: this.rows(), error: `Debug events could not be loaded: ${describeError(e)}` })),
            ),
          ),
        )
        .subscribe(({ rows, error }) => {
          this.rows.set(rows);
          this.error.set(error);
        });
    });
    inject(DestroyRef).onDestroy(() => polling.unsubscribe());
  }
}
