/* shopmate chat widget: one <script src=".../widget/widget.js" data-key="..."></script> tag.
 *
 * Attributes: data-key (the site's publishable key), data-user (the signed-in shopper's id),
 * data-user-hash (its signature, where the shop verifies shopper ids), data-product (on a
 * product page: questions are about that product), data-product-url (a product link
 * template such as "/products/{id}", used where the catalog has no URL), data-on-add-to-cart
 * (the name of a global function called with {productId, quantity, ...}; it may return a
 * promise). Every add to cart also fires a "shopmate:add-to-cart" CustomEvent on document
 * (bubbling to window; detail: productId, quantity, title, price, currency); a listener that
 * calls preventDefault() marks the add as failed.
 *
 * Replies stream over server-sent events from /v1/chat/stream. Everything from the model,
 * the knowledge base or an agent is rendered with textContent only (never innerHTML). The
 * session id lives in localStorage and the conversation is read back from the server, so a
 * reload or a second tab shows the same chat. No external assets: icons are inline SVG.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = (script && script.src) ? new URL(script.src).origin : window.location.origin;
  function attr(name) { return (script && script.getAttribute(name)) || null; }
  var key = attr("data-key") || "";
  var userId = attr("data-user");
  var userHash = attr("data-user-hash");
  var productId = attr("data-product");
  var productUrl = attr("data-product-url");
  var onAddName = attr("data-on-add-to-cart");
  var store = window.localStorage;
  var sessionId = store.getItem("shopmate-session");
  if (!sessionId) {
    sessionId = "w" + Math.random().toString(36).slice(2) + Date.now().toString(36);
    store.setItem("shopmate-session", sessionId);
  }
  var config = {
    shop_name: attr("data-shop-name") || "Chat", currency: "", greeting: "Hi! How can I help?",
    suggestions: [], product_suggestions: []
  };
  var lastId = 0;          // newest stored message of this session shown here
  var ownUnconfirmed = 0;  // own messages sent while a person had the chat (ids not known yet)
  var handoff = "none", polling = null, restored = false;

  // ---------------------------------------------------------------- helpers
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  var SVG = "http://www.w3.org/2000/svg";
  function icon(path, size) {
    var s = document.createElementNS(SVG, "svg");
    s.setAttribute("viewBox", "0 0 24 24");
    s.setAttribute("width", size || 20);
    s.setAttribute("height", size || 20);
    s.setAttribute("aria-hidden", "true");
    s.setAttribute("focusable", "false");
    var p = document.createElementNS(SVG, "path");
    p.setAttribute("d", path);
    p.setAttribute("fill", "currentColor");
    s.appendChild(p);
    return s;
  }
  var ICON_CHAT = "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6v2h2V9H7zm4 0v2h2V9h-2zm4 0v2h2V9h-2z";
  var ICON_CLOSE = "M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4L12 13.4 6.4 19 5 17.6l5.6-5.6L5 6.4z";
  var ICON_SEND = "M3 20.5v-7l9-1.5-9-1.5v-7L22 12z";
  var ICON_UP = "M2 21h4V9H2v12zm20-11a2 2 0 0 0-2-2h-6.3l1-4.6v-.3c0-.4-.2-.8-.4-1.1L13.2 1 6.6 7.6c-.4.4-.6.9-.6 1.4v10a2 2 0 0 0 2 2h9c.8 0 1.5-.5 1.8-1.2l3-7c.1-.3.2-.5.2-.8v-2z";
  var ICON_DOWN = "M22 3h-4v12h4V3zM2 14a2 2 0 0 0 2 2h6.3l-1 4.6v.3c0 .4.2.8.4 1.1l1.1 1 6.6-6.6c.4-.4.6-.9.6-1.4V5a2 2 0 0 0-2-2H7c-.8 0-1.5.5-1.8 1.2l-3 7c-.1.3-.2.5-.2.8v2z";

  function headers() {
    var h = {"content-type": "application/json"};
    if (key) h["x-shopmate-key"] = key;
    return h;
  }
  function who(body) {  // the shopper, as the shop signed them in
    if (userId) body.user_id = userId;
    if (userId && userHash) body.user_hash = userHash;
    return body;
  }
  function post(path, body) {
    return fetch(base + path, {method: "POST", headers: headers(), body: JSON.stringify(body)});
  }
  function get(path) {
    return fetch(base + path, {headers: headers()}).then(function (r) { return r.ok ? r.json() : null; });
  }
  function money(price) {
    return (typeof price === "number") ? config.currency + price.toFixed(2) : "";
  }
  // retention analytics: one visit per page load, suggestion clicks (never blocks the chat)
  function track(type, pid) {
    var body = who({type: type, session_id: sessionId});
    if (pid) body.product_id = pid;
    post("/v1/events/track", body).catch(function () {});
  }
  track("visit");

  // ---------------------------------------------------------------- styles
  var C = "#1f6f5c";
  var css = el("style");
  css.textContent = [
    ".sm-w-bubble{position:fixed;right:20px;bottom:20px;width:60px;height:60px;border-radius:50%;border:0;display:flex;",
    "align-items:center;justify-content:center;background:" + C + ";color:#fff;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);z-index:2147483000}",
    ".sm-w-bubble:focus-visible,.sm-w-panel button:focus-visible,.sm-w-panel a:focus-visible{outline:3px solid #f0b429;outline-offset:2px}",
    ".sm-w-panel{position:fixed;right:20px;bottom:92px;width:380px;height:min(640px,calc(100vh - 120px));display:none;flex-direction:column;",
    "background:#fff;color:#1d2327;border-radius:16px;box-shadow:0 8px 30px rgba(0,0,0,.22);font:15px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;",
    "z-index:2147483001;overflow:hidden;box-sizing:border-box}.sm-w-panel *{box-sizing:border-box}",
    ".sm-w-open{display:flex}",
    ".sm-w-head{display:flex;align-items:center;gap:10px;padding:14px 14px 12px 16px;background:" + C + ";color:#fff}",
    ".sm-w-head-text{flex:1;min-width:0}.sm-w-title{font-weight:700;font-size:16px;margin:0}",
    ".sm-w-status{font-size:12px;opacity:.9}",
    ".sm-w-close{border:0;background:transparent;color:#fff;cursor:pointer;padding:6px;border-radius:8px;display:flex}",
    ".sm-w-log{overflow-y:auto;padding:12px;flex:1;background:#f7f8f8}",
    ".sm-w-msg{margin:8px 0;padding:9px 12px;border-radius:14px;white-space:pre-wrap;word-wrap:break-word;max-width:88%}",
    ".sm-w-me{background:" + C + ";color:#fff;margin-left:auto;border-bottom-right-radius:4px}",
    ".sm-w-bot{background:#fff;border:1px solid #e3e6e6;margin-right:auto;border-bottom-left-radius:4px}",
    ".sm-w-from-agent{border-color:#b9d8cf;background:#eef7f4}",
    ".sm-w-agent{display:block;color:" + C + ";font-size:12px;font-weight:600;margin-bottom:2px}",
    ".sm-w-src{font-size:12px;color:#555;margin-top:8px;border-top:1px solid #eee;padding-top:6px}",
    ".sm-w-cards{display:flex;flex-wrap:nowrap;gap:8px;margin-top:8px;overflow-x:auto;scroll-snap-type:x mandatory;padding-bottom:4px;white-space:normal}",
    ".sm-w-card{flex:0 0 150px;scroll-snap-align:start;border:1px solid #e3e6e6;border-radius:12px;padding:8px;background:#fff;display:flex;flex-direction:column;gap:3px}",
    ".sm-w-img{width:100%;height:90px;object-fit:cover;border-radius:8px;background:#eee}",
    ".sm-w-tile{display:flex;align-items:center;justify-content:center;color:#fff;font-size:30px;font-weight:700}",
    ".sm-w-name{font-weight:600;font-size:13px;color:inherit;text-decoration:none}.sm-w-name:hover{text-decoration:underline}",
    ".sm-w-price{font-weight:700}.sm-w-reason{font-size:12px;color:#5a6266}",
    ".sm-w-add{margin-top:auto;border:0;border-radius:8px;background:" + C + ";color:#fff;padding:7px 8px;font:inherit;font-size:13px;cursor:pointer}",
    ".sm-w-add:disabled{opacity:.75;cursor:default}",
    ".sm-w-sponsored{background:#fffbea}.sm-w-label{font-size:11px;color:#8a6d00;text-transform:uppercase}",
    ".sm-w-view{border:1px solid " + C + ";border-radius:8px;background:#fff;color:" + C + ";padding:5px;cursor:pointer}",
    ".sm-w-thumbs{display:flex;gap:4px;margin-top:6px;font-size:12px;color:#5a6266;align-items:center}",
    ".sm-w-thumbs button{border:1px solid #e3e6e6;background:#fff;color:#5a6266;border-radius:8px;padding:3px 6px;cursor:pointer;display:flex}",
    ".sm-w-thumbs button[aria-pressed=true]{color:" + C + ";border-color:" + C + "}",
    ".sm-w-chips{display:flex;flex-wrap:wrap;gap:6px;margin:4px 0 8px}",
    ".sm-w-chip{border:1px solid " + C + ";background:#fff;color:" + C + ";border-radius:999px;padding:6px 10px;font:inherit;font-size:13px;cursor:pointer;text-align:left}",
    ".sm-w-typing{display:inline-flex;gap:4px;padding:4px 0}.sm-w-typing span{width:7px;height:7px;border-radius:50%;background:#9aa3a6;",
    "animation:sm-w-blink 1.2s infinite ease-in-out}.sm-w-typing span:nth-child(2){animation-delay:.2s}.sm-w-typing span:nth-child(3){animation-delay:.4s}",
    "@keyframes sm-w-blink{0%,80%,100%{opacity:.25;transform:translateY(0)}40%{opacity:1;transform:translateY(-3px)}}",
    ".sm-w-error{border-color:#f1b5b0;background:#fdf0ef}.sm-w-retry{margin-top:6px;border:0;border-radius:8px;background:#9b1c1c;color:#fff;padding:6px 10px;font:inherit;font-size:13px;cursor:pointer}",
    ".sm-w-form{display:flex;gap:8px;padding:10px;border-top:1px solid #e3e6e6;background:#fff}",
    ".sm-w-form input{flex:1;min-width:0;border:1px solid #cfd5d6;border-radius:10px;padding:10px 12px;font:inherit;font-size:16px;color:inherit;background:#fff}",
    ".sm-w-form input:focus{outline:2px solid " + C + ";outline-offset:0;border-color:" + C + "}",
    ".sm-w-form button{border:0;border-radius:10px;background:" + C + ";color:#fff;padding:0 14px;cursor:pointer;display:flex;align-items:center}",
    ".sm-w-note{font-size:12px;color:#5a6266;text-align:center;margin:6px 0}",
    ".sm-w-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}",
    "@media (max-width:480px){.sm-w-panel{inset:0;right:0;bottom:0;width:100%;height:100%;max-height:none;border-radius:0}",
    ".sm-w-panel.sm-w-open~.sm-w-bubble{display:none}}",
    "@media (prefers-reduced-motion:reduce){.sm-w-typing span{animation:none}}"
  ].join("");
  document.head.appendChild(css);

  // ---------------------------------------------------------------- layout
  var bubble = el("button", "sm-w-bubble");
  bubble.id = "sm-w-bubble";
  bubble.type = "button";
  bubble.appendChild(icon(ICON_CHAT, 28));
  bubble.setAttribute("aria-haspopup", "dialog");
  bubble.setAttribute("aria-expanded", "false");
  bubble.setAttribute("aria-controls", "sm-w-panel");
  var panel = el("div", "sm-w-panel");
  panel.id = "sm-w-panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-labelledby", "sm-w-title");
  var head = el("div", "sm-w-head");
  var headText = el("div", "sm-w-head-text");
  var title = el("h2", "sm-w-title", config.shop_name);
  title.id = "sm-w-title";
  var status = el("div", "sm-w-status", "Our assistant answers right away");
  status.id = "sm-w-status";
  headText.appendChild(title);
  headText.appendChild(status);
  var close = el("button", "sm-w-close");
  close.id = "sm-w-close";
  close.type = "button";
  close.setAttribute("aria-label", "Close chat");
  close.appendChild(icon(ICON_CLOSE, 20));
  head.appendChild(headText);
  head.appendChild(close);
  var log = el("div", "sm-w-log");
  log.id = "sm-w-log";
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-relevant", "additions");
  var form = el("form", "sm-w-form");
  var input = el("input");
  input.id = "sm-w-input";
  input.type = "text";
  input.autocomplete = "off";
  input.setAttribute("enterkeyhint", "send");
  input.setAttribute("maxlength", "4000");
  input.placeholder = "Ask about orders, delivery, returns or products";
  var send = el("button");
  send.id = "sm-w-send";
  send.type = "submit";
  send.setAttribute("aria-label", "Send");
  send.appendChild(icon(ICON_SEND, 20));
  form.appendChild(input);
  form.appendChild(send);
  panel.appendChild(head);
  panel.appendChild(log);
  panel.appendChild(form);
  document.body.appendChild(panel);
  document.body.appendChild(bubble);

  function applyConfig() {
    title.textContent = config.shop_name;
    bubble.setAttribute("aria-label", "Chat with " + config.shop_name);
    input.setAttribute("aria-label", "Message to " + config.shop_name);
  }
  applyConfig();

  function setOpen(open) {
    panel.classList.toggle("sm-w-open", open);
    bubble.setAttribute("aria-expanded", open ? "true" : "false");
    try { window.sessionStorage.setItem("shopmate-open", open ? "1" : ""); } catch (e) { /* private mode */ }
    if (open) { sync(); input.focus(); log.scrollTop = log.scrollHeight; }
    else bubble.focus();
  }
  bubble.addEventListener("click", function () { setOpen(!panel.classList.contains("sm-w-open")); });
  close.addEventListener("click", function () { setOpen(false); });
  panel.addEventListener("keydown", function (e) { if (e.key === "Escape") setOpen(false); });

  function setHandoff(state) {
    handoff = state || "none";
    status.textContent = handoff === "human" ? "A person from our team is with you"
      : handoff === "requested" ? "A person from our team will join shortly"
      : "Our assistant answers right away";
    if (handoff !== "none" && !polling) polling = setInterval(sync, 2000);
    if (handoff === "none" && polling) { clearInterval(polling); polling = null; }
  }

  // ---------------------------------------------------------------- messages
  function scroll() { log.scrollTop = log.scrollHeight; }
  function addMessage(cls, text) {
    var m = el("div", "sm-w-msg " + cls);
    if (text !== undefined) m.appendChild(el("span", "sm-w-text", text));
    log.appendChild(m);
    scroll();
    return m;
  }
  function textOf(box) {
    var t = box.querySelector(".sm-w-text");
    if (!t) { t = el("span", "sm-w-text"); box.insertBefore(t, box.firstChild); }
    return t;
  }
  function addPerson(text) {
    var m = el("div", "sm-w-msg sm-w-bot sm-w-from-agent");
    m.appendChild(el("span", "sm-w-agent", "A person from " + config.shop_name));
    m.appendChild(el("span", "sm-w-text", text));
    log.appendChild(m);
    scroll();
    return m;
  }
  function typing(box) {
    var t = el("span", "sm-w-typing");
    t.setAttribute("role", "status");
    t.appendChild(el("span", "sm-w-sr", config.shop_name + " is typing"));
    for (var i = 0; i < 3; i++) t.appendChild(el("span"));
    box.appendChild(t);
    return t;
  }

  function greet() {
    var g = addMessage("sm-w-bot sm-w-greeting", config.greeting);
    var qs = productId ? config.product_suggestions : config.suggestions;
    if (!qs || !qs.length) return;
    var chips = el("div", "sm-w-chips");
    chips.setAttribute("role", "group");
    chips.setAttribute("aria-label", "Suggested questions");
    qs.slice(0, 3).forEach(function (q) {
      var b = el("button", "sm-w-chip", q);
      b.type = "button";
      b.addEventListener("click", function () { chips.remove(); ask(q); });
      chips.appendChild(b);
    });
    g.after(chips);
  }

  function thumbs(box, messageId) {
    if (!messageId) return;
    box.setAttribute("data-message-id", String(messageId));
    var row = el("div", "sm-w-thumbs");
    row.setAttribute("role", "group");
    row.setAttribute("aria-label", "Was this helpful?");
    [["up", ICON_UP, "Helpful"], ["down", ICON_DOWN, "Not helpful"]].forEach(function (t) {
      var b = el("button", "sm-w-thumb-" + t[0]);
      b.type = "button";
      b.setAttribute("aria-label", t[2]);
      b.setAttribute("aria-pressed", "false");
      b.appendChild(icon(t[1], 14));
      b.addEventListener("click", function () {
        row.querySelectorAll("button").forEach(function (x) { x.disabled = true; });
        post("/v1/feedback", who({session_id: sessionId, thumbs: t[0], message_id: messageId})).then(function (r) {
          b.setAttribute("aria-pressed", r.ok ? "true" : "false");
          row.appendChild(el("span", "sm-w-thanks", r.ok ? "Thanks for the feedback." : "Feedback could not be sent."));
        }).catch(function () { row.appendChild(el("span", null, "Feedback could not be sent.")); });
      });
      row.appendChild(b);
    });
    box.appendChild(row);
  }

  var TILE = ["#1f6f5c", "#3b5b92", "#8a4f7d", "#a2652a", "#4d7a2a", "#5f6b73"];
  function picture(p) {
    if (p.image && /^(https?:\/\/|\/(?!\/))/.test(p.image)) {
      var img = el("img", "sm-w-img");
      img.src = p.image;
      img.alt = "";
      img.loading = "lazy";
      return img;
    }
    var cat = (p.category || p.title || "?").split(">").pop().trim();
    var sum = 0;
    for (var i = 0; i < (p.category || "").length; i++) sum += p.category.charCodeAt(i);
    var tile = el("div", "sm-w-img sm-w-tile", cat.charAt(0).toUpperCase());
    tile.style.background = TILE[sum % TILE.length];
    tile.setAttribute("aria-hidden", "true");
    return tile;
  }
  function linkOf(p) {
    if (p.url && /^(https?:\/\/|\/(?!\/))/.test(p.url)) return p.url;
    return productUrl ? productUrl.replace("{id}", encodeURIComponent(p.id)) : "";
  }

  function addToCart(p, button) {
    var detail = {productId: p.id, quantity: 1, title: p.title, price: p.price, currency: config.currency, sessionId: sessionId};
    track("suggestion_click", p.id);
    button.disabled = true;
    var ev = new CustomEvent("shopmate:add-to-cart", {detail: detail, bubbles: true, cancelable: true});
    var accepted = document.dispatchEvent(ev);
    var callback = onAddName && typeof window[onAddName] === "function" ? window[onAddName] : null;
    var done = Promise.resolve(callback ? callback(detail) : true);
    // the shop's own events: the shopper's suggestions change at once
    var recorded = userId
      ? post("/v1/events", who({product_id: p.id, type: "add_to_cart"})).catch(function () {})
      : null;
    Promise.all([done, recorded]).then(function (both) { return both[0]; }).then(function (ok) {
      var added = accepted && ok !== false;
      button.textContent = added ? "Added ✓" : "Could not add";
      if (!added) button.disabled = false;
    }, function () { button.textContent = "Could not add"; button.disabled = false; });
  }

  function card(p, cls) {
    var c = el("div", "sm-w-card" + (cls ? " " + cls : ""));
    c.setAttribute("role", "listitem");
    c.setAttribute("data-product-id", p.id);
    c.appendChild(picture(p));
    var href = linkOf(p);
    var name = el(href ? "a" : "div", "sm-w-name sm-w-title", p.title);
    if (href) { name.href = href; }
    c.appendChild(name);
    c.appendChild(el("div", "sm-w-price", money(p.price)));
    return c;
  }

  // one promoted product beside the suggestions, labelled "Sponsored"; the server shows none
  // during a complaint or with a person, below the relevance floor, or over caps and budgets
  function renderSponsored(cards, question, shown) {
    var q = "?slots=1&session_id=" + encodeURIComponent(sessionId) + "&context=" + encodeURIComponent(question.slice(0, 500));
    if (userId) q += "&user_id=" + encodeURIComponent(userId);
    if (userId && userHash) q += "&user_hash=" + encodeURIComponent(userHash);
    shown.slice(0, 20).forEach(function (id) { q += "&exclude=" + encodeURIComponent(id); });
    get("/v1/sponsored" + q).then(function (ads) {
      (ads || []).filter(function (a) { return shown.indexOf(a.product_id) < 0; }).forEach(function (a) {
        var c = card({id: a.product_id, title: a.title, price: a.price, category: a.category || "", image: a.image || "", url: a.url || ""}, "sm-w-sponsored");
        c.insertBefore(el("div", "sm-w-label", a.label), c.firstChild);
        var view = el("button", "sm-w-view", "View");
        view.type = "button";
        view.addEventListener("click", function () {
          var click = who({session_id: sessionId});
          if (a.token) click.token = a.token;  // the impression this click belongs to
          post("/v1/sponsored/" + encodeURIComponent(a.campaign_id) + "/click", click).catch(function () {});
          view.textContent = "Opened ✓";
        });
        c.appendChild(view);
        cards.appendChild(c);
      });
    }).catch(function () {});
  }

  function renderFinal(box, data, question) {
    var t = box.querySelector(".sm-w-typing");
    if (t) t.remove();
    textOf(box).textContent = data.reply;
    if (data.citations && data.citations.length) {
      var src = el("div", "sm-w-src");
      src.appendChild(el("div", null, "Sources:"));
      data.citations.forEach(function (c, i) { src.appendChild(el("div", "sm-w-cite", "[" + (i + 1) + "] " + c.title)); });
      box.appendChild(src);
    }
    if (data.products && data.products.length) {
      var cards = el("div", "sm-w-cards");
      cards.setAttribute("role", "list");
      cards.setAttribute("aria-label", "Suggested products");
      data.products.forEach(function (p) {
        var c = card(p);
        c.appendChild(el("div", "sm-w-reason", p.reason));
        var add = el("button", "sm-w-add", "Add to cart");
        add.type = "button";
        add.setAttribute("aria-label", "Add " + p.title + " to cart");
        add.addEventListener("click", function () { addToCart(p, add); });
        c.appendChild(add);
        cards.appendChild(c);
      });
      box.appendChild(cards);
      renderSponsored(cards, question || "", data.products.map(function (p) { return p.id; }));
    }
    thumbs(box, data.message_id);
  }

  function showError(box, text, detail) {
    var t = box.querySelector(".sm-w-typing");
    if (t) t.remove();
    box.classList.add("sm-w-error");
    box.setAttribute("role", "alert");
    textOf(box).textContent = detail ? "Sorry, that did not go through: " + detail
      : "Sorry, " + config.shop_name + " could not be reached. Check your connection and try again.";
    var retry = el("button", "sm-w-retry", "Retry");
    retry.type = "button";
    retry.addEventListener("click", function () { box.remove(); ask(text, true); });
    box.appendChild(retry);
    scroll();
  }

  var busy = false;
  async function ask(text, again) {
    if (busy) return;
    busy = true;
    send.disabled = true;
    if (!again) addMessage("sm-w-me", text);
    var box = addMessage("sm-w-bot");
    typing(box);
    var body = who({session_id: sessionId, message: text});
    if (productId) body.product_id = productId;
    var final = null;
    try {
      var r = await post("/v1/chat/stream", body);
      if (!r.ok) {
        var err = await r.json().catch(function () { return {}; });
        showError(box, text, err.detail || ("error " + r.status));
        return;
      }
      var reader = r.body.getReader(), decoder = new TextDecoder(), buf = "", shown = "";
      for (;;) {
        var chunk = await reader.read();
        if (chunk.done) break;
        buf += decoder.decode(chunk.value, {stream: true});
        var parts = buf.split("\n\n");
        buf = parts.pop();
        parts.forEach(function (block) {
          var ev = /event: (\w+)/.exec(block), data = /data: (.*)/.exec(block);
          if (!ev || !data) return;
          var payload = JSON.parse(data[1]);
          if (ev[1] === "token") {
            var t = box.querySelector(".sm-w-typing");
            if (t) t.remove();
            shown += payload.text;
            textOf(box).textContent = shown;
          } else if (ev[1] === "final") final = payload;
          else if (ev[1] === "error") final = {error: payload.detail};
        });
        scroll();
      }
      if (!final) { showError(box, text); return; }
      if (final.error) { showError(box, text, final.error); return; }
      if (!final.reply) {  // a person has the chat: the bot stays silent, no empty bubble
        box.remove();
        ownUnconfirmed += 1;
      } else {
        renderFinal(box, final, text);
        if (final.message_id) lastId = Math.max(lastId, final.message_id);
      }
      setHandoff(final.handoff_state);
    } catch (e) {
      showError(box, text);
    } finally {
      busy = false;
      send.disabled = false;
      scroll();
    }
  }

  // the conversation as the server has it: on load, on focus (another tab may have chatted)
  // and every 2 s while a person is asked for or has the chat
  var syncing = false;
  function sync() {
    if (syncing || busy) return;
    syncing = true;
    var mine = userId ? "&user_id=" + encodeURIComponent(userId) + (userHash ? "&user_hash=" + encodeURIComponent(userHash) : "") : "";
    get("/v1/chat/" + encodeURIComponent(sessionId) + "/messages?transcript=true&after=" + lastId + mine)
      .then(function (data) {
        if (!data) return;
        var fresh = !restored;
        restored = true;
        data.messages.forEach(function (m) {
          if (m.id <= lastId) return;
          lastId = m.id;
          if (m.role === "shopper") {
            if (ownUnconfirmed > 0 && !fresh) { ownUnconfirmed -= 1; return; }
            addMessage("sm-w-me", m.text);
          } else if (m.from_person) addPerson(m.text);
          else thumbs(addMessage("sm-w-bot", m.text), m.id);
        });
        if (fresh && !data.messages.length) greet();
        setHandoff(data.handoff_state);
      })
      .catch(function () { if (!restored) { restored = true; greet(); } })
      .then(function () { syncing = false; });
  }

  get("/v1/widget/config").then(function (c) {
    if (c) {
      for (var k in c) if (Object.prototype.hasOwnProperty.call(c, k)) config[k] = c[k];
      if (attr("data-shop-name")) config.shop_name = attr("data-shop-name");
      applyConfig();
    }
  }).catch(function () {}).then(function () {
    sync();
    var wasOpen = false;
    try { wasOpen = window.sessionStorage.getItem("shopmate-open") === "1"; } catch (e) { /* private mode */ }
    if (wasOpen) setOpen(true);
  });
  window.addEventListener("focus", sync);

  // a message is cut at 4000 characters (maxlength): say so instead of sending it cut short
  input.addEventListener("input", function () {
    var note = log.querySelector(".sm-w-too-long");
    if (input.value.length >= 4000 && !note) {
      log.appendChild(el("div", "sm-w-note sm-w-too-long", "That is as long as a message can be (4000 characters): please shorten it or send it in parts."));
      log.scrollTop = log.scrollHeight;
    } else if (input.value.length < 4000 && note) {
      note.remove();
    }
  });

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text || busy) return;
    input.value = "";
    var chips = log.querySelector(".sm-w-chips");
    if (chips) chips.remove();
    ask(text);
  });

  // a small API for the host page
  window.ShopmateWidget = {
    open: function () { setOpen(true); },
    close: function () { setOpen(false); },
    ask: function (text) { setOpen(true); ask(String(text)); },
    sessionId: sessionId
  };
})();
