import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { MatIconRegistry } from '@angular/material/icon';
import { RouterOutlet } from '@angular/router';
import { ThemeService } from './shell/theme.service';

@Component({
  selector: 'ew-root',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterOutlet],
  template: '<router-outlet />',
})
export class App {
  constructor() {
    // Icons come from the bundled Material Symbols font (no network at run time).
    inject(MatIconRegistry).setDefaultFontSetClass('material-symbols-outlined');
    inject(ThemeService).apply();
  }
}
