// The print view's Print button (the console's pages run no inline script).
document.querySelector('[data-print]')?.addEventListener('click', () => globalThis.print());
