/*
 * 嘉定企业服务 · 12345坐席助手 (the agent console, served at /console).
 *
 * The page is static; everything comes from the service's staff API with the agent's
 * bearer token, which is kept in sessionStorage (this tab only). Data is always put into
 * the page with textContent, never as HTML. No dependencies, no build step.
 *
 * The console is split into files that console.html loads in this order (defer keeps it):
 *   core.js          shared state, helpers, the API, signing in and out, start()
 *   kb.js            政策问答 (policy questions)
 *   appeal-form.js   代为登记诉求 (filing an appeal for a caller)
 *   appeals.js       the form's and queue's options, 诉求查询 and 诉求队列
 *   handoff.js       人工会话: shared handoff state, the inbox list and its poll
 *   handoff-chat.js  人工会话: the open conversation (transcript, take, reply, …)
 *   start.js         starts the page once every file has loaded
 * They share one namespace, window.JDConsole (called C inside each file), and define no
 * other globals. Each file uses what the others share by its name on C (C.$, C.api,
 * C.state, …), looked up when it is called. Each file registers how it wires its
 * part of the page with C.wire(); start() runs those in load order.
 */
(function () {
  "use strict";

  var C = (window.JDConsole = {});

  var TOKEN_KEY = "jd-console-token";
  var WEEKDAYS = "日一二三四五六";
  var ACTORS = { enterprise: "企业", system: "系统" };

  var state = (C.state = {
    token: null,
    me: null,
    options: null,
    appealKey: null, // one Idempotency-Key per form fill: a double click files once
    filing: false,
  });

  // ---- helpers ---------------------------------------------------------------------------
  function $(id) {
    return document.getElementById(id);
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function readToken() {
    try {
      return sessionStorage.getItem(TOKEN_KEY);
    } catch (e) {
      return null;
    }
  }

  function saveToken(token) {
    try {
      if (token) sessionStorage.setItem(TOKEN_KEY, token);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch (e) {
      /* storage disabled: the token lives in memory for this page only */
    }
  }

  function newKey() {
    var c = window.crypto;
    if (c && typeof c.randomUUID === "function") return "console-" + c.randomUUID();
    // randomUUID needs a secure context; getRandomValues does not.
    var bytes = c.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map
      .call(bytes, function (b) {
        return (b + 0x100).toString(16).slice(1);
      })
      .join("");
    return (
      "console-" +
      [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-")
    );
  }

  // "2026-03-11T17:00:00+08:00" (the service gives Shanghai time) → parts, read as written.
  function parts(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso || "");
    if (!m) return null;
    return { y: +m[1], mo: +m[2], d: +m[3], time: m[4] + ":" + m[5] };
  }

  // "11月30日（周一）": how the chat tells callers a due date (end of that day).
  function formatDate(iso) {
    var p = parts(iso);
    if (!p) return "";
    var weekday = WEEKDAYS.charAt(new Date(Date.UTC(p.y, p.mo - 1, p.d)).getUTCDay());
    return p.mo + "月" + p.d + "日（周" + weekday + "）";
  }

  function formatDay(iso) {
    var p = parts(iso);
    return p ? formatDate(iso) + p.time : "";
  }

  function formatShort(iso) {
    var p = parts(iso);
    if (!p) return "";
    var year = p.y === new Date().getFullYear() ? "" : p.y + "年";
    return year + p.mo + "月" + p.d + "日 " + p.time;
  }

  function formatPhone(e164) {
    if (!e164) return "（已清除）";
    if (e164.indexOf("+86") !== 0) return e164;
    var national = e164.slice(3);
    if (national.charAt(0) === "1") return national;
    if (national.indexOf("21") === 0) return "021-" + national.slice(2);
    return "0" + national;
  }

  function label(list, code, key) {
    for (var i = 0; i < (list || []).length; i++) {
      if (list[i].code === code) return list[i][key || "label"];
    }
    return code || "";
  }

  function statusLabel(code) {
    return label(state.options && state.options.statuses, code);
  }

  function categoryLabel(code) {
    return label(state.options && state.options.categories, code);
  }

  function departmentName(code) {
    return label(state.options && state.options.departments, code, "name");
  }

  function actorName(actor) {
    if (ACTORS[actor]) return ACTORS[actor];
    var channels = (state.options && state.options.channels) || {};
    if (channels[actor]) return channels[actor];
    return departmentName(actor);
  }

  function copyFallback(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.top = "-1000px";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try {
      ok = document.execCommand("copy");
    } catch (e) {
      ok = false;
    }
    document.body.removeChild(area);
    return ok;
  }

  function copyText(text, button) {
    var original = button.dataset.label || button.textContent;
    button.dataset.label = original;
    function done(ok) {
      button.textContent = ok ? "已复制" : "复制失败，请手动选中文字复制";
      button.classList.toggle("c-copied", ok);
      setTimeout(function () {
        button.textContent = original;
        button.classList.remove("c-copied");
      }, 2000);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () {
          done(true);
        },
        function () {
          done(copyFallback(text));
        }
      );
    } else {
      done(copyFallback(text));
    }
  }

  // ---- the API ---------------------------------------------------------------------------
  // Resolves to {status, ok, data}; rejects only when the service cannot be reached.
  function api(method, path, body, headers) {
    var init = {
      method: method,
      headers: { Accept: "application/json", Authorization: "Bearer " + (state.token || "") },
      cache: "no-store",
      credentials: "same-origin",
    };
    Object.keys(headers || {}).forEach(function (name) {
      init.headers[name] = headers[name];
    });
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(function (response) {
      return response.text().then(function (text) {
        var data = null;
        try {
          data = text ? JSON.parse(text) : null;
        } catch (e) {
          data = null;
        }
        if (response.status === 401 && state.me) {
          signOut("登录已失效（令牌无效或已停用），请重新输入令牌。");
        }
        return { status: response.status, ok: response.ok, data: data };
      });
    });
  }

  var OFFLINE = (C.OFFLINE = "无法连接服务，请检查网络后重试。");

  // ---- signing in ------------------------------------------------------------------------
  function showSignIn(message) {
    $("c-app").hidden = true;
    $("c-who").hidden = true;
    $("c-signin").hidden = false;
    $("c-signin-error").textContent = message || "";
    $("c-token").focus();
  }

  // Nothing of the previous agent's work stays on the page after signing out.
  function resetApp() {
    clear($("c-kb-results"));
    $("c-kb-note").textContent = "";
    $("c-question").value = "";
    clear($("c-detail"));
    $("c-detail").hidden = true;
    $("c-lookup-no").value = "";
    $("c-lookup-error").textContent = "";
    clear($("c-queue-rows"));
    $("c-queue-summary").textContent = "";
    C.startFill();
    C.stopHandoffs();
  }

  function signOut(message) {
    state.token = null;
    state.me = null;
    saveToken(null);
    resetApp();
    document.body.dataset.signedIn = "false";
    showSignIn(message);
  }

  function signIn(token, fromStorage) {
    state.token = token;
    var button = $("c-signin-button");
    button.disabled = true;
    $("c-signin-error").textContent = fromStorage ? "" : "正在验证…";
    return api("GET", "/api/staff/me")
      .then(function (res) {
        if (res.status === 401) {
          state.token = null;
          saveToken(null);
          showSignIn(
            fromStorage
              ? "登录已失效，请重新输入令牌。"
              : "令牌不正确或已停用，请核对后重新输入。"
          );
          return;
        }
        if (!res.ok) {
          showSignIn("登录失败（错误代码 " + res.status + "），请稍后再试。");
          return;
        }
        state.me = res.data;
        saveToken(token);
        $("c-token").value = "";
        $("c-signin-error").textContent = "";
        $("c-dept").textContent = res.data.name;
        $("c-who").hidden = false;
        $("c-signin").hidden = true;
        $("c-app").hidden = false;
        document.body.dataset.signedIn = "true";
        // Only departments that work handoffs see the inbox (the API refuses the others).
        $("c-handoff").hidden = !res.data.handoffs;
        if (res.data.handoffs) C.startHandoffs();
        return C.loadOptions();
      })
      .catch(function () {
        showSignIn(OFFLINE);
      })
      .then(function () {
        button.disabled = false;
      });
  }

  // ---- wiring ----------------------------------------------------------------------------
  var wirings = [];

  // Each file passes the function that wires its part of the page; start() runs them in order.
  function wire(fn) {
    wirings.push(fn);
  }

  function start() {
    $("c-signin-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var token = $("c-token").value.trim();
      if (!token) {
        $("c-signin-error").textContent = "请输入工作人员令牌。";
        return;
      }
      signIn(token, false);
    });
    $("c-signout").addEventListener("click", function () {
      signOut("已退出登录。");
    });
    wirings.forEach(function (fn) {
      fn();
    });

    var stored = readToken();
    if (stored) signIn(stored, true);
    else showSignIn("");
  }

  C.$ = $;
  C.el = el;
  C.clear = clear;
  C.newKey = newKey;
  C.parts = parts;
  C.formatDate = formatDate;
  C.formatDay = formatDay;
  C.formatShort = formatShort;
  C.formatPhone = formatPhone;
  C.statusLabel = statusLabel;
  C.categoryLabel = categoryLabel;
  C.actorName = actorName;
  C.copyText = copyText;
  C.api = api;
  C.wire = wire;
  C.start = start;
})();
