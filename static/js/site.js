// htmx sends the CSRF token with every request it makes (the cookie is read by Django's default name).
document.addEventListener("htmx:configRequest", function (event) {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (match) {
    event.detail.headers["X-CSRFToken"] = decodeURIComponent(match[1]);
  }
});
