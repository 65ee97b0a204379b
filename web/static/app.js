/* Makes the server-rendered pages quicker to use: results as you type, keyboard moves, stepping
   through the matches of an article. Every page works without it; it only enhances them.
   Results are never built here: the server renders the results region (GET /results, the same
   template as /search) and this swaps its parts in, so the live page and a reload are the same. */
(function () {
  "use strict";

  var DEBOUNCE_MS = 250;
  var SITE_TITLE = "Tìm kiếm tin tức";
  var TRUE_WORDS = ["1", "true", "yes", "on"]; // what ?exact= accepts, as SearchRequest.from_strings reads it
  var DEFAULTS = { sort: "relevance" }; // left out of URLs, which stay short to share
  // The parts of the results region (web/templates/_results.html) replaced by each answer.
  var REGION_PARTS = ["error", "active-filters", "hits-region", "facets"];

  // --- small helpers ------------------------------------------------------------------

  /** An element with attributes (null/false ones left out) and children (strings become text). */
  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) return;
      if (name === "class") node.className = value;
      else node.setAttribute(name, value === true ? "" : value);
    });
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === false) continue;
      if (Array.isArray(child)) node.append.apply(node, child);
      else node.append(child);
    }
    return node;
  }

  /** Server HTML that is text with <mark>s (a completion) as nodes, without parsing it into the page. */
  function snippetNodes(html) {
    var parsed = new DOMParser().parseFromString(html, "text/html").body;
    return Array.prototype.map.call(parsed.childNodes, function (node) {
      return node.nodeName === "MARK" ? el("mark", null, node.textContent) : node.textContent;
    });
  }

  var TEXT_ENTRY = "textarea, select, input:not([type=checkbox]):not([type=radio]):not([type=button]):not([type=submit])";

  function isTyping(target) {
    return !!(target && target.closest && (target.closest(TEXT_ENTRY) || target.isContentEditable));
  }

  function wantsExact(params) {
    return TRUE_WORDS.indexOf((params.get("exact") || "").trim().toLowerCase()) >= 0;
  }

  /** Whether this history entry was made by typing: further typing replaces it instead of adding one. */
  function typingEntry() {
    return !!(history.state && history.state.typing);
  }

  function plainClick(event) {
    return event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey && !event.altKey;
  }

  function query(params) {
    var text = params.toString();
    return text ? "?" + text : "";
  }

  function searchUrl(params) {
    return "/search" + query(params);
  }

  // --- results as you type ------------------------------------------------------------

  function initSearch() {
    var form = document.getElementById("search-form");
    var results = document.getElementById("results");
    if (!form || !results) return null;
    var box = form.elements.q;
    var count = document.getElementById("count");
    var intro = document.getElementById("intro");
    var timer = 0;
    var controller = null;
    form.classList.add("live"); // filters apply as they change: no "apply" button needed

    function part(id) {
      return document.getElementById(id);
    }

    /** What the form asks for, as URL parameters (empty fields and defaults left out). */
    function formParams() {
      var params = new URLSearchParams();
      new FormData(form).forEach(function (value, key) {
        if (typeof value === "string" && value.trim() && DEFAULTS[key] !== value) params.append(key, value);
      });
      return params;
    }

    /** Make the form show ``params``, e.g. after a facet click, a suggestion or Back. */
    function syncForm(params) {
      var q = params.get("q") || "";
      if (box.value !== q) box.value = q;
      form.elements.from.value = params.get("from") || "";
      form.elements.to.value = params.get("to") || "";
      syncYear();
      form.elements.sort.value = params.get("sort") === "date" ? "date" : "relevance";
      form.elements.exact.checked = wantsExact(params);
      form.querySelectorAll("input[type=hidden]").forEach(function (input) { input.remove(); });
      var filters = form.querySelector(".filters"); // hidden fields go before it, where the server puts them
      ["district", "province", "ward", "size", "verbatim", "prefix"].forEach(function (name) {
        params.getAll(name).forEach(function (value) {
          if (value) filters.before(el("input", { type: "hidden", name: name, value: value }));
        });
      });
    }

    /** Search for ``params`` and show the answer in place; ``how`` is "push", "replace" or null (Back/Forward). */
    function load(params, how, typing, focusAfter) {
      clearTimeout(timer);
      if (controller) controller.abort();
      var mine = (controller = new AbortController());
      if (how) history[how + "State"]({ typing: !!typing }, "", searchUrl(params));
      document.title = (params.get("q") ? params.get("q") + " – " : "") + SITE_TITLE;
      if (intro) intro.hidden = true;
      results.setAttribute("aria-busy", "true");
      // A refused search (400) answers with the region too, its message in #error.
      fetch("/results" + query(params), { signal: mine.signal, headers: { Accept: "text/html" } })
        .then(function (response) {
          if (response.status !== 200 && response.status !== 400) throw new Error(String(response.status));
          return response.text().then(function (html) {
            if (mine !== controller) return;
            swapIn(html);
            if (focusAfter) focusAfter();
          });
        })
        .catch(function (problem) {
          if (problem.name !== "AbortError" && mine === controller) {
            showError("Không kết nối được máy chủ. Hãy kiểm tra mạng rồi thử lại.");
          }
        })
        .finally(function () {
          if (mine === controller) results.removeAttribute("aria-busy");
        });
    }

    /** Put the server's results region in place of the page's, part by part, keeping facet lists as they were. */
    function swapIn(html) {
      var fresh = new DOMParser().parseFromString(html, "text/html");
      var kept = facetState();
      REGION_PARTS.forEach(function (id) {
        var next = fresh.getElementById(id);
        if (next) part(id).replaceWith(next);
      });
      // The live region itself stays, so screen readers announce the new count.
      count.textContent = fresh.getElementById("count").textContent;
      restoreFacetState(kept);
      enhanceFacets();
      showFilterCount();
    }

    function showError(message) {
      clearRegion();
      part("error").textContent = message;
      part("error").hidden = false;
    }

    function showHome() {
      if (controller) controller.abort();
      document.title = SITE_TITLE;
      intro.hidden = false;
      clearRegion();
      part("error").hidden = true;
    }

    function clearRegion() {
      count.textContent = "";
      part("hits-region").replaceChildren();
      part("facets").hidden = true;
      part("active-filters").hidden = true;
    }

    /** After a click replaced the link under the focus, put the focus somewhere that makes sense. */
    function refocus(link) {
      if (link.closest(".pager")) {
        return function () {
          var first = part("hits-region").querySelector(".hits h2 a");
          if (first) first.focus();
          results.scrollIntoView({ block: "start" });
        };
      }
      var name = link.getAttribute("data-name");
      if (name === null) return null;
      return function () {
        part("facets").querySelectorAll("a.facet").forEach(function (a) {
          if (a.getAttribute("data-name") === name) a.focus();
        });
      };
    }

    function typed(event) {
      if (event.isComposing) return; // an input method (Telex, VNI) is still building the word
      clearTimeout(timer);
      timer = setTimeout(function () {
        // One history entry per bout of typing, so Back does not replay every keystroke.
        load(formParams(), typingEntry() ? "replace" : "push", true);
      }, DEBOUNCE_MS);
    }

    // --- date shortcuts and the year chooser: they set the two date fields ------------

    function setDates(from, to) {
      form.elements.from.value = from;
      form.elements.to.value = to;
      syncYear();
      load(formParams(), "push");
    }

    /** The year chooser shows a year when the date fields cover exactly that year. */
    function syncYear() {
      var from = form.elements.from.value, to = form.elements.to.value;
      var year = /^\d{4}-01-01$/.test(from) && to === from.slice(0, 4) + "-12-31" ? from.slice(0, 4) : "";
      var chooser = document.querySelector("select[name=year]");
      if (chooser) chooser.value = year;
    }

    box.addEventListener("input", typed);
    box.addEventListener("compositionend", typed);
    form.addEventListener("change", function (event) {
      var target = event.target;
      if (target === box) return;
      if (target.name === "year") setDates(target.value ? target.value + "-01-01" : "", target.value ? target.value + "-12-31" : "");
      else load(formParams(), "push");
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      load(formParams(), typingEntry() ? "replace" : "push");
    });
    document.addEventListener("click", function (event) {
      var link = event.target.closest("a[href]");
      if (!link || event.defaultPrevented || !plainClick(event)) return;
      if (link.closest(".date-shortcuts")) { // its URL was made with the page: the form is newer
        event.preventDefault();
        setDates(link.getAttribute("data-from"), link.getAttribute("data-to"));
        return;
      }
      var url = new URL(link.href, location.href);
      if (url.origin !== location.origin || url.pathname !== "/search") return;
      event.preventDefault();
      syncForm(url.searchParams);
      load(url.searchParams, "push", false, refocus(link));
    });
    window.addEventListener("popstate", function () {
      var params = new URLSearchParams(location.search);
      syncForm(params);
      if (location.pathname === "/search") load(params, null);
      else if (intro) showHome();
    });

    return box;
  }

  // --- facets: a box that filters a long list -------------------------------------------

  /** "Quận Hoàn Kiếm" → "quan hoan kiem": the filter box finds names typed with or without diacritics. */
  function fold(text) {
    return text.normalize("NFD").replace(/\p{M}/gu, "").replace(/[đĐ]/g, "d").toLowerCase();
  }

  /** Show the filter box of every long facet list (they work as plain lists without this script). */
  function enhanceFacets() {
    document.querySelectorAll(".facet-filter").forEach(function (p) { p.hidden = false; });
  }

  function filterFacets(input) {
    var section = input.closest(".facet-box");
    var wanted = fold(input.value.trim());
    var shown = 0;
    section.querySelectorAll("li").forEach(function (item) {
      var match = !wanted || fold(item.textContent).indexOf(wanted) >= 0;
      item.hidden = !match;
      if (match) shown++;
    });
    var more = section.querySelector("details.more");
    if (more && wanted) more.open = true; // the matches may lie in the rest of the list
    section.querySelector(".facet-none").hidden = shown > 0;
  }

  /** Which "Xem thêm" lists are open and what their filter boxes hold, to keep them so across an update. */
  function facetState() {
    var state = { open: [], filters: {} };
    document.querySelectorAll("details.more[open]").forEach(function (d) { state.open.push(d.id); });
    document.querySelectorAll(".facet-filter input").forEach(function (input) {
      if (input.value) state.filters[input.id] = input.value;
    });
    return state;
  }

  function restoreFacetState(state) {
    state.open.forEach(function (id) {
      var details = document.getElementById(id);
      if (details) details.open = true;
    });
    Object.keys(state.filters).forEach(function (id) {
      var input = document.getElementById(id);
      if (!input) return;
      input.value = state.filters[id];
      filterFacets(input);
    });
  }

  function initFacets() {
    enhanceFacets();
    document.addEventListener("input", function (event) {
      if (event.target.closest && event.target.closest(".facet-filter")) filterFacets(event.target);
    });
  }

  // --- on a phone, the filters fold behind one button that counts them -------------------

  function initFilterToggle() {
    var button = document.getElementById("filters-toggle");
    if (!button) return;
    document.body.classList.add("filters-foldable");
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = document.body.classList.toggle("filters-open");
      button.setAttribute("aria-expanded", String(open));
    });
  }

  /** The button's count follows the active filters the server listed for the latest results. */
  function showFilterCount() {
    var on = document.getElementById("filters-on");
    var row = document.getElementById("active-filters");
    if (!on || !row) return;
    var n = Number(row.getAttribute("data-count")) || 0;
    on.textContent = " (" + n + " đang bật)";
    on.hidden = !n;
  }

  // --- completions under the search box ---------------------------------------------------
  // A WAI-ARIA 1.2 combobox with a listbox popup (list autocomplete): the box keeps the focus,
  // aria-activedescendant names the option the arrow keys are on, Enter takes it, Escape closes.

  var COMPLETE_DEBOUNCE_MS = 60;
  var COMPLETE_CACHE = 200; // answers kept, so erasing a letter shows the list at once

  function initCompletions(box) {
    if (!box || !box.form) return;
    var form = box.form;
    var list = el("ul", { id: "q-completions", class: "completions", role: "listbox", "aria-label": "Gợi ý tìm kiếm", hidden: true });
    box.after(list);
    box.setAttribute("role", "combobox");
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-expanded", "false");
    box.setAttribute("aria-controls", list.id);
    box.closest(".searchbox").classList.add("has-completions");
    var options = [];
    var active = -1;
    var timer = 0;
    var controller = null;
    var cache = new Map();

    function open() {
      return !list.hidden;
    }

    function close() {
      clearTimeout(timer);
      if (controller) controller.abort();
      controller = null; // an answer already on its way must not open the list again
      list.hidden = true;
      box.setAttribute("aria-expanded", "false");
      setActive(-1);
    }

    function setActive(i) {
      if (active >= 0 && options[active]) options[active].setAttribute("aria-selected", "false");
      active = i;
      if (i >= 0) {
        options[i].setAttribute("aria-selected", "true");
        box.setAttribute("aria-activedescendant", options[i].id);
        options[i].scrollIntoView({ block: "nearest" });
      } else {
        box.removeAttribute("aria-activedescendant");
      }
    }

    function show(completions) {
      options = completions.map(function (completion, i) {
        return el("li", { id: "q-completion-" + i, role: "option", "aria-selected": "false", "data-text": completion.text },
          snippetNodes(completion.html));
      });
      active = -1;
      box.removeAttribute("aria-activedescendant");
      list.replaceChildren.apply(list, options);
      list.hidden = !options.length || document.activeElement !== box;
      box.setAttribute("aria-expanded", String(!list.hidden));
    }

    /** Put a completion in the box and search for it, as the form's own submit does. */
    function take(option) {
      box.value = option.getAttribute("data-text");
      close();
      if (form.requestSubmit) form.requestSubmit();
      else form.submit();
    }

    function fetchCompletions() {
      var q = box.value;
      if (!q.trim()) return close();
      if (cache.has(q)) return show(cache.get(q));
      if (controller) controller.abort();
      var mine = (controller = new AbortController());
      fetch("/api/complete?" + new URLSearchParams({ q: q }), { signal: mine.signal, headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { completions: [] }; })
        .then(function (data) {
          if (cache.size >= COMPLETE_CACHE) cache.delete(cache.keys().next().value);
          cache.set(q, data.completions);
          if (mine === controller && box.value === q) show(data.completions);
        })
        .catch(function () { /* aborted by the next keystroke, or offline: no list */ });
    }

    function typed(event) {
      if (event.isComposing) return; // an input method (Telex, VNI) is still building the word
      clearTimeout(timer);
      timer = setTimeout(fetchCompletions, COMPLETE_DEBOUNCE_MS);
    }

    box.addEventListener("input", typed);
    box.addEventListener("compositionend", typed);
    box.addEventListener("keydown", function (event) {
      if (!open() || event.altKey || event.ctrlKey || event.metaKey) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault(); // the list, not the results below, takes the arrows while it is open
        var step = event.key === "ArrowDown" ? 1 : -1;
        var next = active + step;
        setActive(next < -1 ? options.length - 1 : next >= options.length ? -1 : next);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        take(options[active]);
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      } else if (event.key === "Enter" || event.key === "Tab") {
        close();
      }
    });
    box.addEventListener("blur", close);
    // The box keeps the focus when an option is pressed (mouse or touch); the click then takes it.
    list.addEventListener("pointerdown", function (event) { event.preventDefault(); });
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    list.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) take(option);
    });
    list.addEventListener("mousemove", function (event) {
      var option = event.target.closest("[role=option]");
      if (option && options.indexOf(option) !== active) setActive(options.indexOf(option));
    });
    form.addEventListener("submit", close);
  }

  // --- stepping through the matches of an article ---------------------------------------

  function initMatches() {
    var nav = document.getElementById("match-nav");
    var article = document.querySelector("article.doc");
    if (!nav || !article) return null;
    var marks = Array.prototype.slice.call(article.querySelectorAll("mark"));
    if (!marks.length) return null;
    var position = document.getElementById("match-pos");
    var current = -1;

    /** Show match ``i`` (wrapping around at either end) in the middle of the screen. */
    function go(i) {
      if (current >= 0) marks[current].classList.remove("current");
      current = (i + marks.length) % marks.length;
      marks[current].classList.add("current");
      marks[current].scrollIntoView({ block: "center" });
      position.textContent = current + 1 + "/" + marks.length;
    }

    nav.hidden = false;
    document.getElementById("prev-match").addEventListener("click", function () { go(current - 1); });
    document.getElementById("next-match").addEventListener("click", function () { go(current + 1); });
    if (!location.hash) go(0);
    return function (step) { go(current + step); };
  }

  // --- keyboard -----------------------------------------------------------------------

  function initKeys(box, results, step) {
    document.addEventListener("keydown", function (event) {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      var typing = isTyping(event.target);
      if (event.key === "/" && box && !typing) {
        event.preventDefault();
        box.focus();
        box.select();
      } else if ((event.key === "ArrowDown" || event.key === "ArrowUp") && results) {
        moveThroughResults(event, box);
      } else if ((event.key === "n" || event.key === "p") && step && !typing) {
        event.preventDefault();
        step(event.key === "n" ? 1 : -1);
      }
    });
    [["keys-search", box], ["keys-results", results], ["keys-matches", step]].forEach(function (pair) {
      document.getElementById(pair[0]).hidden = !pair[1];
    });
    document.getElementById("keys").hidden = !box && !step;
  }

  /** ArrowDown from the search box enters the result list, ArrowUp from its first result goes back. */
  function moveThroughResults(event, box) {
    var links = Array.prototype.slice.call(document.querySelectorAll(".hits h2 a"));
    var at = links.indexOf(document.activeElement);
    var target = null;
    if (document.activeElement === box) {
      target = event.key === "ArrowDown" ? links[0] : null;
    } else if (at >= 0) {
      target = event.key === "ArrowDown" ? links[at + 1] : at === 0 ? box : links[at - 1];
    }
    if (!target) return;
    event.preventDefault();
    target.focus();
    if (target !== box) target.closest(".hit").scrollIntoView({ block: "nearest" });
  }

  initFacets();
  initFilterToggle();
  var live = initSearch();
  var box = live || document.getElementById("q");
  initCompletions(box);
  // Every page with a search box (results, home, article, error) focuses it with "/".
  initKeys(box, !!live, initMatches());
})();
