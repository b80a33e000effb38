// Applies the theme saved by the theme toggle ("light" or "dark") before the first paint.
// No saved choice: the CSS follows prefers-color-scheme. Not a token, just a preference.
(function applySavedTheme() {
  try {
    var theme = window.localStorage.getItem("parlor-theme");
    if (theme === "light" || theme === "dark") document.documentElement.dataset.theme = theme;
  } catch (_error) {
    // Storage disabled: follow the system.
  }
})();
