// Gatehouse progressive enhancement. Every page works without this file;
// it only (1) stops a form being submitted twice by an impatient double
// click, and (2) adds a show/hide toggle to password fields.
(function () {
  "use strict";

  // (1) Ignore repeat submissions. Buttons are not disabled, because a
  // disabled submitter would drop its name=value (the consent decision).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.getAttribute("data-submitted") === "true") {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-submitted", "true");
    if (event.submitter) {
      event.submitter.setAttribute("aria-busy", "true");
    }
  });

  // Coming back with the Back button restores the page from the cache;
  // let the form be sent again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitted]").forEach(function (form) {
      form.removeAttribute("data-submitted");
    });
    document.querySelectorAll("[aria-busy]").forEach(function (el) {
      el.removeAttribute("aria-busy");
    });
  });

  // (2) Show/hide password. The button is created here, so users without
  // scripts never see a control that does nothing.
  function addReveal(wrapper) {
    var input = wrapper.querySelector("input");
    if (!input) {
      return;
    }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "reveal";
    button.textContent = "Show";
    button.setAttribute("aria-controls", input.id);
    button.setAttribute("aria-label", "Show password");
    button.addEventListener("click", function () {
      var show = input.type === "password";
      input.type = show ? "text" : "password";
      button.textContent = show ? "Hide" : "Show";
      button.setAttribute("aria-label", show ? "Hide password" : "Show password");
      input.focus();
    });
    // Never submit the password as visible text.
    input.form.addEventListener("submit", function () {
      input.type = "password";
    });
    wrapper.classList.add("has-toggle");
    wrapper.appendChild(button);
  }

  document.querySelectorAll("[data-reveal]").forEach(addReveal);
})();
