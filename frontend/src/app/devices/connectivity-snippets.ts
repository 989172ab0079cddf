import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { MatProgressBar } from '@angular/material/progress-bar';
import { catchError, map, of } from 'rxjs';
import { describeError } from '../core/api-error';
import type { TransportPorts } from '../core/api-models';
import { CodeSnippet } from '../ui/code-snippet';
import { connectivityGuide } from './connectivity';
import { DeviceContext } from './device-context';
import { DevicesApi } from './devices.api';

/** Commands that send telemetry as the current device with mosquitto_pub, curl and coap-client, ready to copy. */
@Component({
  selector: 'ew-connectivity-snippets',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [CodeSnippet, MatProgressBar],
  template: `
    @let credentials = context.credentials.state();
    @if (credentials.error || transports()?.error) {
      <p class="ew-banner ew-banner-error" role="alert">
        The commands could not be prepared: {{ credentials.error ?? transports()?.error }}
      </p>
    } @else if (!guide()) {
      <mat-progress-bar mode="indeterminate" aria-label="Preparing the commands" />
    } @else {
      @for (command of guide()!.commands; track command.protocol) {
        <section class="command">
          <h3>
            {{ command.protocol }} <span class="ew-muted">with {{ command.tool }}</span>
          </h3>
          <ew-code-snippet [code]="command.command" [label]="command.protocol + ' command'" />
        </section>
      }
      @for (note of guide()!.notes; track note) {
        <p class="ew-muted">{{ note }}</p>
      }
    }
  `,
  styles: `
    :host {
      display: flex;
      flex-direction: column;
      gap: 16px;
    }
    h3 {
      margin: 0 0 8px;
      font: var(--mat-sys-title-small);
    }
    p {
      margin: 0;
    }
  `,
})
export class ConnectivitySnippets {
  protected readonly context = inject(DeviceContext);
  protected readonly transports = toSignal(
    inject(DevicesApi)
      .transports()
      .pipe(
        map((ports: TransportPorts) => ({ ports, error: null })),
        catchError((e: unknown) => of({ ports: null, error: describeError(e) })),
      ),
  );
  protected readonly guide = computed(() => {
    const credentials = this.context.credentials.state().value;
    const ports = this.transports()?.ports;
    return credentials && ports
      ? connectivityGuide(credentials, ports, { hostname: location.hostname, origin: location.origin })
      : undefined;
  });
}
