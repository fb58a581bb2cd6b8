// Small behaviours without inline scripts, so a strict Content-Security-Policy can hold.
document.addEventListener("DOMContentLoaded", () => {
  // Forms that auto-submit on change (filters): elements with data-autosubmit.
  document.body.addEventListener("change", (event) => {
    const form = event.target.closest("form[data-autosubmit]");
    if (form && !window.htmx) form.requestSubmit();
  });
  // Confirm before destructive actions: buttons with data-confirm.
  document.body.addEventListener("click", (event) => {
    const button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
  });
});
