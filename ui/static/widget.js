/* shopmate chat widget: one <script src=".../widget/widget.js" data-key="..."></script> tag.
 *
 * Adds a chat bubble to the page. Replies stream over server-sent events from
 * /v1/chat/stream; citations and product cards are rendered with textContent only (never
 * innerHTML), so nothing from the model, the knowledge base or an agent can inject script.
 * The session id lives in localStorage, so a reload keeps the conversation.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = (script && script.src) ? new URL(script.src).origin : window.location.origin;
  var key = (script && script.getAttribute("data-key")) || "";
  var userId = (script && script.getAttribute("data-user")) || null;
  // on a product page: questions like "does it fit a queen bed?" are about this product
  var productId = (script && script.getAttribute("data-product")) || null;
  var store = window.localStorage;
  var sessionId = store.getItem("shopmate-session");
  if (!sessionId) {
    sessionId = "w" + Math.random().toString(36).slice(2) + Date.now().toString(36);
    store.setItem("shopmate-session", sessionId);
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function headers() {
    var h = {"content-type": "application/json"};
    if (key) h["x-shopmate-key"] = key;
    return h;
  }
  function post(path, body) {
    return fetch(base + path, {method: "POST", headers: headers(), body: JSON.stringify(body)});
  }
  // retention analytics: one visit per page load, suggestion clicks (never blocks the chat)
  function track(type, productId) {
    var body = {type: type, session_id: sessionId};
    if (userId) body.user_id = userId;
    if (productId) body.product_id = productId;
    post("/v1/events/track", body).catch(function () {});
  }
  track("visit");

  var css = el("style");
  css.textContent = [
    ".sm-w-bubble{position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;border:0;",
    "background:#1f6f5c;color:#fff;font-size:26px;cursor:pointer;box-shadow:0 2px 8px rgba(0,0,0,.3);z-index:2147483000}",
    ".sm-w-panel{position:fixed;right:20px;bottom:86px;width:360px;max-height:70vh;display:none;flex-direction:column;",
    "background:#fff;border:1px solid #ccc;border-radius:12px;box-shadow:0 4px 16px rgba(0,0,0,.2);font:14px sans-serif;z-index:2147483000}",
    ".sm-w-open{display:flex}.sm-w-log{overflow-y:auto;padding:10px;flex:1}",
    ".sm-w-msg{margin:6px 0;padding:8px 10px;border-radius:10px;white-space:pre-wrap}",
    ".sm-w-me{background:#e8f3ef;margin-left:40px}.sm-w-bot{background:#f4f4f4;margin-right:20px}",
    ".sm-w-src{font-size:12px;color:#555;margin-top:6px}.sm-w-cards{display:flex;flex-wrap:wrap;gap:6px;margin-top:6px}",
    ".sm-w-card{border:1px solid #ddd;border-radius:8px;padding:6px;width:140px;background:#fff}",
    ".sm-w-price{font-weight:bold}.sm-w-reason{font-style:italic;font-size:12px;color:#666}",
    ".sm-w-sponsored{background:#fffbea}.sm-w-label{font-size:11px;color:#8a6d00;text-transform:uppercase}",
    ".sm-w-form{display:flex;border-top:1px solid #eee}.sm-w-form input{flex:1;border:0;padding:10px}",
    ".sm-w-form button{border:0;background:#1f6f5c;color:#fff;padding:0 14px;cursor:pointer}",
    ".sm-w-thumbs button{border:0;background:none;cursor:pointer;font-size:14px}.sm-w-agent{color:#1f6f5c;font-size:12px}"
  ].join("");
  document.head.appendChild(css);

  var bubble = el("button", "sm-w-bubble", "💬");
  bubble.id = "sm-w-bubble";
  bubble.setAttribute("aria-label", "Chat with us");
  var panel = el("div", "sm-w-panel");
  panel.id = "sm-w-panel";
  var log = el("div", "sm-w-log");
  log.id = "sm-w-log";
  var form = el("form", "sm-w-form");
  var input = el("input");
  input.id = "sm-w-input";
  input.placeholder = "Ask about orders, delivery, returns or products";
  var send = el("button", null, "Send");
  send.id = "sm-w-send";
  form.appendChild(input);
  form.appendChild(send);
  panel.appendChild(log);
  panel.appendChild(form);
  document.body.appendChild(panel);
  document.body.appendChild(bubble);
  bubble.addEventListener("click", function () { panel.classList.toggle("sm-w-open"); input.focus(); });

  function addMessage(cls, text) {
    var m = el("div", "sm-w-msg " + cls, text);
    log.appendChild(m);
    log.scrollTop = log.scrollHeight;
    return m;
  }

  var seenKey = "shopmate-agent-seen-" + sessionId;
  var lastAgent = Number(store.getItem(seenKey) || 0), polling = null;
  function poll() {
    fetch(base + "/v1/chat/" + encodeURIComponent(sessionId) + "/messages?after=" + lastAgent, {headers: headers()})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        data.messages.forEach(function (m) {
          lastAgent = Math.max(lastAgent, m.id);
          store.setItem(seenKey, String(lastAgent));
          var box = addMessage("sm-w-bot sm-w-from-agent", m.text);
          box.appendChild(el("div", "sm-w-agent", "A person from our team has joined."));
        });
        if (data.handoff_state === "none" && polling) { clearInterval(polling); polling = null; }
        if (data.handoff_state !== "none" && !polling) polling = setInterval(poll, 2000);
      })
      .catch(function () {});
  }

  // one promoted product beside the suggestions, labelled "Sponsored"; the server shows none
  // during a complaint or with a person, below the relevance floor, or over caps and budgets
  function renderSponsored(cards, question, shown) {
    var q = "?slots=1&session_id=" + encodeURIComponent(sessionId) + "&context=" + encodeURIComponent(question.slice(0, 500));
    if (userId) q += "&user_id=" + encodeURIComponent(userId);
    shown.slice(0, 20).forEach(function (id) { q += "&exclude=" + encodeURIComponent(id); });
    fetch(base + "/v1/sponsored" + q, {headers: headers()})
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (ads) {
        ads.filter(function (a) { return shown.indexOf(a.product_id) < 0; }).forEach(function (a) {
          var card = el("div", "sm-w-card sm-w-sponsored");
          card.setAttribute("data-product-id", a.product_id);
          card.appendChild(el("div", "sm-w-label", a.label));
          card.appendChild(el("div", "sm-w-title", a.title));
          card.appendChild(el("div", "sm-w-price", a.price.toFixed(2)));
          var view = el("button", "sm-w-view", "View");
          view.addEventListener("click", function () {
            var body = {session_id: sessionId};
            if (userId) body.user_id = userId;
            post("/v1/sponsored/" + encodeURIComponent(a.campaign_id) + "/click", body).catch(function () {});
            view.textContent = "Opened ✓";
          });
          card.appendChild(view);
          cards.appendChild(card);
        });
      })
      .catch(function () {});
  }

  function renderFinal(box, data, question) {
    box.textContent = data.reply || (data.handoff_state === "human" ? "(sent to our team)" : "");
    if (data.handoff_state !== "none") poll();
    if (data.citations && data.citations.length) {
      var src = el("div", "sm-w-src");
      src.appendChild(el("div", null, "Sources:"));
      data.citations.forEach(function (c, i) { src.appendChild(el("div", "sm-w-cite", "[" + (i + 1) + "] " + c.title)); });
      box.appendChild(src);
    }
    if (data.products && data.products.length) {
      var cards = el("div", "sm-w-cards");
      data.products.forEach(function (p) {
        var card = el("div", "sm-w-card");
        card.setAttribute("data-product-id", p.id);
        card.appendChild(el("div", "sm-w-title", p.title));
        card.appendChild(el("div", "sm-w-price", p.price.toFixed(2)));
        card.appendChild(el("div", "sm-w-reason", p.reason));
        var add = el("button", "sm-w-add", "Add to cart");
        add.addEventListener("click", function () {
          track("suggestion_click", p.id);
          if (!userId) { add.textContent = "Sign in to add"; return; }
          post("/v1/events", {user_id: userId, product_id: p.id, type: "add_to_cart"}).then(function (r) {
            add.textContent = r.ok ? "Added ✓" : "Could not add";
          });
        });
        card.appendChild(add);
        cards.appendChild(card);
      });
      box.appendChild(cards);
      renderSponsored(cards, question || "", data.products.map(function (p) { return p.id; }));
    }
    var thumbs = el("div", "sm-w-thumbs");
    ["up", "down"].forEach(function (t) {
      var b = el("button", "sm-w-thumb-" + t, t === "up" ? "👍" : "👎");
      b.addEventListener("click", function () {
        post("/v1/feedback", {session_id: sessionId, user_id: userId, thumbs: t}).then(function (r) {
          thumbs.textContent = r.ok ? "Thanks for the feedback." : "Feedback could not be sent.";
        });
      });
      thumbs.appendChild(b);
    });
    box.appendChild(thumbs);
  }

  async function ask(text) {
    addMessage("sm-w-me", text);
    var box = addMessage("sm-w-bot", "…");
    var body = {session_id: sessionId, message: text};
    if (userId) body.user_id = userId;
    if (productId) body.product_id = productId;
    var r = await post("/v1/chat/stream", body);
    if (!r.ok) {
      var err = await r.json().catch(function () { return {}; });
      box.textContent = "Sorry, that did not go through: " + (err.detail || r.status);
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
        if (ev[1] === "token") { shown += payload.text; box.textContent = shown; }
        else if (ev[1] === "final") renderFinal(box, payload, text);
        else if (ev[1] === "error") box.textContent = "Sorry: " + payload.detail;
      });
      log.scrollTop = log.scrollHeight;
    }
  }

  poll();  // a reload during a handoff picks the conversation up again

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    ask(text);
  });
})();
