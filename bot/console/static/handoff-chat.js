/*
 * 12345坐席助手 · 人工会话 (human handoffs), part two: the open conversation — its
 * transcript, taking it, handing it back, closing it and replying (see handoff.js).
 */
(function (C) {
  "use strict";

  var $ = C.$;
  var el = C.el;
  var clear = C.clear;
  var state = C.state;
  var api = C.api;
  var formatShort = C.formatShort;
  var OFFLINE = C.OFFLINE;
  var hand = C.hand;
  var handoffProblem = C.handoffProblem;
  var showHandoffError = C.showHandoffError;
  var clearPollError = C.clearPollError;
  var clock = C.clock;
  var isEnded = C.isEnded;
  var isMine = C.isMine;
  var takerName = C.takerName;
  var handoffTiming = C.handoffTiming;
  var statusBadge = C.statusBadge;
  var markOpenEntry = C.markOpenEntry;
  var loadHandoffs = C.loadHandoffs;

  // ---- the open conversation ----
  // Polled every 2 s while it is open, the same way as the list (see handoff.js).
  var HANDOFF_DETAIL_MS = 2000;
  var SPEAKERS = { user: "用户", bot: "智能助手", agent: "工作人员" };

  function transcriptLine(line) {
    var item = el("li", "c-line c-line--" + line.from);
    item.dataset.from = line.from;
    var head = el("div", "c-line-head");
    head.appendChild(el("span", "c-line-who", SPEAKERS[line.from] || line.from));
    var time = el("time", "c-line-time", clock(line.at));
    if (line.at) time.setAttribute("datetime", line.at);
    head.appendChild(time);
    item.appendChild(head);
    item.appendChild(el("p", "c-line-text", line.text));
    return item;
  }

  function lineKey(line) {
    return line ? line.from + "|" + line.at + "|" + line.text : "";
  }

  // The transcript only grows: new lines are appended (the log region reads out just those);
  // anything else (another conversation, a shorter or different history) redraws it.
  function renderTranscript(lines) {
    var box = $("c-handoff-log");
    var list = $("c-handoff-transcript");
    var wasEmpty = hand.lines === 0;
    var atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 24;
    if (lines.length < hand.lines || (hand.lines && lineKey(lines[hand.lines - 1]) !== hand.lastLine)) {
      clear(list);
      hand.lines = 0;
      wasEmpty = true;
    }
    var added = lines.length - hand.lines;
    for (var i = hand.lines; i < lines.length; i++) list.appendChild(transcriptLine(lines[i]));
    hand.lines = lines.length;
    hand.lastLine = lineKey(lines[lines.length - 1]);
    if (added > 0 && (atBottom || wasEmpty || hand.stick)) {
      box.scrollTop = box.scrollHeight;
      hand.stick = false;
    }
  }

  function resetTranscript() {
    clear($("c-handoff-transcript"));
    hand.lines = 0;
    hand.lastLine = "";
    hand.stick = false;
  }

  function setActing(busy) {
    hand.acting = busy;
    ["c-handoff-take", "c-handoff-release", "c-handoff-close"].forEach(function (id) {
      $(id).disabled = busy;
    });
  }

  function setSending(busy) {
    hand.sending = busy;
    var send = $("c-handoff-send");
    send.disabled = busy;
    send.textContent = busy ? "正在发送…" : "发送";
  }

  function handoffNote(item) {
    var note = $("c-handoff-note");
    var text = "";
    var warn = false;
    if (isEnded(item)) {
      var how = item.status === "closed" ? "" : "（" + (item.status_label || item.status) + "）";
      text = "本会话已结束" + how + "，不能再回复。";
      warn = true;
    } else if (item.status === "waiting") {
      text = "用户正在等待人工接入；点「接入」后即可回复。";
    } else if (!item.mine) {
      text = "本会话已由 " + takerName(item) + " 接入，只有接入的工作人员可以回复。";
    }
    note.className = "c-note" + (warn ? " c-note--warn" : "");
    if (note.textContent !== text) note.textContent = text;
  }

  function renderHandoff(item) {
    var box = $("c-handoff-detail");
    box.dataset.id = String(item.id);
    box.dataset.status = item.status;
    box.dataset.mine = item.mine ? "true" : "false";
    $("c-handoff-detail-title").textContent = "会话 #" + item.id;
    statusBadge($("c-handoff-state"), item);
    var meta = [item.channel_label, item.reason_label];
    if (item.opened_at) meta.push(formatShort(item.opened_at) + " 发起");
    meta.push(handoffTiming(item));
    $("c-handoff-meta").textContent = meta.join(" · ");
    var mine = isMine(item);
    $("c-handoff-take").hidden = item.status !== "waiting";
    $("c-handoff-release").hidden = !mine;
    $("c-handoff-close").hidden = !(item.status === "waiting" || mine);
    $("c-handoff-form").hidden = !mine;
    handoffNote(item);
    if (Array.isArray(item.transcript)) renderTranscript(item.transcript);
  }

  function saveDraft() {
    if (hand.openId === null) return;
    var text = $("c-handoff-text").value;
    if (text) hand.drafts[hand.openId] = text;
    else delete hand.drafts[hand.openId];
  }

  function openHandoff(id) {
    id = String(id);
    if (hand.openId !== id) {
      saveDraft();
      hand.openId = id;
      hand.detailAgain = false;
      resetTranscript();
      showHandoffError("", null);
      $("c-handoff-text").value = hand.drafts[id] || "";
      var item = hand.items[id];
      if (item) {
        renderHandoff(item);
      } else {
        $("c-handoff-detail-title").textContent = "会话 #" + id;
        $("c-handoff-meta").textContent = "正在加载…";
      }
      $("c-handoff-placeholder").hidden = true;
      $("c-handoff-detail").hidden = false;
      markOpenEntry();
    }
    clearTimeout(hand.detailTimer);
    hand.detailTimer = null;
    loadDetail();
    if (window.matchMedia && window.matchMedia("(max-width: 960px)").matches) {
      $("c-handoff-detail").scrollIntoView({ behavior: "smooth", block: "start" });
    }
  }

  function closeHandoff() {
    saveDraft();
    var id = hand.openId;
    hand.openId = null;
    hand.detailAgain = false;
    clearTimeout(hand.detailTimer);
    hand.detailTimer = null;
    resetTranscript();
    $("c-handoff-text").value = "";
    $("c-handoff-detail").hidden = true;
    $("c-handoff-placeholder").hidden = false;
    markOpenEntry();
    return id;
  }

  function loadDetail() {
    var id = hand.openId;
    if (id === null || !state.me) return;
    if (hand.detailBusy) {
      hand.detailAgain = true;
      return;
    }
    clearTimeout(hand.detailTimer);
    hand.detailTimer = null;
    hand.detailBusy = true;
    var gen = hand.gen;
    api("GET", "/api/staff/handoffs/" + encodeURIComponent(id))
      .then(function (res) {
        if (gen !== hand.gen || id !== hand.openId) return;
        if (res.ok) {
          clearPollError();
          renderHandoff(res.data);
        } else if (res.status === 404) {
          closeHandoff();
          showHandoffError(handoffProblem(res), "action");
        } else if (res.status !== 401) {
          showHandoffError("会话记录加载失败：" + handoffProblem(res), "poll");
        }
      })
      .catch(function () {
        if (gen === hand.gen && id === hand.openId) showHandoffError(OFFLINE, "poll");
      })
      .then(function () {
        if (gen !== hand.gen) return;
        hand.detailBusy = false;
        if (hand.openId === null) return;
        if (hand.detailAgain) {
          hand.detailAgain = false;
          loadDetail();
        } else {
          hand.detailTimer = setTimeout(loadDetail, HANDOFF_DETAIL_MS);
        }
      });
  }

  // take | release | close: each answers with the item; 409 means someone else got there first.
  function handoffAction(action) {
    var id = hand.openId;
    if (id === null || hand.acting) return;
    var gen = hand.gen;
    setActing(true);
    showHandoffError("", null);
    api("POST", "/api/staff/handoffs/" + encodeURIComponent(id) + "/" + action)
      .then(function (res) {
        if (gen !== hand.gen) return;
        if (res.ok) {
          if (id === hand.openId) {
            renderHandoff(res.data);
            if (isMine(res.data)) $("c-handoff-text").focus();
            else $("c-handoff-note").focus();
          }
        } else if (res.status !== 401) {
          showHandoffError(handoffProblem(res), "action");
        }
        if (res.status !== 401) {
          loadDetail();
          loadHandoffs();
        }
      })
      .catch(function () {
        if (gen === hand.gen) showHandoffError(OFFLINE, "action");
      })
      .then(function () {
        if (gen === hand.gen) setActing(false);
      });
  }

  function sendReply(event) {
    event.preventDefault();
    var id = hand.openId;
    if (id === null || hand.sending) return;
    var input = $("c-handoff-text");
    var text = input.value.trim();
    if (!text) {
      showHandoffError("请先输入回复内容。", "action");
      input.focus();
      return;
    }
    if (text.length > 1000) {
      showHandoffError("回复请控制在1000字以内。", "action");
      input.focus();
      return;
    }
    var gen = hand.gen;
    setSending(true);
    showHandoffError("", null);
    api("POST", "/api/staff/handoffs/" + encodeURIComponent(id) + "/messages", { text: text })
      .then(function (res) {
        if (gen !== hand.gen) return;
        if (res.ok) {
          if (id === hand.openId) {
            input.value = "";
            hand.stick = true;
          }
          delete hand.drafts[id];
          loadDetail();
          return;
        }
        if (res.status === 401) return;
        showHandoffError(handoffProblem(res), "action");
        if (res.status === 409 || res.status === 404) {
          loadDetail();
          loadHandoffs();
        }
      })
      .catch(function () {
        if (gen === hand.gen) {
          showHandoffError("无法连接服务，这条回复可能没有发出。请看会话记录确认后再重发。", "action");
        }
      })
      .then(function () {
        if (gen === hand.gen) setSending(false);
      });
  }

  C.wire(function () {
    $("c-handoff-hide").addEventListener("click", function () {
      var id = closeHandoff();
      var entry = id && $("c-handoff-list").querySelector('li[data-id="' + id + '"] button');
      if (entry) entry.focus();
    });
    $("c-handoff-take").addEventListener("click", function () {
      handoffAction("take");
    });
    $("c-handoff-release").addEventListener("click", function () {
      handoffAction("release");
    });
    $("c-handoff-close").addEventListener("click", function () {
      handoffAction("close");
    });
    $("c-handoff-form").addEventListener("submit", sendReply);
    $("c-handoff-text").addEventListener("keydown", function (event) {
      // Enter sends, Shift+Enter is a new line; Enter that ends an IME composition does neither.
      if (event.key !== "Enter" || event.shiftKey || event.altKey) return;
      if (event.isComposing || event.keyCode === 229) return;
      sendReply(event);
    });
  });

  C.openHandoff = openHandoff;
  C.setActing = setActing;
  C.setSending = setSending;
  C.resetTranscript = resetTranscript;
})(window.JDConsole);
