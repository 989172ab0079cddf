import { Directive, effect, ElementRef, inject, input } from '@angular/core';

/**
 * Highlights its element briefly whenever the bound value changes (not when it first appears), so a live
 * value that just updated catches the eye. The look is the global `.ew-flash` animation, which respects
 * reduced-motion settings.
 */
@Directive({ selector: '[ewFlashOnChange]' })
export class FlashOnChange {
  readonly ewFlashOnChange = input.required<unknown>();
  private readonly element = inject<ElementRef<HTMLElement>>(ElementRef).nativeElement;
  private first = true;

  constructor() {
    this.element.addEventListener('animationend', () => this.element.classList.remove('ew-flash'));
    effect(() => {
      this.ewFlashOnChange();
      if (this.first) {
        this.first = false;
        return;
      }
      this.element.classList.remove('ew-flash');
      void this.element.offsetWidth; // restart the animation when updates come faster than it runs
      this.element.classList.add('ew-flash');
    });
  }
}
