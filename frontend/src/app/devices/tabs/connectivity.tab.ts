import { ChangeDetectionStrategy, Component } from '@angular/core';
import { ConnectivitySnippets } from '../connectivity-snippets';
import { SAMPLE_TELEMETRY } from '../connectivity';

/** "Check connectivity": commands to send telemetry as this device, and what the device can do next. */
@Component({
  selector: 'ew-connectivity-tab',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ConnectivitySnippets],
  template: `
    <p class="intro">
      Run one of these commands in a terminal to send <code>{{ sample }}</code> as this device, then watch it arrive on the
      <strong>Latest telemetry</strong> tab. Any ThingsBoard device SDK or firmware connects the same way, with only the host changed.
    </p>
    <ew-connectivity-snippets />
    <section class="more">
      <h3>Next steps for the device</h3>
      <ul>
        <li>Attributes: publish to <code>v1/devices/me/attributes</code>; subscribe to it to receive shared attribute changes.</li>
        <li>
          Server-side RPC: subscribe to <code>v1/devices/me/rpc/request/+</code> and answer on
          <code>v1/devices/me/rpc/response/&#123;id&#125;</code>.
        </li>
      </ul>
    </section>
  `,
  styles: `
    .intro {
      margin: 0 0 16px;
      max-width: 880px;
    }
    .more {
      margin-top: 24px;
      h3 {
        font: var(--mat-sys-title-small);
        margin: 0;
      }
    }
  `,
})
export default class ConnectivityTab {
  protected readonly sample = SAMPLE_TELEMETRY;
}
