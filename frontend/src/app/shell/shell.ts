import { BreakpointObserver } from '@angular/cdk/layout';
import { NgTemplateOutlet } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, effect, inject, signal } from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { MatIconButton } from '@angular/material/button';
import { MatIcon } from '@angular/material/icon';
import { MatListItem, MatListItemIcon, MatListItemMeta, MatListItemTitle, MatNavList } from '@angular/material/list';
import { MatDivider } from '@angular/material/divider';
import { MatMenu, MatMenuItem, MatMenuTrigger } from '@angular/material/menu';
import { MatSidenav, MatSidenavContainer, MatSidenavContent } from '@angular/material/sidenav';
import { MatToolbar } from '@angular/material/toolbar';
import { MatTooltip } from '@angular/material/tooltip';
import { NavigationEnd, Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { filter, map } from 'rxjs';
import { AuthService } from '../auth/auth.service';
import { TelemetrySocket } from '../core/telemetry-socket';
import { navItemsFor } from './navigation';
import { ThemeChoice, ThemeService } from './theme.service';

const AUTHORITY_NAMES = { SYS_ADMIN: 'System administrator', TENANT_ADMIN: 'Tenant administrator', CUSTOMER_USER: 'Customer user' };
const THEME_ICONS: Record<ThemeChoice, string> = { system: 'brightness_auto', light: 'light_mode', dark: 'dark_mode' };

/** The frame of every page after login: left navigation, top bar (live-connection state, theme, account) and the page. */
@Component({
  selector: 'ew-shell',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    NgTemplateOutlet,
    RouterOutlet,
    RouterLink,
    RouterLinkActive,
    MatSidenavContainer,
    MatSidenav,
    MatSidenavContent,
    MatToolbar,
    MatIconButton,
    MatIcon,
    MatNavList,
    MatListItem,
    MatListItemIcon,
    MatListItemTitle,
    MatListItemMeta,
    MatDivider,
    MatMenu,
    MatMenuItem,
    MatMenuTrigger,
    MatTooltip,
  ],
  templateUrl: './shell.html',
  styleUrl: './shell.scss',
})
export default class Shell {
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  protected readonly theme = inject(ThemeService);
  protected readonly socketState = inject(TelemetrySocket).state;

  protected readonly user = this.auth.user;
  protected readonly authorityName = computed(() => AUTHORITY_NAMES[this.user()?.authority ?? 'CUSTOMER_USER']);
  protected readonly items = computed(() => (this.user() ? navItemsFor(this.user()!.authority) : []));
  protected readonly mainItems = computed(() => this.items().filter((item) => item.group === 'main'));
  protected readonly settingsItems = computed(() => this.items().filter((item) => item.group === 'settings'));
  protected readonly themeIcon = computed(() => THEME_ICONS[this.theme.choice()]);

  /** Below 1024 px (tablets) the navigation slides over the page instead of taking room beside it. */
  protected readonly compact = toSignal(
    inject(BreakpointObserver)
      .observe('(max-width: 1023.98px)')
      .pipe(map((state) => state.matches)),
    {
      initialValue: false,
    },
  );
  protected readonly navOpen = signal(false);

  constructor() {
    // The session ended (refresh refused, logged out in another tab): back to the login page, then back here.
    effect(() => {
      if (!this.user()) void this.router.navigate(['/login'], { queryParams: { returnUrl: this.router.url } });
    });
    this.router.events
      .pipe(
        filter((event) => event instanceof NavigationEnd),
        takeUntilDestroyed(),
      )
      .subscribe(() => this.navOpen.set(false));
  }

  async logout(): Promise<void> {
    await this.auth.logout();
    await this.router.navigate(['/login']);
  }
}
