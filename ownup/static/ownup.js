// A form sent twice (a double click, an impatient second press) would record twice: once a
// form is on its way, it is not sent again, and its buttons wait until the answer comes. And
// what was typed into a form is not left behind without a question.
(function () {
  "use strict";

  function buttons(form) {
    return form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]");
  }

  // True the first time: the form is marked as on its way. False when it already was.
  function send(form) {
    if (form.hasAttribute("aria-busy")) { return false; }
    form.setAttribute("aria-busy", "true");
    // After the browser has read the pressed button's name and value into the request.
    window.setTimeout(function () {
      if (form.hasAttribute("aria-busy")) {
        buttons(form).forEach(function (button) { button.disabled = true; });
      }
    }, 0);
    return true;
  }

  function release(form) {
    form.removeAttribute("aria-busy");
    buttons(form).forEach(function (button) { button.disabled = false; });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || (form.method || "").toLowerCase() !== "post") { return; }
    if (!send(form)) { event.preventDefault(); }
  });

  // htmx sends a form without leaving the page (and takes the submit event for itself): the
  // same, from its own events. Its GETs (the similar mistakes shown while a title is typed)
  // hold nothing.
  function postedForm(event) {
    var detail = event.detail || {};
    var verb = detail.requestConfig && detail.requestConfig.verb;
    return verb === "post" && detail.elt ? detail.elt.closest("form") : null;
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = postedForm(event);
    if (form && !send(form)) { event.preventDefault(); }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = postedForm(event);
    if (form) { release(form); }
  });

  // Words typed into a form not yet sent would be lost by following a link away (another
  // audience for a message, another kind of check): the browser asks first.
  function typedAndUnsent() {
    var fields = document.querySelectorAll(
      "form[method=post]:not([aria-busy]) textarea, form[method=post]:not([aria-busy]) input[type=text]"
    );
    return Array.prototype.some.call(fields, function (field) {
      return field.value.trim() !== field.defaultValue.trim();
    });
  }
  window.addEventListener("beforeunload", function (event) {
    if (typedAndUnsent()) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // A page shown again from the browser's history keeps its forms as they were left.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[aria-busy]").forEach(release);
  });
})();
