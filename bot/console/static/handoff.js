/*
 * 12345坐席助手 · 人工会话 (human handoffs), part one: the state both parts share, their
 * helpers, and the inbox list with its poll. The open conversation is handoff-chat.js.
 */
(function (C) {
  "use strict";

  // ---- human handoffs (人工会话) -----------------------------------------------------------
  // The list is polled every 3 s and the open conversation (handoff-chat.js) every
  // 2 s while signed in. Each poll schedules the next one only after its reply (setTimeout,
  // never setInterval), so requests never stack; asking for a refresh while one is in flight
  // runs one more right after it. Signing out bumps hand.gen, so replies still on their way
  // are dropped.
  var HANDOFF_LIST_MS = 3000;
  var HANDOFF_ENDED = ["returned", "closed", "expired"];
  var HANDOFF_BADGES = { waiting: "c-badge--choice", taken: "c-badge--best" };
  var HANDOFF_EMPTY = {
    active: "目前没有等待接入或进行中的人工会话。",
    waiting: "目前没有等待接入的会话。",
    taken: "目前没有已接入的会话。",
    ended: "没有已结束的会话。",
  };
  var PAGE_TITLE = document.title;

  var hand = (C.hand = {
    gen: 0,
    items: {}, // the last list, by id
    openId: null, // the conversation shown in the detail (a string)
    listTimer: null,
    listBusy: false,
    listAgain: false,
    detailTimer: null,
    detailBusy: false,
    detailAgain: false,
    lines: 0, // transcript lines on the page
    lastLine: "",
    stick: false, // scroll to the end when the next lines arrive (after sending)
    acting: false,
    sending: false,
    errorFrom: null, // "poll" errors go away with the next good poll; "action" ones stay
    drafts: {},
    summary: "",
  });

  function handoffProblem(res) {
    var detail = res.data && res.data.detail;
    if (typeof detail === "string" && detail) return detail;
    if (res.status === 422) return "内容不符合要求（回复需为1至1000字），请修改后重试。";
    return "操作失败（错误代码 " + res.status + "），请稍后再试。";
  }

  function showHandoffError(message, from) {
    if (from === "poll" && hand.errorFrom === "action") return;
    C.$("c-handoff-error").textContent = message || "";
    hand.errorFrom = message ? from : null;
  }

  function clearPollError() {
    if (hand.errorFrom === "poll") showHandoffError("", null);
  }

  function duration(seconds) {
    var s = Math.max(0, Math.floor(seconds || 0));
    if (s < 60) return s + " 秒";
    var m = Math.floor(s / 60);
    if (m < 60) return m + " 分钟";
    var h = Math.floor(m / 60);
    m = m % 60;
    return h + " 小时" + (m ? " " + m + " 分钟" : "");
  }

  // "17:05" today, "3月11日 17:05" on other days.
  function clock(iso) {
    var p = C.parts(iso);
    if (!p) return "";
    var now = new Date();
    if (p.y === now.getFullYear() && p.mo === now.getMonth() + 1 && p.d === now.getDate()) return p.time;
    return C.formatShort(iso);
  }

  function isEnded(item) {
    return HANDOFF_ENDED.indexOf(item.status) >= 0;
  }

  function isMine(item) {
    return !!item.mine && item.status === "taken";
  }

  function takerName(item) {
    var by = item.taken_by || {};
    return by.label || by.name || "工作人员";
  }

  // What the list and the detail say about time: waiting so long, taken by whom, ended when.
  // waiting_s counts up to the moment someone took the conversation.
  function handoffTiming(item) {
    if (item.status === "waiting") return "已等待 " + duration(item.waiting_s);
    if (item.status === "taken") {
      return (
        (item.mine ? "由我接入" : "由 " + takerName(item) + " 接入") +
        "（等待 " + duration(item.waiting_s) + "）"
      );
    }
    return item.ended_at ? "结束于 " + C.formatShort(item.ended_at) : "已结束";
  }

  function statusBadge(node, item) {
    node.className = "c-badge " + (HANDOFF_BADGES[item.status] || "c-badge--weak");
    node.textContent = item.status_label || item.status;
  }

  // ---- the list ----
  function fillEntry(li, item, isOpen) {
    var signature = JSON.stringify(item) + (isOpen ? "+" : "-");
    li.className =
      "c-handoff-item c-handoff-item--" + item.status + (isOpen ? " c-handoff-item--open" : "");
    li.dataset.status = item.status;
    li.dataset.mine = item.mine ? "true" : "false";
    var button = li.firstChild;
    if (isOpen) button.setAttribute("aria-current", "true");
    else button.removeAttribute("aria-current");
    if (li.dataset.signature === signature) return;
    li.dataset.signature = signature;
    C.clear(button);
    var head = C.el("span", "c-handoff-head");
    var badge = C.el("span");
    statusBadge(badge, item);
    head.appendChild(badge);
    head.appendChild(C.el("span", "c-handoff-channel", item.channel_label));
    head.appendChild(C.el("span", "c-handoff-reason", item.reason_label));
    if (isMine(item)) head.appendChild(C.el("span", "c-badge c-badge--mine", "我的"));
    button.appendChild(head);
    button.appendChild(C.el("span", "c-handoff-wait", handoffTiming(item)));
    button.appendChild(C.el("span", "c-handoff-preview", item.preview || "（用户还没有留言）"));
  }

  function newEntry(id) {
    var li = C.el("li");
    li.dataset.id = id;
    var button = C.el("button", "c-handoff-open");
    button.type = "button";
    li.appendChild(button);
    return li;
  }

  function markOpenEntry() {
    Array.prototype.forEach.call(C.$("c-handoff-list").children, function (li) {
      var item = hand.items[li.dataset.id];
      if (item) fillEntry(li, item, li.dataset.id === hand.openId);
    });
  }

  function setWaiting(count) {
    var badge = C.$("c-handoff-count");
    badge.textContent = String(count);
    badge.className = "c-badge c-count " + (count ? "c-badge--late" : "c-badge--weak");
    document.title = count ? "（" + count + "）" + PAGE_TITLE : PAGE_TITLE;
  }

  function setSummary(text) {
    // Only on change: the line is a live region, and re-setting it would read it out again.
    if (text === hand.summary) return;
    hand.summary = text;
    C.$("c-handoff-summary").textContent = text;
  }

  function renderHandoffList(data, filter) {
    var list = C.$("c-handoff-list");
    var items = data.items || [];
    var active = document.activeElement;
    var focused = active && list.contains(active) ? active.closest("li[data-id]") : null;
    var focusedId = focused ? focused.dataset.id : null;
    var existing = {};
    Array.prototype.forEach.call(list.children, function (li) {
      existing[li.dataset.id] = li;
    });
    hand.items = {};
    var taken = 0;
    items.forEach(function (item, index) {
      var id = String(item.id);
      hand.items[id] = item;
      if (item.status === "taken") taken += 1;
      var li = existing[id] || newEntry(id);
      delete existing[id];
      fillEntry(li, item, id === hand.openId);
      // Move an entry only when its place changed, so a focused entry keeps the focus.
      if (list.children[index] !== li) list.insertBefore(li, list.children[index] || null);
    });
    Object.keys(existing).forEach(function (id) {
      list.removeChild(existing[id]);
    });
    if (focusedId && document.activeElement !== active) {
      var again = list.querySelector('li[data-id="' + focusedId + '"] button');
      if (again) again.focus();
    }
    var empty = C.$("c-handoff-empty");
    empty.textContent = HANDOFF_EMPTY[filter] || HANDOFF_EMPTY.active;
    empty.hidden = items.length > 0;
    var waiting = data.waiting || 0;
    setWaiting(waiting);
    if (filter === "active") {
      setSummary("等待接入 " + waiting + " 个，已接入 " + taken + " 个。");
    } else {
      setSummary("等待接入 " + waiting + " 个；当前列表共 " + items.length + " 个。");
    }
  }

  function loadHandoffs() {
    if (!C.state.me) return;
    if (hand.listBusy) {
      hand.listAgain = true;
      return;
    }
    clearTimeout(hand.listTimer);
    hand.listTimer = null;
    hand.listBusy = true;
    var gen = hand.gen;
    var filter = C.$("c-handoff-status").value || "active";
    C.api("GET", "/api/staff/handoffs?status=" + encodeURIComponent(filter))
      .then(function (res) {
        if (gen !== hand.gen || filter !== C.$("c-handoff-status").value) return;
        if (res.ok) {
          clearPollError();
          renderHandoffList(res.data, filter);
        } else if (res.status !== 401) {
          showHandoffError("人工会话列表加载失败：" + handoffProblem(res), "poll");
        }
      })
      .catch(function () {
        if (gen === hand.gen) showHandoffError(C.OFFLINE, "poll");
      })
      .then(function () {
        if (gen !== hand.gen) return;
        hand.listBusy = false;
        if (hand.listAgain) {
          hand.listAgain = false;
          loadHandoffs();
        } else {
          hand.listTimer = setTimeout(loadHandoffs, HANDOFF_LIST_MS);
        }
      });
  }

  // ---- starting and stopping ----
  function startHandoffs() {
    stopHandoffs();
    loadHandoffs();
  }

  // Signing out: stop both polls, drop replies in flight and forget everything shown.
  function stopHandoffs() {
    hand.gen += 1;
    clearTimeout(hand.listTimer);
    clearTimeout(hand.detailTimer);
    hand.listTimer = hand.detailTimer = null;
    hand.listBusy = hand.listAgain = hand.detailBusy = hand.detailAgain = false;
    hand.openId = null;
    hand.items = {};
    hand.drafts = {};
    C.setActing(false);
    C.setSending(false);
    C.resetTranscript();
    C.clear(C.$("c-handoff-list"));
    C.$("c-handoff-empty").hidden = true;
    C.$("c-handoff-detail").hidden = true;
    C.$("c-handoff-placeholder").hidden = false;
    C.$("c-handoff-text").value = "";
    C.$("c-handoff-status").value = "active";
    showHandoffError("", null);
    hand.summary = "";
    C.$("c-handoff-summary").textContent = "";
    setWaiting(0);
  }

  C.wire(function () {
    C.$("c-handoff-filter").addEventListener("submit", function (event) {
      event.preventDefault();
      loadHandoffs();
    });
    C.$("c-handoff-status").addEventListener("change", function () {
      loadHandoffs();
    });
    C.$("c-handoff-list").addEventListener("click", function (event) {
      var entry = event.target.closest("li[data-id]");
      if (entry) C.openHandoff(entry.dataset.id);
    });
  });

  C.handoffProblem = handoffProblem;
  C.showHandoffError = showHandoffError;
  C.clearPollError = clearPollError;
  C.clock = clock;
  C.isEnded = isEnded;
  C.isMine = isMine;
  C.takerName = takerName;
  C.handoffTiming = handoffTiming;
  C.statusBadge = statusBadge;
  C.markOpenEntry = markOpenEntry;
  C.loadHandoffs = loadHandoffs;
  C.startHandoffs = startHandoffs;
  C.stopHandoffs = stopHandoffs;
})(window.JDConsole);
