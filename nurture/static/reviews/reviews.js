// Reviews: show the server's message when an autosave or a panel tap is refused (4xx).
// htmx does not swap error responses by default; elements marked data-swap-errors want them.
document.addEventListener("htmx:beforeSwap", (event) => {
  const status = event.detail.xhr.status;
  if (status >= 400 && status < 500 && event.detail.target.closest("[data-swap-errors], #autosave-status")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
