// The API documentation: Swagger UI (served by the app, no CDN) on /openapi.json, which needs
// a login unless SMARTSPOT_OPEN_DOCS is set. The map keeps its token in sessionStorage, so a
// page opened from the map's tab sends it along, and "Try it out" requests carry it too.
(function () {
  "use strict";
  const token = sessionStorage.getItem("smartspot.token");
  // the note's texts in the browser's language, from the map catalog (data-i18n="English")
  fetch("/i18n.json")
    .then((answer) => answer.json())
    .then((catalog) => {
      document.documentElement.lang = catalog.language;
      document.querySelectorAll("[data-i18n]").forEach((el) => {
        el.textContent = catalog.messages[el.dataset.i18n] || el.dataset.i18n;
      });
    })
    .catch(() => {});
  const withToken = (request) => {
    if (token && !request.headers.Authorization) request.headers.Authorization = `Bearer ${token}`;
    return request;
  };
  fetch("/openapi.json", { headers: token ? { Authorization: `Bearer ${token}` } : {} })
    .then((answer) => {
      if (answer.status === 401) {
        document.getElementById("docs-login").hidden = false;
        return null;
      }
      return answer.json();
    })
    .then((spec) => {
      if (!spec) return;
      window.SwaggerUIBundle({
        spec,
        dom_id: "#swagger-ui",
        requestInterceptor: withToken,
        persistAuthorization: false,
      });
    });
})();
