/*
 * 嘉定企业服务助手 — web chat widget.
 *
 * One tag on any page:
 *   <script src="https://<service>/static/widget.js" data-socket-url="https://<rasa>" defer></script>
 * Optional: data-mode="page" (fills its container, for the service's own page; default is a
 * floating button), data-rasa-port (when data-socket-url is not given: same host, that port).
 *
 * Talks to Rasa over socket.io (the project's socketio channel, session persistence on). The
 * session id and the transcript are kept in localStorage, so a reload continues the same
 * conversation. Needs socket.io-client, served by the service from /static/vendor/.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var base = script.src.replace(/\/static\/widget\.js.*$/, "");
  var data = script.dataset;
  var socketUrl =
    data.socketUrl ||
    location.protocol + "//" + location.hostname + ":" + (data.rasaPort || "5005");
  var mode = data.mode === "page" ? "page" : "bubble";
  var SESSION_KEY = "jd-assistant-session";
  var LOG_KEY = "jd-assistant-log";
  var MAX_LOG = 200;
  var TYPING_TIMEOUT_MS = 30000;

  var state = {
    socket: null,
    sessionId: localStorage.getItem(SESSION_KEY),
    log: readLog(),
    typingTimer: null,
    lastItem: null, // the list item of the last log entry (a card may complete it)
  };

  function readLog() {
    try {
      return JSON.parse(localStorage.getItem(LOG_KEY) || "[]");
    } catch (e) {
      return [];
    }
  }

  function saveLog() {
    localStorage.setItem(LOG_KEY, JSON.stringify(state.log.slice(-MAX_LOG)));
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text; // never innerHTML: bot text is text
    return node;
  }

  function loadCss() {
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = base + "/static/widget.css";
    document.head.appendChild(link);
  }

  // ---- layout --------------------------------------------------------------------------
  var root = el("div", "jd-chat jd-chat--" + mode);
  var panel = el("section", "jd-panel");
  panel.setAttribute("aria-label", "嘉定企业服务助手");
  var header = el("header", "jd-header");
  header.appendChild(el("span", "jd-title", "嘉定企业服务助手"));
  var status = el("span", "jd-status", "");
  status.setAttribute("role", "status");
  header.appendChild(status);
  var list = el("ol", "jd-messages");
  list.setAttribute("aria-live", "polite");
  var typing = el("div", "jd-typing", "正在输入…");
  typing.hidden = true;
  var form = el("form", "jd-form");
  var input = el("input", "jd-input");
  input.type = "text";
  input.maxLength = 500;
  input.placeholder = "请输入您的问题";
  input.setAttribute("aria-label", "输入消息");
  var send = el("button", "jd-send", "发送");
  send.type = "submit";
  form.appendChild(input);
  form.appendChild(send);
  panel.appendChild(header);
  panel.appendChild(list);
  panel.appendChild(typing);
  panel.appendChild(form);
  root.appendChild(panel);

  if (mode === "bubble") {
    var toggle = el("button", "jd-toggle", "咨询");
    toggle.type = "button";
    toggle.setAttribute("aria-expanded", "false");
    panel.hidden = true;
    var close = el("button", "jd-close", "×");
    close.type = "button";
    close.setAttribute("aria-label", "关闭");
    header.appendChild(close);
    var setOpen = function (open) {
      panel.hidden = !open;
      toggle.setAttribute("aria-expanded", String(open));
      if (open) input.focus();
    };
    toggle.addEventListener("click", function () {
      setOpen(panel.hidden);
    });
    close.addEventListener("click", function () {
      setOpen(false);
    });
    root.appendChild(toggle);
  }

  // ---- rendering -----------------------------------------------------------------------
  function scrollDown() {
    list.scrollTop = list.scrollHeight;
  }

  function renderButtons(item, buttons) {
    var row = el("div", "jd-buttons");
    buttons.forEach(function (b) {
      var button = el("button", "jd-button", b.title);
      button.type = "button";
      button.addEventListener("click", function () {
        sendMessage(b.title, b.payload);
      });
      row.appendChild(button);
    });
    item.appendChild(row);
  }

  // A policy answer comes as its full text (what channels without cards show) and then its
  // card payload. Here the card shows the title, departments, citation and the document's
  // status, so the text keeps only the answer: each thing is said once.
  function isAnswerCard(custom) {
    return !!custom && custom.type === "policy_answer" && typeof custom.answer === "string";
  }

  function answerText(custom) {
    var warning = (custom.status && custom.status.warning) || "";
    return (warning ? warning + "\n" : "") + custom.answer;
  }

  function renderCard(item, custom) {
    var card = el("div", "jd-card");
    card.appendChild(el("div", "jd-card-title", custom.title));
    var depts = custom.departments || {};
    var lead = (depts.lead || []).join("、");
    var resp = (depts.responsible || []).join("、");
    if (lead) card.appendChild(el("div", "jd-card-line", "牵头单位：" + lead));
    if (resp) card.appendChild(el("div", "jd-card-line", "责任单位：" + resp));
    var cite = custom.citation;
    if (!cite) {
      // an answer saved before cards carried their citation
      cite = custom.source + " " + (custom.articles || []).map(function (n) {
        return "第" + n + "条";
      }).join("、");
    }
    card.appendChild(el("div", "jd-card-cite", "依据：" + cite));
    if (custom.status && custom.status.line) {
      card.appendChild(el("div", "jd-card-status", custom.status.line));
    }
    item.appendChild(card);
  }

  function renderCustom(item, custom) {
    if (!custom || typeof custom !== "object") return false;
    if (custom.type === "policy_answer") {
      renderCard(item, custom);
      return true;
    }
    // policy_choices and policy_matches come with buttons in the text message already; a
    // follow-up (「找哪个部门？」) is about the card shown above, not a new one.
    return (
      custom.type === "policy_choices" ||
      custom.type === "policy_matches" ||
      custom.type === "policy_followup"
    );
  }

  function render(entry) {
    var item = el("li", "jd-msg jd-msg--" + entry.from);
    if (entry.from === "agent") item.appendChild(el("div", "jd-who", "工作人员"));
    if (entry.text) item.appendChild(el("div", "jd-text", entry.text));
    if (entry.custom && !renderCustom(item, entry.custom)) return null;
    if (entry.custom && item.childNodes.length === 0) return null; // shown with its text
    if (entry.buttons && entry.buttons.length) renderButtons(item, entry.buttons);
    list.appendChild(item);
    scrollDown();
    return item;
  }

  function remember(entry) {
    var last = state.log[state.log.length - 1];
    var cite = isAnswerCard(entry.custom) && "（依据：" + entry.custom.citation + "）";
    if (cite && last && last.from === "bot" && !last.custom && endsWith(last.text, cite)) {
      // The card for the text just shown: show the text as the answer alone, with its card.
      last.text = answerText(entry.custom);
      last.custom = entry.custom;
      saveLog();
      var replaced = render(last);
      if (state.lastItem && replaced) list.replaceChild(replaced, state.lastItem);
      state.lastItem = replaced;
      return;
    }
    state.log.push(entry);
    saveLog();
    state.lastItem = render(entry);
  }

  function endsWith(text, suffix) {
    return typeof text === "string" && text.slice(-suffix.length) === suffix;
  }

  function showTyping(on) {
    typing.hidden = !on;
    clearTimeout(state.typingTimer);
    if (on) {
      state.typingTimer = setTimeout(function () {
        typing.hidden = true;
      }, TYPING_TIMEOUT_MS);
    }
    scrollDown();
  }

  function setStatus(text) {
    status.textContent = text;
  }

  // ---- socket.io -----------------------------------------------------------------------
  function sendMessage(text, payload) {
    var message = (payload || text || "").trim();
    if (!message) return;
    remember({ from: "user", text: text });
    if (!state.socket || !state.socket.connected) {
      setStatus("未连接，消息将在重新连接后发送…");
    }
    // socket.io buffers emits while disconnected and sends them once reconnected.
    state.socket.emit("user_uttered", { message: message, session_id: state.sessionId });
    showTyping(true);
  }

  function connect() {
    /* global io */
    var socket = io(socketUrl, {
      transports: ["websocket"],
      reconnection: true,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 5000,
    });
    state.socket = socket;
    socket.on("connect", function () {
      setStatus("");
      socket.emit("session_request", { session_id: state.sessionId });
    });
    socket.on("session_confirm", function (data) {
      var id = typeof data === "string" ? data : data && data.session_id;
      if (id) {
        state.sessionId = id;
        localStorage.setItem(SESSION_KEY, id);
      }
      root.dataset.ready = "true";
    });
    socket.on("bot_uttered", function (msg) {
      showTyping(false);
      // A person's message during a handoff (pushed by the service) is labelled as such.
      var entry = { from: msg.from === "agent" ? "agent" : "bot", text: msg.text || "" };
      var buttons = msg.quick_replies || msg.buttons;
      if (buttons) {
        entry.buttons = buttons.map(function (b) {
          return { title: b.title, payload: b.payload };
        });
      }
      if (msg.custom) entry.custom = msg.custom;
      remember(entry);
    });
    socket.on("disconnect", function () {
      root.dataset.ready = "false";
      setStatus("连接已断开，正在重新连接…");
    });
    socket.io.on("reconnect", function () {
      setStatus("已重新连接");
      setTimeout(function () {
        setStatus("");
      }, 2000);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    input.value = "";
    sendMessage(text);
  });

  function start() {
    loadCss();
    var host = mode === "page" ? document.getElementById(data.container || "jd-chat") : null;
    (host || document.body).appendChild(root);
    state.log.forEach(function (entry) {
      state.lastItem = render(entry);
    });
    if (typeof io === "function") {
      connect();
      return;
    }
    var lib = document.createElement("script");
    lib.src = base + "/static/vendor/socket.io.min.js";
    lib.onload = connect;
    lib.onerror = function () {
      setStatus("聊天组件加载失败，请稍后再试");
    };
    document.head.appendChild(lib);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
