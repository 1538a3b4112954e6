/* The school choice as a combobox (WAI-ARIA Authoring Practices: combobox with a listbox popup,
   list autocomplete). Without this script the same field is a search box, a search button that
   asks the server, and a select (core/school_choice.py). The select stays the value the form
   sends; this script only fills it. */
(function () {
  "use strict";

  var MIN_LENGTH = 2;
  var DELAY_MS = 250;
  var counter = 0;

  function enhance(root) {
    if (root.getAttribute("data-ready") === "1" || !root.getAttribute("data-search-url")) {
      return;
    }
    root.setAttribute("data-ready", "1");
    var url = root.getAttribute("data-search-url");
    var input = root.querySelector("[data-school-input]");
    var select = root.querySelector("[data-school-select]");
    var pick = root.querySelector("[data-school-pick]");
    var status = root.querySelector("[data-school-status]");
    var extras = Array.prototype.map.call(
      select.querySelectorAll("option[data-extra]"),
      function (option) { return { value: option.value, label: option.textContent }; }
    );
    var emptyOption = select.querySelector("option[value='']");
    var emptyLabel = emptyOption ? emptyOption.textContent : "";

    counter += 1;
    var listbox = document.createElement("ul");
    listbox.id = "lotse-school-listbox-" + counter;
    listbox.className = "lotse-combobox__listbox";
    listbox.setAttribute("role", "listbox");
    listbox.setAttribute("aria-label", root.getAttribute("data-list-label") || "");
    listbox.hidden = true;
    input.parentNode.appendChild(listbox);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listbox.id);
    pick.hidden = true;
    // Out of the form, so that Enter in a field sends the form, not a search.
    var button = pick.querySelector("button");
    if (button) { button.parentNode.removeChild(button); }

    var chosenLabel = select.value ? input.value : "";
    var results = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    function say(text) {
      status.textContent = text;
    }

    function setValue(value, label) {
      while (select.firstChild) { select.removeChild(select.firstChild); }
      var option = document.createElement("option");
      option.value = value;
      option.textContent = value ? label : emptyLabel;
      option.selected = true;
      select.appendChild(option);
      chosenLabel = value ? label : "";
    }

    function open() {
      if (!results.length) { return; }
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var options = listbox.children;
      if (active >= 0 && options[active]) { options[active].setAttribute("aria-selected", "false"); }
      active = index;
      if (active >= 0 && options[active]) {
        options[active].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", options[active].id);
        options[active].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      var item = results[index];
      if (!item) { return; }
      setValue(item.value, item.label);
      input.value = item.label;
      close();
      say("");
    }

    function show(items) {
      results = items.concat(extras);
      while (listbox.firstChild) { listbox.removeChild(listbox.firstChild); }
      results.forEach(function (item, index) {
        var li = document.createElement("li");
        li.id = listbox.id + "-" + index;
        li.className = "lotse-combobox__option";
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = item.label;
        li.addEventListener("mousedown", function (event) { event.preventDefault(); });
        li.addEventListener("click", function () { choose(index); input.focus(); });
        listbox.appendChild(li);
      });
      active = -1;
      if (results.length) { open(); } else { close(); }
    }

    function ask() {
      var query = input.value.trim();
      if (query.length < MIN_LENGTH) {
        asked += 1;
        results = [];
        while (listbox.firstChild) { listbox.removeChild(listbox.firstChild); }
        close();
        say(query ? root.getAttribute("data-short") : "");
        return;
      }
      asked += 1;
      var mine = asked;
      var address = url + (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(query);
      fetch(address, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (data) {
          if (mine !== asked) { return; }
          show(data.results || []);
          say(data.status || "");
        })
        .catch(function () {
          if (mine !== asked) { return; }
          if (button && !button.parentNode) { pick.insertBefore(button, pick.firstChild); }
          pick.hidden = false;
          say(root.getAttribute("data-failed"));
        });
    }

    input.addEventListener("input", function () {
      if (input.value !== chosenLabel && select.value) { setValue("", ""); }
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      var key = event.key;
      if (key === "ArrowDown" || key === "Down") {
        event.preventDefault();
        if (listbox.hidden) {
          if (results.length) { open(); } else { ask(); return; }
        }
        highlight(active + 1 < results.length ? active + 1 : 0);
      } else if (key === "ArrowUp" || key === "Up") {
        event.preventDefault();
        if (listbox.hidden) { open(); }
        highlight(active > 0 ? active - 1 : results.length - 1);
      } else if (key === "Enter") {
        if (!listbox.hidden) {
          event.preventDefault();
          if (active >= 0) { choose(active); } else { close(); }
        }
      } else if (key === "Escape" || key === "Esc") {
        if (!listbox.hidden) {
          event.preventDefault();
          close();
        } else if (input.value) {
          event.preventDefault();
          input.value = "";
          setValue("", "");
          say("");
        }
      } else if (key === "Tab") {
        close();
      }
    });

    input.addEventListener("blur", function () {
      window.setTimeout(close, 150);
    });
  }

  function enhanceAll(scope) {
    Array.prototype.forEach.call(
      (scope || document).querySelectorAll("[data-school-choice]"), enhance
    );
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { enhanceAll(document); });
  } else {
    enhanceAll(document);
  }
  // Forms that htmx swaps into a page (e.g. a step of the request page) are enhanced too.
  document.addEventListener("htmx:load", function (event) { enhanceAll(event.target); });
}());
