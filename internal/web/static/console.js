// Gatehouse console progressive enhancement. Every page works without
// this file; it adds (1) a guard against double submission, (2) a
// confirmation before destructive forms marked data-confirm, (3) copy
// buttons, (4) live validation of redirect URIs and patterns and (5) the
// pattern tester without a page reload. (4) and (5) ask the console's JSON
// endpoints, which use the server's own validation and matching code.
(function () {
  "use strict";

  var main = document.getElementById("main");
  var csrf = main ? main.getAttribute("data-csrf") : "";

  // post sends form fields to a console JSON endpoint.
  function post(path, fields) {
    var body = new URLSearchParams(fields);
    body.set("csrf_token", csrf);
    return fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString()
    }).then(function (res) {
      if (!res.ok) { throw new Error("HTTP " + res.status); }
      return res.json();
    });
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function debounce(fn, ms) {
    var t;
    return function () {
      clearTimeout(t);
      t = setTimeout(fn, ms);
    };
  }

  // (1) and (2)
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-tester")) { return; }
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    if (form.getAttribute("data-submitted") === "true") {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-submitted", "true");
    if (event.submitter) { event.submitter.setAttribute("aria-busy", "true"); }
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitted]").forEach(function (f) { f.removeAttribute("data-submitted"); });
    document.querySelectorAll("[aria-busy]").forEach(function (b) { b.removeAttribute("aria-busy"); });
  });

  // (3) Copy buttons name the element whose text they copy.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    if (!navigator.clipboard) { return; }
    button.hidden = false;
    var label = button.firstChild.textContent;
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy"));
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        button.firstChild.textContent = "Copied";
        setTimeout(function () { button.firstChild.textContent = label; }, 1600);
      });
    });
  });

  // (4) Live validation: one verdict per line under the text box.
  document.querySelectorAll("textarea[data-check]").forEach(function (box) {
    var out = document.getElementById(box.getAttribute("aria-describedby").split(" ").filter(function (id) {
      return id.indexOf("live-") === 0;
    })[0]);
    var check = debounce(function () {
      post("/console/check/redirect", {
        type: box.getAttribute("data-type"),
        kind: box.getAttribute("data-check"),
        value: box.value
      }).then(function (res) {
        out.textContent = "";
        var bad = false;
        res.lines.forEach(function (line) {
          bad = bad || !line.ok;
          out.appendChild(el("p", line.ok ? "ok" : "no", (line.ok ? "✓ " : "✗ ") + (line.ok ? line.value : line.message)));
        });
        if (bad) { box.setAttribute("aria-invalid", "true"); } else { box.removeAttribute("aria-invalid"); }
      }).catch(function () { out.textContent = ""; });
    }, 300);
    box.addEventListener("input", check);
    if (box.value.trim() !== "") { check(); }
  });

  // (5) The pattern tester.
  document.querySelectorAll("form[data-tester]").forEach(function (form) {
    var input = form.querySelector("input[name=url]");
    var out = document.getElementById("tester-result");
    function run() {
      if (input.value.trim() === "") { out.textContent = ""; return; }
      post("/console/check/match", { client_id: form.getAttribute("data-tester"), url: input.value }).then(function (res) {
        out.textContent = "";
        var verdict = el("p", "verdict " + (res.matched ? "ok" : "no"));
        verdict.setAttribute("data-matched", String(res.matched));
        verdict.appendChild(el("strong", "", res.matched ? "Match" : "No match"));
        verdict.appendChild(document.createTextNode(" " + res.summary));
        out.appendChild(verdict);
        var list = el("ul", "rule-list");
        res.rules.forEach(function (rule) {
          var li = el("li", rule.matched ? "ok" : "no");
          li.appendChild(el("span", "rule-kind", rule.kind === "exact" ? "Exact URI" : "Pattern"));
          li.appendChild(el("code", "", rule.rule));
          li.appendChild(el("span", "rule-why", rule.why));
          list.appendChild(li);
        });
        out.appendChild(list);
      }).catch(function () { form.submit(); });
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      run();
    });
    input.addEventListener("input", debounce(run, 400));
  });
})();
