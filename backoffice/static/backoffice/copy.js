// Copy buttons beside defanged URLs: the real address goes to the clipboard, never into a
// link on the page (the officer pastes it into an isolated browser to check the content).
document.addEventListener("click", (event) => {
  const button = event.target.closest("button.copy-url");
  if (!button) return;
  event.preventDefault();
  navigator.clipboard.writeText(button.dataset.url).then(() => {
    button.dataset.copied = "true";
    button.textContent = button.dataset.copiedLabel;
  });
});
