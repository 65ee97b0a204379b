/* Makes the server-rendered pages quicker to use: results as you type, keyboard moves, stepping
   through the matches of an article. Every page works without it; it only enhances them.
   Nothing here builds HTML from strings except the API's snippets, which are rebuilt from
   their text and <mark>s only; everything else is set as text. */
(function () {
  "use strict";

  var DEBOUNCE_MS = 250;
  var COMMON_DISTRICTS = 6; // as many as web/pages.py COMMON_DISTRICTS
  var SITE_TITLE = "Tìm kiếm tin tức";
  var TRUE_WORDS = ["1", "true", "yes", "on"]; // what ?exact= accepts, as SearchRequest.from_strings reads it
  var DEFAULTS = { sort: "relevance" }; // left out of URLs, which stay short to share
  var MAX_PAGE = 1000; // as search/model.py MAX_PAGE: the API refuses deeper pages

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

  /** 12345 → "12.345": Vietnamese groups thousands with dots (as the vnnumber filter). */
  function vnnumber(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  }

  /** Milliseconds as seconds with a decimal comma (as the seconds filter). */
  function seconds(ms) {
    var s = ms / 1000;
    return (s >= 1 ? s.toFixed(2) : String(Number(s.toPrecision(2)))).replace(".", ",");
  }

  /** "2024-01-31" → "31/01/2024" (as the vndate filter). */
  function vndate(iso) {
    return iso.split("-").reverse().join("/");
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

  /** The API's snippet HTML as nodes: its text and its <mark>s, nothing else can get through. */
  function snippetNodes(html) {
    var parsed = new DOMParser().parseFromString(html, "text/html").body;
    return Array.prototype.map.call(parsed.childNodes, function (node) {
      return node.nodeName === "MARK" ? el("mark", null, node.textContent) : node.textContent;
    });
  }

  var WORD = /[\p{L}\p{N}]+/gu;

  function wordKey(word) {
    return word.normalize("NFC").toLowerCase();
  }

  /** The title with the words its snippet marked marked too (the API gives the title as plain text).

      Runs of marked words separated only by spaces become one <mark>, as on the server. */
  function markedTitle(title, snippet) {
    var marked = new Set();
    snippet.forEach(function (node) {
      if (typeof node !== "string") (node.textContent.match(WORD) || []).forEach(function (w) { marked.add(wordKey(w)); });
    });
    var out = [], pos = 0, run = null, match;
    WORD.lastIndex = 0;
    while ((match = WORD.exec(title)) !== null) {
      if (!marked.has(wordKey(match[0]))) continue;
      var start = match.index, end = start + match[0].length;
      if (run && !title.slice(run.end, start).trim()) {
        run.end = end;
      } else {
        if (run) out.push(el("mark", null, title.slice(run.start, run.end)));
        out.push(title.slice(run ? run.end : pos, start));
        run = { start: start, end: end };
      }
    }
    if (run) {
      out.push(el("mark", null, title.slice(run.start, run.end)));
      pos = run.end;
    }
    out.push(title.slice(pos));
    return out.filter(function (part) { return part !== ""; });
  }

  // --- URLs: the same parameters as the server's search_url / doc_url --------------------

  /** ``params`` with ``changes`` applied: null removes a parameter, a list sets a repeatable one. */
  function withChanges(params, changes) {
    var next = new URLSearchParams(params);
    Object.keys(changes).forEach(function (key) {
      next.delete(key);
      [].concat(changes[key] === null ? [] : changes[key]).forEach(function (value) {
        if (value !== "") next.append(key, String(value));
      });
    });
    return next;
  }

  function query(params) {
    var text = params.toString();
    return text ? "?" + text : "";
  }

  function searchUrl(params) {
    return "/search" + query(params);
  }

  function docUrl(id, params) {
    // One path segment, "/" as %2F, as the server builds it: a browser resolves "../" in a path.
    return "/doc/" + encodeURIComponent(id) + query(params);
  }

  // --- results as you type ------------------------------------------------------------

  function initSearch() {
    var form = document.getElementById("search-form");
    var results = document.getElementById("results");
    if (!form || !results) return null;
    var box = form.elements.q;
    var count = document.getElementById("count");
    var region = document.getElementById("hits-region");
    var facets = document.getElementById("facets");
    var error = document.getElementById("error");
    var intro = document.getElementById("intro");
    var timer = 0;
    var controller = null;
    var common = null;
    form.classList.add("live"); // filters apply as they change: no "apply" button needed

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
      form.elements.sort.value = params.get("sort") === "date" ? "date" : "relevance";
      form.elements.exact.checked = wantsExact(params);
      form.querySelectorAll("input[type=hidden]").forEach(function (input) { input.remove(); });
      var filters = form.querySelector(".filters"); // hidden fields go before it, where the server puts them
      ["district", "province", "ward", "size", "prefix"].forEach(function (name) {
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
      fetch("/api/search" + query(params), { signal: mine.signal, headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.json().then(function (data) {
            if (mine !== controller) return;
            if (response.ok) {
              render(data, params, focusAfter, response.headers.get("X-Partial-Match") === "1",
                response.headers.get("X-Search-Incomplete") === "1");
            }
            else showError(data.error || "Không thể tìm kiếm lúc này.");
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

    function showError(message) {
      error.textContent = message;
      error.hidden = false;
      count.textContent = "";
      region.replaceChildren();
      facets.hidden = true;
    }

    function showHome() {
      if (controller) controller.abort();
      document.title = SITE_TITLE;
      intro.hidden = false;
      error.hidden = true;
      count.textContent = "";
      region.replaceChildren();
      facets.hidden = true;
    }

    function render(data, params, focusAfter, partial, incomplete) {
      error.hidden = true;
      error.textContent = "";
      count.textContent = vnnumber(data.total) + " kết quả (" + seconds(data.took_ms) + " giây)";
      var parts = [];
      if (data.notice) {
        parts.push(el("p", { class: "notice" }, data.notice));
      }
      if (data.read_as) {
        var shown = data.suggestion || data.read_as;
        parts.push(el("p", { class: "suggestion" }, "Đã hiển thị kết quả cho ",
          el("a", { href: searchUrl(withChanges(params, { q: shown, page: null })) }, el("strong", null, shown)),
          ". Tìm chính xác: ",
          el("a", { href: searchUrl(withChanges(params, { verbatim: "1", page: null })) }, data.query)));
      } else if (data.suggestion) {
        parts.push(el("p", { class: "suggestion" }, "Có phải bạn muốn tìm: ",
          el("a", { href: searchUrl(withChanges(params, { q: data.suggestion, page: null })) }, data.suggestion)));
      }
      if (partial) {
        parts.push(el("p", { class: "notice" }, "Không có bài nào chứa tất cả các từ bạn tìm; dưới đây là những bài gần nhất."));
      }
      if (incomplete) {
        parts.push(el("p", { class: "notice" }, "Câu tìm kiếm này quá tốn công nên chưa được tìm hết; kết quả có thể thiếu. Hãy bớt từ để tìm đầy đủ."));
      }
      if (data.hits.length) {
        parts.push(hitList(data.hits, params));
        var pages = Math.min(MAX_PAGE, Math.max(1, Math.ceil(data.total / data.size)));
        if (pages > 1) parts.push(pager(data.page, pages, params));
      } else if (data.total) {
        parts.push(el("div", { class: "empty" }, el("p", null, "Trang này không còn kết quả. ",
          el("a", { href: searchUrl(withChanges(params, { page: null })) }, "Về trang đầu"))));
      } else {
        parts.push(emptyState(params));
      }
      region.replaceChildren.apply(region, parts);
      renderFacets(data.facets, params);
      if (focusAfter) focusAfter();
    }

    function hitList(hits, params) {
      return el("ol", { class: "hits" }, hits.map(function (hit) {
        var snippet = snippetNodes(hit.snippet);
        var title = hit.title ? markedTitle(hit.title, snippet) : ["(Không có tiêu đề)"];
        return el("li", { class: "hit" },
          el("h2", null, el("a", { href: docUrl(hit.id, params) }, title)),
          el("p", { class: "meta" },
            hit.date ? el("time", { datetime: hit.date }, vndate(hit.date)) : null,
            hit.districts.map(function (name) { return el("span", { class: "badge" }, name); })),
          el("p", { class: "snippet" }, snippet));
      }));
    }

    function pager(page, pages, params) {
      var links = [];
      if (page > 1) links.push(el("a", { rel: "prev", href: searchUrl(withChanges(params, { page: page - 1 })) }, "← Trang trước"));
      for (var n = Math.max(1, page - 2); n <= Math.min(pages, page + 2); n++) {
        links.push(n === page
          ? el("span", { "aria-current": "page" }, String(n))
          : el("a", { href: searchUrl(withChanges(params, { page: n })) }, String(n)));
      }
      if (page < pages) links.push(el("a", { rel: "next", href: searchUrl(withChanges(params, { page: page + 1 })) }, "Trang sau →"));
      return el("nav", { class: "pager", "aria-label": "Phân trang" }, links);
    }

    function emptyState(params) {
      var q = params.get("q");
      var box = el("div", { class: "empty" },
        el("p", null, "Không tìm thấy bài viết nào" + (q ? " cho «" + q + "»" : "") + "."),
        el("ul", null,
          el("li", null, "Kiểm tra chính tả, hoặc thử từ khoá khác, ngắn hơn."),
          el("li", null, "Bỏ bớt bộ lọc ngày hoặc quận/huyện."),
          wantsExact(params) ? el("li", null, "Bỏ chọn «Chỉ khớp đúng dấu».") : null));
      commonDistricts().then(function (list) {
        if (!list.length) return;
        box.append(el("p", null, "Hoặc xem tin mới nhất ở các quận/huyện có nhiều tin nhất:"), el("ul", { class: "chips" },
          list.map(function (facet) {
            return el("li", null, el("a", { class: "chip", href: searchUrl(new URLSearchParams({ district: facet.name })) },
              facet.name + " ", el("span", { class: "n" }, vnnumber(facet.count))));
          })));
      });
      return box;
    }

    /** The whole corpus's district counts, asked once: an empty search's facets. */
    function commonDistricts() {
      if (!common) {
        common = fetch("/api/search?size=1", { headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : null; })
          .then(function (data) { return data ? data.facets.district.slice(0, COMMON_DISTRICTS) : []; })
          .catch(function () { return []; });
      }
      return common;
    }

    /** The facets as the server draws them: districts grouped by province (most hits first), then wards and provinces. */
    function renderFacets(all, params) {
      var heading = facets.querySelector("h2");
      var districts = facetLinks("district", all.district, params);
      var wards = facetLinks("ward", all.ward || [], params);
      var provinces = facetLinks("province", all.province || [], params);
      facets.hidden = !(districts.length || wards.length || provinces.length);
      if (facets.hidden) {
        facets.replaceChildren(heading);
        return;
      }
      var groups = {};
      districts.forEach(function (item) {
        var key = item.province || "";
        (groups[key] = groups[key] || { name: key, items: [] }).items.push(item.li);
      });
      // In the province facet's order: the province with most matching articles first.
      var rank = function (name) {
        var n = (all.province || []).map(function (f) { return f.name; }).indexOf(name);
        return n < 0 ? Infinity : n;
      };
      var ordered = Object.keys(groups).map(function (k) { return groups[k]; }).sort(function (a, b) {
        return rank(a.name) - rank(b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
      });
      var parts = [heading, el("ul", { class: "facet-groups" }, ordered.map(function (g) {
        return el("li", { class: "facet-group" }, el("h3", null, g.name || "Khác"), el("ul", null, g.items));
      }))];
      if (params.getAll("district").length) {
        parts.push(el("p", null, el("a", { class: "clear", href: searchUrl(withChanges(params, { district: null, page: null })) }, "Bỏ lọc quận/huyện")));
      }
      [["facet-wards", "Phường/Xã (từ 7/2025)", wards], ["facet-provinces", "Tỉnh/Thành phố", provinces]].forEach(function (section) {
        var block = el("section", { class: section[0] }, el("h2", null, section[1]),
          el("ul", null, section[2].map(function (item) { return item.li; })));
        block.hidden = !section[2].length;
        parts.push(block);
      });
      facets.replaceChildren.apply(facets, parts);
    }

    /** One link per place of a facet that toggles it in the ``param`` filter; chosen ones stay listed. */
    function facetLinks(param, counts, params) {
      var chosen = params.getAll(param);
      var names = counts.map(function (f) { return f.name; });
      chosen.forEach(function (name) { if (names.indexOf(name) < 0) names.push(name); });
      return names.map(function (name) {
        var found = counts.filter(function (f) { return f.name === name; })[0];
        var selected = chosen.indexOf(name) >= 0;
        var values = selected ? chosen.filter(function (d) { return d !== name; }) : chosen.concat([name]);
        var change = { page: null };
        change[param] = values;
        var li = el("li", null, el("a", {
          class: "facet" + (selected ? " selected" : ""),
          href: searchUrl(withChanges(params, change)),
          "data-name": name,
          "data-kind": param,
          "aria-current": selected ? "true" : null,
        }, (selected ? "✓ " : "") + name + " ", el("span", { class: "n" }, vnnumber(found ? found.count : 0)),
          selected ? el("span", { class: "visually-hidden" }, " (đang lọc, bấm để bỏ)") : null));
        return { li: li, count: found ? found.count : 0, province: found ? found.province : null };
      });
    }

    /** After a click replaced the link under the focus, put the focus somewhere that makes sense. */
    function refocus(link) {
      if (link.closest(".pager")) {
        return function () {
          var first = region.querySelector(".hits h2 a");
          if (first) first.focus();
          results.scrollIntoView({ block: "start" });
        };
      }
      var name = link.getAttribute("data-name");
      if (name === null) return null;
      return function () {
        facets.querySelectorAll("a.facet").forEach(function (a) {
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

    box.addEventListener("input", typed);
    box.addEventListener("compositionend", typed);
    form.addEventListener("change", function (event) {
      if (event.target !== box) load(formParams(), "push");
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      load(formParams(), typingEntry() ? "replace" : "push");
    });
    document.addEventListener("click", function (event) {
      var link = event.target.closest("a[href]");
      if (!link || event.defaultPrevented || !plainClick(event)) return;
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

  function initKeys(box, step) {
    document.addEventListener("keydown", function (event) {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      var typing = isTyping(event.target);
      if (event.key === "/" && box && !typing) {
        event.preventDefault();
        box.focus();
        box.select();
      } else if ((event.key === "ArrowDown" || event.key === "ArrowUp") && box) {
        moveThroughResults(event, box);
      } else if ((event.key === "n" || event.key === "p") && step && !typing) {
        event.preventDefault();
        step(event.key === "n" ? 1 : -1);
      }
    });
    [["keys-search", box], ["keys-matches", step]].forEach(function (pair) {
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

  var searchBox = initSearch();
  initCompletions(searchBox || document.getElementById("q"));
  initKeys(searchBox, initMatches());
})();
