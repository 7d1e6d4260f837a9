// The console's only script of its own (the Content-Security-Policy allows no inline script): copy buttons.
document.addEventListener('click', (event) => {
  const button = event.target.closest('[data-copy]');
  if (button) {
    navigator.clipboard.writeText(document.getElementById(button.dataset.copy).textContent.trim());
  }
});
