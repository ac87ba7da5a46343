// Move focus to the error summary when a form comes back with problems, so screen readers announce it.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector("[data-autofocus]");
  if (summary) summary.focus();
});
