// Starts Swagger UI on /api/docs/ (no inline script: the CSP forbids it). The schema's address, in the
// page's language, is on the container; requests carry the session's CSRF token.
(function () {
  "use strict";
  var node = document.getElementById("swagger-ui");
  function csrf() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  window.ui = SwaggerUIBundle({
    url: node.getAttribute("data-schema-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout",
    requestInterceptor: function (request) {
      request.headers["X-CSRFToken"] = csrf();
      return request;
    },
  });
})();
