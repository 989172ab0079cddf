import { computed, Injectable, signal } from '@angular/core';

export type ThemeChoice = 'system' | 'light' | 'dark';
const STORAGE_KEY = 'edgewise.theme';
const CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark'];

/** Light, dark, or as the operating system says; remembered per browser. The Material theme follows `color-scheme`. */
@Injectable({ providedIn: 'root' })
export class ThemeService {
  readonly choice = signal<ThemeChoice>(this.stored());
  private readonly systemDark = signal(false);
  /** Whether the page is dark now (canvas drawings such as charts need to know). */
  readonly dark = computed(() => (this.choice() === 'system' ? this.systemDark() : this.choice() === 'dark'));

  constructor() {
    const query = globalThis.matchMedia?.('(prefers-color-scheme: dark)');
    if (query) {
      this.systemDark.set(query.matches);
      query.addEventListener('change', (event) => this.systemDark.set(event.matches));
    }
  }

  set(choice: ThemeChoice): void {
    this.choice.set(choice);
    localStorage.setItem(STORAGE_KEY, choice);
    this.apply();
  }

  apply(): void {
    const choice = this.choice();
    document.documentElement.style.colorScheme = choice === 'system' ? 'light dark' : choice;
  }

  private stored(): ThemeChoice {
    const value = localStorage.getItem(STORAGE_KEY) as ThemeChoice | null;
    return value && CHOICES.includes(value) ? value : 'system';
  }
}
