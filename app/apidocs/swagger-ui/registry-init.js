// Starts Swagger UI on the registry's API documentation page (app/apidocs): the page holds no inline
// script (its content security policy forbids it), so the schema's address comes in a data attribute.
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.schemaUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null, // no badge from an outside validator service
    presets: [SwaggerUIBundle.presets.apis],
  });
});
